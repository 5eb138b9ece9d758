"""`ion verify` checks a receipt whole: every file it names, every field, a bad --srs.

Reproduces issue 17's findings (snapshot.json deleted, a directory or /dev/zero skipped the
snapshot checks with exit 0; network, submission and instances.count never checked; --srs
/dev/zero or a missing file ignored) offline, on one real proof of a synthetic snapshot.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.zk import synthetic

runner = CliRunner()


@pytest.fixture(autouse=True)
def zk_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ION_ZK_CACHE", str(tmp_path_factory.getbasetemp() / "zk-cache"))


@pytest.fixture(scope="module")
def proven(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("proven")
    os.environ.setdefault("ION_ZK_CACHE", str(tmp_path_factory.getbasetemp() / "zk-cache"))
    snap = base / "snap.json"
    snap.write_text(json.dumps(synthetic.uniform_set(8, slashed=2).to_json()))
    out = base / "proof"
    args = ["prove", "--lrt", "weETH", "--snapshot", str(snap), "--out", str(out), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def folder(proven: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(proven, tmp_path / "proof"))


def verify(*args: str) -> tuple[int, str, dict[str, Any] | None]:
    result = runner.invoke(app, ["verify", *args, "--offline", "--json"])
    assert "Traceback" not in result.output
    doc = json.loads(result.stdout) if result.stdout.strip() else None
    return result.exit_code, result.stderr, doc


def failed(doc: dict[str, Any] | None) -> list[str]:
    assert doc is not None
    return [c["check"] for c in doc["checks"] if not c["ok"]]


def edit(folder: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads((folder / "receipt.json").read_text())
    change(data)
    (folder / "receipt.json").write_text(json.dumps(data))


def test_the_untouched_receipt_verifies(folder: Path) -> None:
    code, err, doc = verify(str(folder))
    assert code == 0, err
    assert doc is not None and doc["ok"] is True
    names = {c["check"] for c in doc["checks"]}
    for expected in ("snapshot.json hash", "features recomputed", "network", "instances: count"):
        assert expected in names


def test_snapshot_deleted_fails(folder: Path) -> None:
    (folder / "snapshot.json").unlink()
    code, err, doc = verify(str(folder))
    assert code == 1
    assert "snapshot.json present" in failed(doc)
    assert err.strip().splitlines()[-1].startswith("error: snapshot.json present: missing")


def test_snapshot_replaced_by_a_directory_fails(folder: Path) -> None:
    (folder / "snapshot.json").unlink()
    (folder / "snapshot.json").mkdir()
    code, err, doc = verify(str(folder))
    assert code == 1
    assert "snapshot.json present" in failed(doc)
    assert "directory" in err


def test_snapshot_replaced_by_dev_zero_fails_without_reading_it(folder: Path) -> None:
    (folder / "snapshot.json").unlink()
    (folder / "snapshot.json").symlink_to("/dev/zero")
    code, err, doc = verify(str(folder))
    assert code == 1
    assert "snapshot.json present" in failed(doc)
    assert "not a regular file" in err


def test_proof_replaced_by_a_fifo_fails(folder: Path) -> None:
    (folder / "proof.json").unlink()
    os.mkfifo(folder / "proof.json")
    code, err, _ = verify(str(folder))
    assert code == 1
    assert "proof.json present" in err


@pytest.mark.parametrize(
    ("change", "check"),
    [
        (lambda d: d["instances"].update(count=30), "instances: count"),
        (lambda d: d.update(network="mainnet"), "network"),
        (lambda d: d.update(network=""), "network"),
        (lambda d: d.update(submission="sent"), "submission record"),
        (
            lambda d: d.update(
                submission={"network": "mainnet", "chain_id": 1, "feed": "0x", "tx_hash": "0x"}
            ),
            "submission record",
        ),
        (lambda d: d["output"].update(p=0.99), "output p"),
        (lambda d: d["model"].update(id="0x00000000"), "model id field"),
        (lambda d: d["beacon"].update(epoch=d["beacon"]["epoch"] + 1), "beacon fields"),
        (lambda d: d["beacon"].update(finalized=False), "beacon fields"),
        (lambda d: d["snapshot"].update(file="../other.json"), "snapshot.json named"),
        (lambda d: d["srs"].update(kind="ceremony"), "SRS kind"),
        (lambda d: d["output"].update(score=d["output"]["score"] + 1), "instances: score"),
        (lambda d: d["rule"].update(total_gwei=d["rule"]["total_gwei"] + 1), "rule recomputed"),
        (lambda d: d["model"].update(file="other.onnx"), "model file"),
        (lambda d: d["network_context"].update(active_balance="many"), "network context"),
    ],
)
def test_every_field_is_checked(folder: Path, change: Callable[[Any], None], check: str) -> None:
    edit(folder, change)
    code, _, doc = verify(str(folder))
    assert code == 1
    assert check in failed(doc)


def test_bad_srs_is_an_error(folder: Path, tmp_path: Path) -> None:
    code, err, _ = verify(str(folder), "--srs", str(tmp_path / "missing.srs"))
    assert code == 2 and "--srs" in err and "missing" in err
    code, err, _ = verify(str(folder), "--srs", "/dev/zero")
    assert code == 2 and "not a regular file" in err
    code, err, _ = verify(str(folder), "--srs", str(tmp_path))
    assert code == 2 and "directory" in err
    other = tmp_path / "other.srs"
    other.write_bytes(b"not the SRS")
    code, err, doc = verify(str(folder), "--srs", str(other))
    assert code == 1 and "SRS" in failed(doc)
