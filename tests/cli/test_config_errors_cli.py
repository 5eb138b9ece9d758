"""Mistakes in the config file reach the user as one `error:` line and exit 2, never a
traceback: checked in-process, before any node is contacted."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[networks]\nx = 5\n", "network 'x' in the config file must be a table"),
        (
            "[networks.x]\nbase = 'mainnet'\nchain_id = 'abc'\n",
            "chain_id must be an integer",
        ),
        ("[networks.x]\nbase = 'mainnet'\nrpc_url = 5\n", "rpc_url must be a string"),
        (
            "[networks.x]\nbase = 'mainnet'\n"
            "[networks.x.markets.weETH]\nliquidation = '0xnothex'\n",
            "markets.weETH.liquidation is not an address",
        ),
        ("[networks.x]\nbase = 'mainnet'\nmarkets = 3\n", "markets must be a table"),
    ],
)
def test_bad_profile_types_are_one_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    monkeypatch.setenv("ION_CONFIG", str(path))
    result = CliRunner().invoke(app, ["markets", "--network", "x", "--json"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("safety = 5\n", "[safety] must be a table"),
        ("safety = 'x'\n", "[safety] must be a table"),
        ("default_network = 5\n", "default_network must be a network name"),
    ],
)
def test_bad_top_level_types_are_one_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    monkeypatch.setenv("ION_CONFIG", str(path))
    result = CliRunner().invoke(app, ["markets", "--json"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message in lines[0]
