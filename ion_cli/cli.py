"""The `ion` entry point: one typer app whose commands are built on demand.

`ion --help` and shell completion list the commands from ion_cli.command_table (names and
one-line help) without importing any command module; running a command imports its module only
and builds only its commands (typer's building evaluates every parameter of every function it
is given: all 40 commands cost about 30 ms). Only light modules are imported here (typer, the
project's pure modules): web3, eth_account, ezkl, httpx and keyring are imported inside the
functions that use them (enforced by ruff TID253 and tests/unit/test_startup.py).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from ion_cli import __version__
from ion_cli.command_table import COMMANDS
from ion_cli.output import error_line

if TYPE_CHECKING:
    from typer._click import Command, Context, HelpFormatter
    from typer._click.shell_completion import CompletionItem


class IonGroup(TyperGroup):
    """Usage errors as one line on stderr (like every other ion error), not a framed box."""

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        if args is not None and any("\x00" in str(a) for a in args):
            # (no real command line holds one; the in-process API and tests can, and path
            # checks of the option parser would fail with a bare ValueError)
            error_line("an argument holds a NUL byte")
            sys.exit(2)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except NoArgsIsHelpError as exc:  # `ion` or `ion devnet` alone: that group's help
            sys.stdout.write(exc.format_message() + "\n")
            sys.exit(exc.exit_code)
        except UsageError as exc:
            where = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
            error_line(exc.format_message() + where)
            sys.exit(exc.exit_code)
        except ClickException as exc:
            error_line(exc.format_message())
            sys.exit(exc.exit_code)
        except typer.Abort:
            error_line("aborted")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


class LazyIonGroup(IonGroup):
    """The root group: lists commands from the static table, builds one when it is asked for."""

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            for name, command in build_module(COMMANDS[cmd_name].module, cmd_name).items():
                self.commands.setdefault(name, command)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        from typer._click.utils import make_default_short_help

        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, make_default_short_help(e.help, limit)) for name, e in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def shell_complete(self, ctx: Context, incomplete: str) -> list[CompletionItem]:
        from typer._click.core import Command as BaseCommand
        from typer._click.shell_completion import CompletionItem

        found = [
            CompletionItem(name, help=entry.help)
            for name, entry in COMMANDS.items()
            if name.startswith(incomplete)
        ]
        found.extend(BaseCommand.shell_complete(self, ctx, incomplete))  # the root's options
        return found

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        from typer._click.exceptions import UsageError

        try:
            return self._click_resolve_command(ctx, args)
        except UsageError as exc:
            from difflib import get_close_matches

            matches = get_close_matches(args[0], list(COMMANDS)) if args else []
            if matches:
                suggestions = ", ".join(f"{m!r}" for m in matches)
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {suggestions}?"
            raise


def build_module(module: str, only: str | None = None) -> dict[str, Command]:
    """The click commands one module of ion_cli.commands defines, built as the root app would
    (same typer settings), by name; with `only`, just that command of a module of plain commands
    (`ion leverage` need not build deleverage and apply: building evaluates every parameter)."""
    import importlib

    import typer.main

    loaded = importlib.import_module(f"ion_cli.commands.{module}")
    holder = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)
    groups = [n for n, e in COMMANDS.items() if e.module == module and e.kind == "group"]
    if groups:
        holder.add_typer(loaded.app, name=groups[0])
    else:
        loaded.register(holder)
        if only is not None:
            holder.registered_commands = [
                info
                for info in holder.registered_commands
                if (
                    info.name or typer.main.get_command_name(getattr(info.callback, "__name__", ""))
                )
                == only
            ]
    return dict(typer.main.get_group(holder).commands)


app = typer.Typer(
    name="ion",
    cls=LazyIonGroup,
    help="Ion Protocol from the terminal: LRT lending, leverage, validators and risk proofs.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ion {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Ion Protocol from the terminal."""


def main() -> None:
    from ion_cli import codecache
    from ion_cli.output import guard_standard_streams

    # Before the command's modules build their dataclasses; not for help, the version or
    # completion (reading the table costs more than the few classes they build).
    args = set(sys.argv[1:])
    if args and not args & {"--help", "-h", "--version"} and "_ION_COMPLETE" not in os.environ:
        codecache.install()
    guard_standard_streams()
    app(prog_name="ion")
