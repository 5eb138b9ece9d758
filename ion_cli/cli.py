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
    import importlib

    for module_name, sub_name in (
        ("devnet", "devnet"),
        ("account", "account"),
        ("plugins", "plugins"),
    ):
        try:
            module = importlib.import_module(f"ion_cli.commands.{module_name}")
        except ImportError:  # TODO(before stop): remove; tolerated only while modules land
            continue
        app.add_typer(module.app, name=sub_name)
    for module_name in ("markets", "position", "lend", "vault"):
        try:
            module = importlib.import_module(f"ion_cli.commands.{module_name}")
        except ImportError:
            continue
        module.register(app)


_register()


def main() -> None:
    app(prog_name="ion")
