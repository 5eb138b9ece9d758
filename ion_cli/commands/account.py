"""`ion account`: named accounts (new, import, list, show, remove).

Thin: parse, call ion_cli.accounts.manager, render. Keys are never printed and never taken as a
command-line argument; passwords come from --password-file, ION_PASSWORD or a hidden prompt.
"""

# No `from __future__ import annotations`: typer reads these annotations at run time.

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ion_cli.accounts import devnet_account
from ion_cli.commands.base import GlobalOptions, command
from ion_cli.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from ion_cli.accounts.registry import AccountRecord

app = typer.Typer(
    help="Named accounts: keys in the OS keyring, else encrypted keystore files.",
    no_args_is_help=True,
)


def _complete_names() -> list[str]:
    from ion_cli.completion_data import account_names

    return account_names()


NameArgument = Annotated[
    str, typer.Argument(help="Account name.", show_default=False, autocompletion=_complete_names)
]
NewNameArgument = Annotated[
    str,
    typer.Argument(help="Account name: 1-64 letters, digits, '_', '.', '-'.", show_default=False),
]
# Other commands that sign may reuse this option (and pass it to resolve_account).
PasswordFileOption = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        envvar="ION_PASSWORD_FILE",
        help="File holding the keystore password (else ION_PASSWORD, else a hidden prompt).",
        dir_okay=False,
        show_default=False,
    ),
]
KeystoreFlag = Annotated[
    bool,
    typer.Option(
        "--keystore",
        help="Store the key in an encrypted keystore file even if an OS keyring works "
        "(also: ION_KEYSTORE_ONLY=1).",
    ),
]


def _location(record: "AccountRecord") -> str:
    if record.keystore_path is not None:
        return record.keystore_path
    from ion_cli.accounts.keyring_store import SERVICE

    return f"OS keyring ({SERVICE}/{record.name})"


def _entry(record: "AccountRecord") -> dict[str, Any]:
    return {
        "name": record.name,
        "address": record.address,
        "storage": record.storage,
        "keystore_path": record.keystore_path,
        "created": record.created,
    }


def _dev_entry() -> dict[str, Any]:
    return {
        "name": devnet_account.DEV_ACCOUNT_NAME,
        "address": devnet_account.DEV_ACCOUNT_ADDRESS,
        "storage": "devnet",
        "keystore_path": None,
        "created": None,
    }


def _render_fields(data: dict[str, Any], location: str) -> "Any":
    def render(console: "Console") -> None:
        from rich.markup import escape
        from rich.table import Table

        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold")
        table.add_column()
        table.add_row("name", escape(str(data["name"])))
        table.add_row("address", str(data["address"]))
        table.add_row("storage", str(data["storage"]))
        table.add_row("location", escape(location))
        if data.get("created"):
            table.add_row("created", str(data["created"]))
        console.print(table)

    return render


def _report(opts: GlobalOptions, record: "AccountRecord", *, created: bool = False) -> None:
    if created and record.keystore_path is not None:  # a file written: named, and what next
        opts.output.wrote(record.keystore_path, f"ion account show {record.name}")
    opts.output.result(_entry(record), _render_fields(_entry(record), _location(record)))


@command(app, "new")
def new(
    name: NewNameArgument,
    keystore: KeystoreFlag = False,
    password_file: PasswordFileOption = None,
    *,
    opts: GlobalOptions,
) -> None:
    """Create an account with a fresh random key (the key is never shown)."""
    from ion_cli.accounts import manager
    from ion_cli.commands._prompts import terminal_sources

    record = manager.create(
        name,
        keystore_only=keystore,
        password_file=password_file,
        notify=opts.output.info,
        sources=terminal_sources(),
    )
    _report(opts, record, created=True)


@command(app, "import")
def import_(
    name: NewNameArgument,
    private_key_file: Annotated[
        Path | None,
        typer.Option(
            "--private-key-file",
            help="File holding the hex private key ('-' reads standard input).",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    keystore_file: Annotated[
        Path | None,
        typer.Option(
            "--keystore-file",
            help="An Ethereum keystore v3 JSON file (unlocked with its password).",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    keystore: KeystoreFlag = False,
    password_file: PasswordFileOption = None,
    stray: Annotated[list[str] | None, typer.Argument(hidden=True, show_default=False)] = None,
    *,
    opts: GlobalOptions,
) -> None:
    """Import a key from a file, a keystore file, or a hidden prompt (never from an argument)."""
    from ion_cli.accounts import keys, manager
    from ion_cli.commands._prompts import terminal_sources

    sources = terminal_sources()
    if stray:
        # Deliberately not echoed: the stray argument is most likely the key itself.
        raise UsageError(
            "a private key is never accepted as an argument (it may now be in your shell "
            "history): use --private-key-file FILE, --keystore-file FILE or the prompt"
        )
    if private_key_file is not None and keystore_file is not None:
        raise UsageError("pass only one of --private-key-file and --keystore-file")
    common: dict[str, Any] = {
        "keystore_only": keystore,
        "password_file": password_file,
        "notify": opts.output.info,
        "sources": sources,
    }
    if keystore_file is not None:
        record = manager.import_keystore_file(name, keystore_file, **common)
    else:
        manager.check_new_name(name)  # before asking for a key we would then refuse
        if private_key_file is not None:
            key = keys.read_private_key_file(private_key_file)
        else:
            key = keys.prompt_private_key(name, sources=sources)
        record = manager.import_key(name, key, **common)
    _report(opts, record, created=True)


@command(app, "list")
def list_(*, opts: GlobalOptions) -> None:
    """List accounts: name, address, storage (`dev` is the devnet's built-in account)."""
    from ion_cli.accounts import manager

    rows = [_entry(record) for record in manager.list_accounts()]
    rows.append(_dev_entry())

    def render(console: "Console") -> None:
        from rich.table import Table

        table = Table(box=None, pad_edge=False, header_style="bold")
        table.add_column("name")
        table.add_column("address")
        table.add_column("storage")
        for row in rows:
            storage = "devnet only" if row["storage"] == "devnet" else row["storage"]
            table.add_row(row["name"], row["address"], storage)
        console.print(table)

    opts.output.result(rows, render)


@command(app, "show")
def show(name: NameArgument, *, opts: GlobalOptions) -> None:
    """Show an account's address and where its key is kept."""
    from ion_cli.accounts import registry

    record = registry.get(name)
    if record is None and name == devnet_account.DEV_ACCOUNT_NAME:
        entry = _dev_entry()
        opts.output.result(entry, _render_fields(entry, "built in (anvil account 0), devnet only"))
        return
    _report(opts, registry.require(name))


@command(app, "remove")
def remove(name: NameArgument, *, opts: GlobalOptions) -> None:
    """Delete an account and its key (asks first unless --yes)."""
    from ion_cli.accounts import manager, prompts, registry

    record = registry.get(name)
    if record is None and name == devnet_account.DEV_ACCOUNT_NAME:
        raise UsageError("dev is the devnet's built-in account; there is nothing to remove")
    record = registry.require(name)
    if not opts.yes:
        prompts.confirm(
            f"Remove account {name} ({record.address}) and delete its key? "
            "Without a backup it cannot be recovered",
            hint=f"pass --yes to remove account {name}",
        )
    manager.remove(name, notify=opts.output.warn)
    result = {"removed": name, "address": record.address, "storage": record.storage}
    opts.output.result(
        result, lambda console: console.print(f"removed account {name} ({record.address})")
    )
