"""The human output of the `make demo` commands at 80 and at 200 columns: no number with more
than 6 decimals, no identifier (transaction hash, address) cut or folded, long lists summarized,
every file written named on stderr."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from demo_sequence import STEPS, resolve  # beside this file
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.testing.devnet import DevnetHandle

pytestmark = pytest.mark.integration

LONG_DECIMAL = re.compile(r"(?<![\w.])-?[0-9][0-9,]*\.[0-9]{7,}")
HEX = re.compile(r"0x[0-9a-fA-F]+")
CUT = re.compile(r"0x[0-9a-fA-F]+(…|\.\.\.)")
WHOLE = {42, 66, 98}  # an address, a hash or root, a validator's pubkey (0x and hex digits)


def problems(text: str) -> list[str]:
    """What a person could not copy or read: a figure of more than 6 decimals, an identifier
    cut (an ellipsis after hex digits) or folded over two lines (a partial hex run)."""
    found = [f"long decimal {m.group(0)}" for m in LONG_DECIMAL.finditer(text)]
    found += [f"cut identifier {m.group(0)}" for m in CUT.finditer(text)]
    for m in HEX.finditer(text):
        digits = len(m.group(0))
        if 12 < digits < 98 and digits not in WHOLE:  # longer: calldata, not an identifier
            found.append(f"partial identifier {m.group(0)}")
    return found


def test_the_checks_can_fail() -> None:
    assert problems("29.988005997001499192 ezETH")
    assert problems("0x6864243e74d1e...")
    assert problems("0xf39Fd6e51aad88F6F4ce6aB88272\n79cffFb92266")
    assert not problems("29.988006 ezETH, 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266, 3.4%")


@pytest.mark.parametrize("columns", [80, 200])
def test_demo_output_is_readable_and_whole(
    devnet: DevnetHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    report: list[str] = []
    for step in STEPS:
        args = resolve(step.args, str(tmp_path))
        result = CliRunner().invoke(app, args)
        assert "Traceback" not in result.stdout + result.stderr, result.stderr
        assert result.exit_code in step.codes, (args, result.stdout, result.stderr)
        report += [f"{step.name} ({columns}): {p}" for p in problems(result.stdout)]
        report += [f"{step.name} stderr ({columns}): {p}" for p in problems(result.stderr)]
        if dump := os.environ.get("ION_HUMAN_DUMP"):
            with open(dump, "a") as sink:
                sink.write(f"\n$ ion {' '.join(args)}  [{columns}]\n{result.stdout}{result.stderr}")
    assert not report, "\n".join(report)


def test_tx_status_takes_a_unique_prefix(devnet: DevnetHandle) -> None:
    from ion_cli.api import Ion

    runner = CliRunner()
    assert runner.invoke(app, ["supply", "weETH", "1", "--yes"]).exit_code == 0
    ion = Ion()
    newest = ion.transactions()[0]
    assert ion.transaction(newest.hash[:10]) == newest
    shown = runner.invoke(app, ["tx", "status", newest.hash[:10]])
    assert shown.exit_code == 0 and newest.hash in shown.stdout
    refused = runner.invoke(app, ["tx", "status", "0xzz"])
    assert refused.exit_code == 2 and "tx_hash must be" in refused.stderr


def test_an_ambiguous_or_unknown_prefix_is_refused() -> None:
    from dataclasses import replace

    from ion_cli.api.transactions import find
    from ion_cli.errors import UsageError
    from ion_cli.tx_results import Transaction

    row = Transaction.of(
        {
            "hash": "0xab12" + "0" * 60,
            "state": "mined",
            "chain_id": 1,
            "sender": "0x",
            "plan_id": "p",
            "step": 1,
            "steps": 1,
            "nonce": 0,
        }
    )
    rows = [row, replace(row, hash="0xab34" + "0" * 60)]
    assert find("0xAB12", rows, "the journal") == row
    with pytest.raises(UsageError, match="0xab matches 2 transactions"):
        find("0xab", rows, "the journal")
    with pytest.raises(UsageError, match="0xcd is not in the journal"):
        find("0xcd", rows, "the journal")
