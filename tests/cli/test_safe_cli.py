"""Every write a Safe can make takes --unsigned and --safe (found from the command tree, so a
new write command fails here until it has them or is listed as one a Safe does not make), and
their bad values are one line and exit 2 before any node is contacted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app

DEAD_RPC = "http://127.0.0.1:9"  # nothing listens: contacting it would be exit 4
# signing commands that are not a vault or lender write: no Safe batch for them
NOT_FOR_A_SAFE = {
    "apply",  # takes a Safe batch instead
    "submit",
    "challenge",
    "oracle update",
    "oracle finalize",
    "tx speedup",
    "tx cancel",
    "guard run",  # a long-lived runner signing its own actions (a Safe cannot run it)
}


def _commands() -> dict[str, Any]:
    import typer
    import typer.main

    found: dict[str, Any] = {}

    def walk(command: Any, path: tuple[str, ...]) -> None:
        if hasattr(command, "list_commands"):
            context = typer.Context(command)
            for name in command.list_commands(context):
                walk(command.get_command(context, name), (*path, name))
            return
        found[" ".join(path)] = command

    walk(typer.main.get_command(app), ())
    return found


def test_every_write_takes_unsigned_and_safe() -> None:
    writes = {
        name
        for name, command in _commands().items()
        if any(p.name == "confirmations" for p in command.params)
    }
    assert writes - NOT_FOR_A_SAFE == {
        "supply", "redeem", "deposit", "borrow", "repay", "withdraw",
        "leverage", "deleverage", "liquidate",
    }  # fmt: skip
    for name in writes:
        names = {p.name for p in _commands()[name].params}
        assert ({"unsigned", "safe"} <= names) == (name not in NOT_FOR_A_SAFE), name


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--safe", "0x1234"], "--safe needs --unsigned"),
        (["--safe", "nope", "--unsigned", "b.json"], "is not an address"),
        (["--unsigned", " "], "--unsigned is empty"),
    ],
)
def test_bad_multisig_options_are_one_line(
    extra: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["deposit", "weETH", "1", *extra, "--rpc-url", DEAD_RPC])
    assert result.exit_code == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0]
    assert not (tmp_path / "b.json").exists()


def test_help_shows_the_multisig_panel() -> None:
    result = CliRunner().invoke(app, ["leverage", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--unsigned" in result.stdout and "--safe" in result.stdout
    assert "1d with --unsigned" in result.stdout
