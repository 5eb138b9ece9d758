"""`ion risk`, `ion prove`, `ion verify` through the real CLI app, offline (snapshot files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.errors import UsageError
from ion_cli.flows.risk import parse_what_if, slashings_to_liquidate
from ion_cli.zk import rule, synthetic

runner = CliRunner()
ETH = 10**9


@pytest.fixture(autouse=True)
def zk_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # one cache per worker run: keys are made once (about half a second)
    monkeypatch.setenv("ION_ZK_CACHE", str(tmp_path_factory.getbasetemp() / "zk-cache"))


@pytest.fixture
def snap_file(tmp_path: Path) -> Path:
    f = tmp_path / "snap.json"
    f.write_text(json.dumps(synthetic.uniform_set(8, slashed=2).to_json()))
    return f


def test_risk_shows_features_model_and_rule(snap_file: Path) -> None:
    result = runner.invoke(app, ["risk", "--lrt", "weETH", "--snapshot", str(snap_file), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["validators"] == 8
    assert doc["features"]["quantized"][0] == 256  # 2 of 8 slashed
    assert doc["rule"]["shortfall_gwei"] == 2 * (32 * ETH // 4096)
    assert "haircut_wad" in doc["model"] and "haircut_wad" in doc["rule"]
    human = runner.invoke(app, ["risk", "--lrt", "weETH", "--snapshot", str(snap_file)])
    assert human.exit_code == 0
    assert "slashed_share" in human.stdout and "rule:" in human.stdout


def test_prove_then_verify_then_tamper(snap_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "proof"
    result = runner.invoke(
        app, ["prove", "--lrt", "weETH", "--snapshot", str(snap_file), "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["folder"] == str(out)
    ok = runner.invoke(app, ["verify", str(out), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["ok"] is True
    # a second prove into the same folder is refused without --force
    again = runner.invoke(
        app, ["prove", "--lrt", "weETH", "--snapshot", str(snap_file), "--out", str(out)]
    )
    assert again.exit_code == 2
    assert "not empty" in again.stderr
    receipt = out / "receipt.json"
    data = json.loads(receipt.read_text())
    data["beacon"]["slot"] += 1
    receipt.write_text(json.dumps(data))
    bad = runner.invoke(app, ["verify", str(receipt)])
    assert bad.exit_code == 1
    assert bad.stderr.strip().splitlines()[-1].startswith("error: instances: slot")
    assert "Traceback" not in bad.output


def test_prove_outside_the_devnet_needs_a_ceremony_srs(snap_file: Path, tmp_path: Path) -> None:
    base = ["prove", "--lrt", "weETH", "--snapshot", str(snap_file), "--network", "mainnet"]
    result = runner.invoke(app, base)
    assert result.exit_code == 2
    assert "--srs" in result.stderr
    from ion_cli.zk.ezkl_runner import DEVNET_SRS_FILE

    refused = runner.invoke(app, [*base, "--srs", str(DEVNET_SRS_FILE)])
    assert refused.exit_code == 3
    assert "development SRS" in refused.stderr


def test_verify_of_nothing_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["verify", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "no receipt" in result.stderr


def test_bad_snapshot_file_is_one_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.json"
    f.write_text("{}")
    result = runner.invoke(app, ["risk", "--lrt", "weETH", "--snapshot", str(f)])
    assert result.exit_code == 2
    assert "not a snapshot" in result.stderr


def test_what_if_parsing() -> None:
    snap = synthetic.uniform_set(10, slashed=2)
    assert parse_what_if("3", snap) == 3
    assert parse_what_if("50%", snap) == 4  # of the 8 still slashable
    assert parse_what_if("12.5 %", snap) == 1
    for bad in ("-1", "abc", "2.5", "101%", "9"):
        with pytest.raises(UsageError):
            parse_what_if(bad, snap)


def test_slashings_to_liquidate_is_the_smallest_count() -> None:
    snap = synthetic.uniform_set(20)
    network = rule.NetworkContext(active_balance=20 * 32 * ETH)  # the set is the network
    rate = 10**18
    liquidation = int(0.95 * rate)
    n = slashings_to_liquidate(snap, network, rate, liquidation)
    assert n is not None and n > 0

    def rate_after(k: int) -> float:
        before = rule.loss(snap, network)
        after = rule.loss(rule.hypothetical_slashing(snap, k), network)
        return rate * (1 - (after.total - before.total) / before.effective_balance)

    assert rate_after(n) < liquidation <= rate_after(n - 1)
    assert slashings_to_liquidate(snap, network, rate, 0) is None
    assert slashings_to_liquidate(snap, network, rate, rate + 1) == 0


def test_the_risk_commands_load_nothing_heavy_for_help() -> None:
    import subprocess
    import sys

    code = (
        "import sys, ion_cli.cli\n"
        "from typer.testing import CliRunner\n"
        "for c in ('risk', 'prove', 'verify'):\n"
        "    CliRunner().invoke(ion_cli.cli.app, [c, '--help'])\n"
        "print(','.join(m for m in ('ezkl', 'numpy', 'onnx', 'web3', 'httpx') "
        "if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_prove_and_verify_with_a_user_supplied_srs(snap_file: Path, tmp_path: Path) -> None:
    """Outside the devnet: keys are made for the SRS given, and verify needs the same file."""
    import ezkl

    from ion_cli.zk.ezkl_runner import LOGROWS, sha256_file

    srs = tmp_path / "ceremony.srs"
    ezkl.gen_srs(str(srs), LOGROWS)  # stands in for a ceremony file here
    out = tmp_path / "proof"
    args = ["prove", "--lrt", "weETH", "--snapshot", str(snap_file), "--network", "mainnet"]
    result = runner.invoke(app, [*args, "--srs", str(srs), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    receipt = json.loads(result.stdout)["receipt"]
    assert receipt["network"] == "mainnet"
    assert receipt["srs"]["kind"] == "ceremony"
    assert receipt["srs"]["sha256"] == sha256_file(srs)
    moved = tmp_path / "elsewhere.srs"
    srs.rename(moved)  # the recorded path is gone: verify finds the file by its hash
    missing = runner.invoke(app, ["verify", str(out)])
    assert missing.exit_code == 1 and "SRS" in missing.stderr
    ok = runner.invoke(app, ["verify", str(out), "--srs", str(moved), "--json"])
    assert ok.exit_code == 0, ok.output
