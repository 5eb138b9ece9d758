"""Every command that can sign passes the same guards (issue 16): on chain id 1 whose network
was not named (a config file's default), each one is refused with exit 3 before any node is
contacted (the RPC URL here answers nothing) and before a key is unlocked. The commands are
enumerated from the command tree (every one with the signing options), so a new signing
command fails this test until it is listed with its arguments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app

DEAD_RPC = "http://127.0.0.1:9"  # nothing listens: contacting it would be exit 4, not 3
ME = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
HASH = "0x" + "ab" * 32


def _signing_commands() -> set[str]:
    """Paths ("tx speedup") of every command that takes the signing options."""
    import typer
    import typer.main

    found: set[str] = set()

    def walk(command: Any, path: tuple[str, ...]) -> None:
        if hasattr(command, "list_commands"):  # a group; lazy ones load commands when asked
            context = typer.Context(command)
            for name in command.list_commands(context):
                walk(command.get_command(context, name), (*path, name))
            return
        if any(p.name == "confirmations" for p in command.params):
            found.add(" ".join(path))

    walk(typer.main.get_command(app), ())
    return found


def _plan_file(folder: Path) -> Path:
    path = folder / "plan.json"
    call = {"to": ME, "data": "0x", "value": "0", "kind": "action", "description": "x"}
    doc = {
        "format": "ion-plan",
        "version": 2,
        "chain_id": 1,
        "account": ME,
        "market": "weETH",
        "title": "a plan",
        "calls": [call],
        "check": {"kind": "loop"},
        "deadline": 2**40,
    }
    from ion_cli.flows.leverage import content_hash

    doc["content_hash"] = content_hash(doc)
    path.write_text(json.dumps(doc))
    return path


def _receipt(folder: Path) -> Path:
    return folder / "no-such-receipt"


ARGS: dict[str, Any] = {
    "supply": ["supply", "weETH", "1"],
    "redeem": ["redeem", "weETH", "1"],
    "deposit": ["deposit", "weETH", "1"],
    "borrow": ["borrow", "weETH", "1"],
    "repay": ["repay", "weETH", "1"],
    "withdraw": ["withdraw", "weETH", "1"],
    "leverage": ["leverage", "weETH", "--deposit", "1", "--to", "2x"],
    "deleverage": ["deleverage", "weETH", "--to", "1.5x"],
    "apply": lambda tmp: ["apply", str(_plan_file(tmp))],
    "liquidate": ["liquidate", "weETH", ME],
    "submit": lambda tmp: ["submit", str(_receipt(tmp)), "--market", "weETH"],
    "oracle update": ["oracle", "update", "weETH"],
    "oracle finalize": ["oracle", "finalize", "weETH", "1"],
    "challenge": ["challenge", "weETH", "1"],
    "tx speedup": ["tx", "speedup", HASH],
    "tx cancel": ["tx", "cancel", HASH],
    "guard run": ["guard", "run", "--once"],
}


def test_every_signing_command_is_listed() -> None:
    assert _signing_commands() == set(ARGS)


@pytest.mark.parametrize("name", sorted(ARGS))
def test_signing_on_chain_1_without_naming_it_is_refused(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('default_network = "mainnet"\n')
    monkeypatch.setenv("ION_CONFIG", str(config))
    monkeypatch.setenv("ION_ACCOUNT", ME)
    args = ARGS[name]
    argv = args(tmp_path) if callable(args) else list(args)
    result = CliRunner().invoke(app, [*argv, "--yes", "--rpc-url", DEAD_RPC])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 3, (name, result.stderr)
    assert "pass --network" in result.stderr and "chain id 1" in result.stderr
