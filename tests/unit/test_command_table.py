"""The static command table (ion_cli.command_table) against the commands themselves: the same
names in the same order, the same one-line help, and `ion --help` / `ion X --help` printing
exactly what a tree built eagerly from every command module prints."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from ion_cli import cli
from ion_cli.command_table import COMMANDS


def _eager_app() -> typer.Typer:
    """The tree as ion built it before: every module registered up front."""
    app = typer.Typer(
        name="ion",
        cls=cli.IonGroup,
        help=cli.app.info.help,
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(cli._root)
    seen: set[str] = set()
    for name, entry in COMMANDS.items():
        if entry.module in seen:
            continue
        seen.add(entry.module)
        module = importlib.import_module(f"ion_cli.commands.{entry.module}")
        if entry.kind == "group":
            app.add_typer(module.app, name=name)
        else:
            module.register(app)
    return app


def test_the_table_names_every_command_with_its_help() -> None:
    import pkgutil

    import ion_cli.commands as package

    eager = typer.main.get_command(_eager_app())
    assert isinstance(eager, typer.core.TyperGroup)
    built = {n: c.get_short_help_str(10**6) for n, c in eager.commands.items()}
    assert {n: e.help for n, e in COMMANDS.items()} == built
    # every command module with commands is in the table (a new one must be added there)
    modules = {m.name for m in pkgutil.iter_modules(package.__path__)}
    with_commands = set()
    for m in modules - {"base"}:
        if m.startswith("_"):
            continue
        loaded = importlib.import_module(f"ion_cli.commands.{m}")
        if hasattr(loaded, "register") or isinstance(getattr(loaded, "app", None), typer.Typer):
            with_commands.add(m)
    listed = {e.module for e in COMMANDS.values()}
    folder = Path(package.__path__[0])
    sources = " ".join((folder / f"{m}.py").read_text() for m in listed)
    # the rest are parts of a listed group (e.g. devnet_restaking, registered by devnet)
    unlisted = {m for m in with_commands - listed if f"commands.{m}" not in sources}
    unlisted = {m for m in unlisted if f"import {m}" not in sources}
    assert not unlisted, f"add these command modules to ion_cli/command_table.py: {unlisted}"


@pytest.mark.parametrize("args", [["--help"], *[[name, "--help"] for name in COMMANDS]])
def test_help_is_what_the_eager_tree_prints(args: list[str]) -> None:
    runner = CliRunner()
    lazy = runner.invoke(cli.app, args, prog_name="ion")
    eager = runner.invoke(_eager_app(), args, prog_name="ion")
    assert lazy.exit_code == eager.exit_code == 0
    assert lazy.output == eager.output


def test_a_typo_is_suggested_from_the_table() -> None:
    result = CliRunner().invoke(cli.app, ["borow"], prog_name="ion")
    assert result.exit_code == 2
    assert "Did you mean 'borrow'" in result.output


def test_running_a_command_builds_only_its_module() -> None:
    import subprocess
    import sys

    code = (
        "import sys, ion_cli.cli as c\n"
        "sys.argv = ['ion', 'verify', '--help']\n"
        "try:\n    c.main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('ion_cli.commands.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = eval(done.stdout.strip().splitlines()[-1])
    assert "ion_cli.commands.verify" in loaded
    others = {f"ion_cli.commands.{e.module}" for e in COMMANDS.values()} - {
        "ion_cli.commands.verify"
    }
    assert not others & set(loaded), loaded


def test_a_command_is_built_alone_and_every_command_still_resolves() -> None:
    """Running `ion leverage` builds leverage only, not deleverage and apply from the same
    module (issue 20: building evaluates every parameter); each name still builds on demand."""
    from ion_cli.cli import build_module

    assert list(build_module("leverage", "leverage")) == ["leverage"]
    assert {"leverage", "deleverage"} <= set(build_module("leverage"))
    for name, entry in COMMANDS.items():
        assert name in build_module(entry.module, name), name
