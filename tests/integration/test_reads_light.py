"""`ion markets` and `ion position` read without the signing stack: no web3, no eth_account
(the reads go through ion_cli.chain.rpc on httpx + eth_abi)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.testing.devnet import DevnetHandle

SIGNING = ("web3", "eth_account", "eth_keyfile", "py_ecc")

PROBE = """
import json, sys
import ion_cli.cli
try:
    ion_cli.cli.main()
except SystemExit:
    pass
print("LOADED=" + json.dumps(sorted(m for m in {modules!r} if m in sys.modules)), file=sys.stderr)
"""


def _run(*args: str) -> tuple[str, list[str]]:
    code = PROBE.format(modules=SIGNING)
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=os.environ,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    line = [x for x in done.stderr.splitlines() if x.startswith("LOADED=")][-1]
    return done.stdout, list(json.loads(line.removeprefix("LOADED=")))


def test_markets_and_position_do_not_import_web3(devnet: DevnetHandle) -> None:
    runner = CliRunner()
    for args in (["supply", "weETH", "5", "--yes"], ["deposit", "weETH", "10", "--yes"]):
        assert runner.invoke(app, args).exit_code == 0
    assert runner.invoke(app, ["borrow", "weETH", "2", "--yes"]).exit_code == 0

    out, loaded = _run("markets", "--json")
    assert loaded == []
    rows = {r["market"]: r for r in json.loads(out)["markets"]}
    assert rows["weETH"]["total_borrowed"].startswith("2")
    assert rows["weETH"]["collateral_token"] == devnet.deployment["tokens"]["weETH"]["address"]

    out, loaded = _run("position", "weETH", "--json")
    assert loaded == []
    position = json.loads(out)
    position = position[0] if isinstance(position, list) else position
    assert position["collateral"] == "10"
    assert position["health"] is not None

    out, loaded = _run("position", "--json")
    assert loaded == []
    assert [p["market"] for p in json.loads(out)["positions"]] == ["weETH"]


def test_a_write_and_a_dry_run_import_neither_web3_nor_py_ecc(devnet: DevnetHandle) -> None:
    """The write path signs with ion_cli.accounts.txsign and talks to the node over the
    reader's HTTP client; a dry run signs nothing and loads no signing code at all."""
    out, loaded = _run("deposit", "weETH", "1", "--yes", "--json")
    assert not {"web3", "py_ecc"} & set(loaded), loaded
    assert loaded == [], loaded  # nor eth_account / eth_keyfile: the devnet key needs no keystore
    sent = json.loads(out)
    assert sent["execution"]["sent"] is True
    assert [s["status"] for s in sent["execution"]["steps"]] == ["success"] * len(
        sent["execution"]["steps"]
    )

    code = PROBE.format(modules=(*SIGNING, "eth_keys", "ion_cli.accounts.txsign"))
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "leverage",
            "weETH",
            "--deposit",
            "2",
            "--to",
            "2x",
            "--dry-run",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=os.environ,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    line = [x for x in done.stderr.splitlines() if x.startswith("LOADED=")][-1]
    assert json.loads(line.removeprefix("LOADED=")) == []
