"""The `ion` entry point: assembles the thin command modules into one typer app.

Only light modules are imported here (typer, rich, the project's pure modules): `ion --help` and
shell completion must stay fast, so web3, eth_account, ezkl, httpx and keyring are imported inside
the functions that use them (enforced by ruff TID253 and tests/unit/test_startup.py).
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.core import TyperGroup

from ion_cli import __version__
from ion_cli.output import error_line


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


app = typer.Typer(
    name="ion",
    cls=IonGroup,
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


def _register() -> None:
    from ion_cli.commands import (
        account,
        devnet,
        lend,
        leverage,
        liquidate,
        markets,
        oracle,
        plugins,
        position,
        prove,
        risk,
        submit,
        tx,
        validators,
        vault,
        vaults,
        verify,
        watch,
    )

    app.add_typer(devnet.app, name="devnet")
    app.add_typer(account.app, name="account")
    app.add_typer(plugins.app, name="plugins")
    app.add_typer(oracle.app, name="oracle")
    app.add_typer(tx.app, name="tx")
    app.add_typer(validators.app, name="validators")
    markets.register(app)
    position.register(app)
    lend.register(app)
    vault.register(app)
    leverage.register(app)
    risk.register(app)
    prove.register(app)
    verify.register(app)
    vaults.register(app)
    liquidate.register(app)
    watch.register(app)
    submit.register(app)


_register()


def main() -> None:
    from ion_cli.output import guard_standard_streams

    guard_standard_streams()
    app(prog_name="ion")
