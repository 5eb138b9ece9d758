"""What the human output of a write says about the position it prints."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.testing.devnet import DevnetHandle

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
