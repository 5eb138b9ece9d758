"""What the human output of a write says about the position it prints."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.testing.devnet import DevnetHandle, warp

pytestmark = pytest.mark.integration


def test_lender_dry_run_does_not_call_the_current_position_the_result(
    devnet: DevnetHandle,
) -> None:
    result = CliRunner().invoke(app, ["supply", "weETH", "2", "--dry-run", "--yes"])
    assert result.exit_code == 0, result.stderr
    # supply has no projected position: the table shows today's supply (0), so it must not be
    # announced as the position after the supply
    assert "Position after" not in result.stdout
    assert "Position now" in result.stdout


def test_vault_dry_run_shows_the_projected_position(devnet: DevnetHandle) -> None:
    result = CliRunner().invoke(app, ["deposit", "weETH", "2", "--dry-run", "--yes"])
    assert result.exit_code == 0, result.stderr
    assert "Position after" in result.stdout
    assert "2.000000 weETH" in result.stdout


def test_a_liquidatable_vault_says_so_instead_of_a_negative_drop(devnet: DevnetHandle) -> None:
    runner = CliRunner()
    for args in (["deposit", "weETH", "10"], ["borrow", "weETH", "7", "--force"]):
        result = runner.invoke(app, [*args, "--yes"])
        assert result.exit_code == 0, result.stderr
    warp(devnet.w3, 365 * 86400)  # a year of interest pushes health below 1
    result = runner.invoke(app, ["position", "weETH", "--json"])
    assert json.loads(result.stdout)["liquidatable"] is True
    result = runner.invoke(app, ["position", "weETH"])
    assert result.exit_code == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "liquidated at" in line)
    assert "liquidatable now" in row
    assert "drop" not in row  # was "(-1.44% drop)"


def test_the_preview_shows_health_after_to_four_places(devnet: DevnetHandle) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["deposit", "weETH", "10", "--yes"])
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(app, ["borrow", "weETH", "5", "--dry-run", "--yes"])
    assert result.exit_code == 0, result.stderr
    row = next(line for line in result.stderr.splitlines() if "health after" in line)
    assert row.split()[-1] == "1.4613"  # was 1.46136752136752136606
