"""Every command's --json keeps the output contract (issue 19): the command tree is walked, and
each command with a --json option must have a documented schema (ion_cli/schemas/<path>.json,
a valid JSON Schema naming itself) and a test that validates what it prints against it
(`check_document`). A new command fails here until both exist and it is listed in VALIDATED.

The commands that need no devnet are validated in this module (their documents are real); those
that need one in the devnet module named for them; the `make demo` sequence in
tests/integration/test_json_contract.py."""

from __future__ import annotations

import importlib.util
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from ion_cli.cli import app
from ion_cli.testing.json_documents import check_document

TESTS = Path(__file__).resolve().parents[1]
DEMO = "integration/test_json_contract.py"  # the demo sequence, every step with --json
HERE = "cli/test_json_every_command.py"

# Where each command's documents are validated (a path under tests/).
VALIDATED: dict[str, str] = {
    **{
        path: DEMO
        for path in (
            "markets",
            "position",
            "supply",
            "redeem",
            "deposit",
            "borrow",
            "repay",
            "withdraw",
            "leverage",
            "deleverage",
            "apply",
            "risk",
            "restaking",
            "prove",
            "verify",
            "vaults",
            "liquidate",
            "watch",
            "submit",
            "devnet.up",
            "devnet.status",
            "devnet.advance",
            "devnet.slash",
            "devnet.avs-slash",
            "account.list",
            "account.show",
            "plugins.list",
            "plugins.check",
            "oracle.show",
            "oracle.update",
            "tx.list",
            "tx.status",
            "validators.show",
            "validators.summary",
        )
    },
    "challenge": "integration/test_challenge_devnet.py",
    "oracle.finalize": "integration/test_challenge_devnet.py",
    "devnet.penalize": "integration/test_devnet_beacon.py",
    "devnet.allocate": "integration/test_restaking_devnet.py",
    "devnet.safe": "integration/test_safe_devnet.py",
    "guard.add": "integration/test_guard_devnet.py",
    "guard.list": "integration/test_guard_devnet.py",
    "guard.remove": "integration/test_guard_devnet.py",
    "guard.history": "integration/test_guard_devnet.py",
    "guard.run": "integration/test_guard_devnet.py",
    "devnet.down": HERE,
    "devnet.reset": HERE,
    "account.new": HERE,
    "account.import": HERE,
    "account.remove": HERE,
    "tx.speedup": HERE,
    "tx.cancel": HERE,
}


def json_commands() -> set[str]:
    """Paths ("tx.speedup") of every command that takes --json."""
    import typer
    import typer.main

    found: set[str] = set()

    def walk(command: Any, path: tuple[str, ...]) -> None:
        if hasattr(command, "list_commands"):  # a group; lazy ones load commands when asked
            context = typer.Context(command)
            for name in command.list_commands(context):
                walk(command.get_command(context, name), (*path, name))
            return
        if any("--json" in getattr(p, "opts", ()) for p in command.params):
            found.add(".".join(path))

    walk(typer.main.get_command(app), ())
    return found


def test_every_json_command_is_listed() -> None:
    assert json_commands() == set(VALIDATED), "list each command's validating test in VALIDATED"


@pytest.mark.parametrize("path", sorted(VALIDATED))
def test_every_json_command_has_a_documented_schema(path: str) -> None:
    import jsonschema

    text = resources.files("ion_cli").joinpath("schemas", f"{path}.json").read_text()
    schema = json.loads(text)
    assert schema["$id"].startswith(f"ion.{path}/")
    assert schema["title"] == f"ion {path.replace('.', ' ')} --json"
    jsonschema.Draft202012Validator.check_schema(schema)


def _demo_commands() -> set[str]:
    spec = importlib.util.spec_from_file_location(
        "demo_sequence", TESTS / "integration/demo_sequence.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    paths = set()
    for step in module.STEPS:
        words = [a for a in step.args if not a.startswith(("-", "{"))]
        paths.update(".".join(words[:n]) for n in (1, 2))
    return paths


@pytest.mark.parametrize("path", sorted(VALIDATED))
def test_every_json_command_is_validated_by_a_test(path: str) -> None:
    where = TESTS / VALIDATED[path]
    text = where.read_text()
    if VALIDATED[path] == DEMO:
        assert path in _demo_commands(), f"{path} is not in the demo sequence"
        return
    assert "check_document" in text or "Draft202012Validator" in text, where
    assert f'"{path.split(".")[-1]}"' in text, f"{where} never runs {path}"


# ---- the commands that need no devnet: real documents, validated here


def ion(*args: str, codes: tuple[int, ...] = (0,)) -> Result:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.exit_code in codes, (args, result.exit_code, result.stdout, result.stderr)
    return result


def test_account_new_import_remove(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ION_SCRYPT_N", "16")
    password = tmp_path / "pw"
    password.write_text("pw\n")
    key = tmp_path / "key"
    key.write_text("0x" + "66" * 32 + "\n")
    keystore = ("--keystore", "--password-file", str(password))
    made = check_document(_json(ion("account", "new", "alice", *keystore)), "account.new")
    assert made["storage"] == "keystore" and made["keystore_path"]
    imported = _json(ion("account", "import", "bob", "--private-key-file", str(key), *keystore))
    check_document(imported, "account.import")
    removed = check_document(_json(ion("account", "remove", "alice", "--yes")), "account.remove")
    assert removed["removed"] == "alice" and removed["address"] == made["address"]


def test_devnet_down_and_reset_without_a_devnet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ION_DEVNET_DIR", str(tmp_path / "devnet"))
    down = check_document(_json(ion("devnet", "down")), "devnet.down")
    assert down == {"schema": "ion.devnet.down/1", "stopped": False, "pid": None}
    dry = check_document(_json(ion("devnet", "down", "--dry-run")), "devnet.down")
    assert dry["dry_run"] is True and dry["running"] is False
    reset = check_document(_json(ion("devnet", "reset", "--dry-run")), "devnet.reset")
    assert reset["would_delete"] == [] and reset["dry_run"] is True
    # the same without a devnet: up's and status's documents (status exits 5: not running)
    check_document(_json(ion("devnet", "up", "--dry-run")), "devnet.up")
    check_document(_json(ion("devnet", "status", codes=(5,))), "devnet.status")


@pytest.mark.parametrize(("name", "action"), [("speedup", "speed-up"), ("cancel", "cancel")])
def test_tx_speedup_and_cancel(name: str, action: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The replacement the API returns, through the command (a stuck transaction needs a node
    that does not mine: tests/faults covers the flow; here the document)."""
    from ion_cli.api import Ion
    from ion_cli.tx_results import Replacement

    old, new = "0x" + "ab" * 32, "0x" + "cd" * 32

    def replace(self: Ion, tx_hash: str, **_: Any) -> Replacement:
        return Replacement(action=action, replaced=tx_hash, by=new, nonce=7, block_number=9,
                           status="success")  # fmt: skip

    monkeypatch.setattr(Ion, name, replace)
    doc = check_document(_json(ion("tx", name, old, "--yes")), f"tx.{name}")
    assert doc["replaced"] == old and doc["by"] == new and doc["action"] == action


def _json(result: Result) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_the_checks_can_fail() -> None:
    """A float, a percent string, a missing field or another command's schema fails."""
    with pytest.raises(AssertionError, match="float"):
        check_document({"schema": "ion.devnet.down/1", "stopped": False, "pid": 0.5})
    with pytest.raises(AssertionError, match="percent"):
        check_document({"schema": "ion.devnet.down/1", "stopped": "5%", "pid": None})
    with pytest.raises(AssertionError):
        check_document({"schema": "ion.devnet.down/1", "stopped": False, "pid": None}, "tx.cancel")
    import jsonschema

    with pytest.raises(jsonschema.ValidationError):
        check_document({"schema": "ion.devnet.down/1", "pid": None})
