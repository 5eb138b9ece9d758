"""The `ion` entry point: assembles the thin command modules into one typer app.

Only light modules are imported here (typer, rich, the project's pure modules): `ion --help` and
shell completion must stay fast, so web3, eth_account, ezkl, httpx and keyring are imported inside
the functions that use them (enforced by ruff TID253 and tests/unit/test_startup.py).
"""

from __future__ import annotations

import typer

from ion_cli import __version__

app = typer.Typer(
    name="ion",
    help="Ion Protocol from the terminal: LRT lending, leverage, validators and risk proofs.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
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
    from ion_cli.commands import account, devnet, lend, markets, plugins, position, vault

    app.add_typer(devnet.app, name="devnet")
    app.add_typer(account.app, name="account")
    app.add_typer(plugins.app, name="plugins")
    markets.register(app)
    position.register(app)
    lend.register(app)
    vault.register(app)


_register()


def main() -> None:
    app(prog_name="ion")
