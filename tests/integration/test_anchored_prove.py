"""The client believes no node: a beacon node that lies about one validator (its slashed flag,
its balance or its withdrawal credentials) in its JSON answers is refused by `ion prove` (the
records are checked against the SSZ state whose root the block header names), and a receipt
whose snapshot says what such a node said is refused by `ion verify` (the state proof ties
every record to the state root). `ion verify --onchain` asks the devnet's EIP-4788 contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.testing.devnet import DevnetHandle, set_faults
from ion_cli.zk import ezkl_runner as er

pytestmark = pytest.mark.integration


def ion(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, [*args])
    assert result.exit_code == code, result.output
    if code:  # progress lines, then one error line
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1 and "Traceback" not in result.output, result.stderr
        return errors[0]
    return json.loads(result.stdout) if "--json" in args else result.stdout


@pytest.fixture(autouse=True)
def zk_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ION_ZK_CACHE", str(tmp_path_factory.getbasetemp() / "zk-cache"))


@pytest.fixture
def weeth_index(devnet: DevnetHandle) -> int:
    """A weETH validator; finality moved past genesis (two advances)."""
    ion("devnet", "advance", "--epochs", "3", "--yes")
    ion("devnet", "advance", "--epochs", "3", "--yes")
    assert devnet.beacon_url is not None
    info = httpx.get(f"{devnet.beacon_url}/ion/v1/devnet/info").json()
    creds = set(info["lrts"]["weETH"]["credentials"])
    rows = httpx.post(
        f"{devnet.beacon_url}/eth/v1/beacon/states/head/validators", json={}, timeout=60
    ).json()["data"]
    return next(int(r["index"]) for r in rows if r["validator"]["withdrawal_credentials"] in creds)


@pytest.mark.parametrize("field", ["slashed", "balance", "withdrawal_credentials"])
def test_prove_refuses_a_node_that_lies_about_one_validator(
    devnet: DevnetHandle, weeth_index: int, tmp_path: Path, field: str
) -> None:
    assert devnet.beacon_url is not None
    set_faults(devnet.beacon_url, reset=True, lie={"index": weeth_index, "field": field})
    try:
        # The lie is what the JSON routes say (ion risk, which believes the node, sees it).
        line = ion("prove", "--lrt", "weETH", "--out", str(tmp_path / "p"), code=3)
    finally:
        set_faults(devnet.beacon_url, reset=True)
    if field == "withdrawal_credentials":
        assert "left out 1" in line, line  # the set is checked against the state's
    else:
        want = "balance" if field == "balance" else "slashed"
        assert f"validator {weeth_index}" in line and want in line, line
    assert "state" in line
    assert not (tmp_path / "p" / "receipt.json").exists()


def _tamper(folder: Path, change: Any) -> None:
    """Edit the snapshot (as a lying node would have answered) and fix its hash in the receipt,
    so only the state proof can tell."""
    snap = folder / "snapshot.json"
    data = json.loads(snap.read_text())
    change(data["validators"])
    snap.write_text(json.dumps(data))
    receipt = json.loads((folder / "receipt.json").read_text())
    receipt["snapshot"]["sha256"] = er.sha256_file(snap)
    (folder / "receipt.json").write_text(json.dumps(receipt))


def test_verify_refuses_a_snapshot_that_is_not_the_proven_state(
    devnet: DevnetHandle, weeth_index: int, tmp_path: Path
) -> None:
    import shutil

    out = tmp_path / "proof"
    ion("prove", "--lrt", "weETH", "--out", str(out), "--json")
    report = ion("verify", str(out), "--json")
    names = {c["check"]: c["ok"] for c in report["checks"]}
    assert names["anchor: validators proven against the state root"] is True
    assert names["anchor: header is the receipt's block"] is True
    onchain = ion("verify", str(out), "--onchain", "--json")
    assert {c["check"]: c["ok"] for c in onchain["checks"]}["anchor: beacon root on chain"]

    def flip_slashed(rows: list[dict[str, Any]]) -> None:
        rows[0]["slashed"] = not rows[0]["slashed"]

    def lower_balance(rows: list[dict[str, Any]]) -> None:
        rows[0]["balance"] -= 10**9

    def other_credentials(rows: list[dict[str, Any]]) -> None:
        rows[0]["withdrawal_credentials"] = "0x01" + "00" * 11 + "ee" * 20

    for k, change in enumerate((flip_slashed, lower_balance, other_credentials)):
        folder = shutil.copytree(out, tmp_path / f"lied-{k}")
        _tamper(folder, change)
        result = CliRunner().invoke(app, ["verify", str(folder), "--json"])
        assert result.exit_code == 1, result.output
        checks = {c["check"]: c for c in json.loads(result.stdout)["checks"]}
        assert checks["anchor: validators proven against the state root"]["ok"] is False
