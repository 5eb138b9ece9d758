"""`ion tx`: the account's journaled transactions (list, status) and replacing a stuck one
(speedup, cancel: the same nonce at a higher fee, sent only when asked)."""

# No `from __future__ import annotations`: typer reads these annotations at run time.

from typing import Annotated, Any

import typer

from ion_cli.commands.base import GlobalOptions, command

app = typer.Typer(
    help="Transactions ion sent from the account: list, status, speed up or cancel.",
    no_args_is_help=True,
)

HashArg = Annotated[str, typer.Argument(help="Transaction hash (0x and 64 hex digits).")]


def _session(opts: GlobalOptions) -> Any:
    return opts.session()


def _render_rows(rows: list[dict[str, Any]]) -> Any:
    def render(console: Any) -> None:
        from rich.table import Table

        if not rows:
            console.print("no transactions in the journal for this account and network")
            return
        table = Table(show_header=True)
        for column in ("hash", "state", "plan", "step", "nonce", "block"):
            table.add_column(column)
        for row in rows:
            state = row["state"] + (f" ({row['status']})" if row["status"] else "")
            table.add_row(
                row["hash"],
                state,
                row["title"] or "-",
                f"{row['step']}/{row['steps']}",
                str(row["nonce"]),
                str(row["block_number"] or "-"),
            )
        console.print(table)

    return render


@command(app, "list")
def list_(*, opts: GlobalOptions) -> None:
    """The account's transactions on this network, newest first (checked against the node)."""
    from ion_cli.flows.tx import list_transactions

    rows = list_transactions(_session(opts))
    opts.output.result(rows, _render_rows(rows))


@command(app, "status")
def status(tx_hash: HashArg, *, opts: GlobalOptions) -> None:
    """One journaled transaction: signed, sent, mined, replaced, dropped or reorged."""
    from ion_cli.flows.tx import transaction_status

    row = transaction_status(_session(opts), tx_hash)
    opts.output.result(row, _render_rows([row]))


def _replace(opts: GlobalOptions, tx_hash: str, cancel: bool) -> None:
    from ion_cli.commands._observer import terminal_confirm
    from ion_cli.flows.tx import replace_transaction
    from ion_cli.flows.writes import WriteOptions

    options = WriteOptions(
        observer=opts.observer(),
        confirm=terminal_confirm,
        yes=opts.yes,
        confirmations=opts.confirmations,
        timeout=opts.timeout,
    )
    result = replace_transaction(_session(opts), tx_hash, cancel=cancel, options=options)
    opts.output.result(
        result,
        lambda console: console.print(
            f"{result['action']} {result['by']} mined in block {result['block_number']} "
            f"({result['status']}); {result['replaced']} is replaced"
        ),
    )


@command(app, "speedup", signing=True)
def speedup(tx_hash: HashArg, *, opts: GlobalOptions) -> None:
    """Resend a pending transaction with the same nonce at a higher fee."""
    _replace(opts, tx_hash, cancel=False)


@command(app, "cancel", signing=True)
def cancel(tx_hash: HashArg, *, opts: GlobalOptions) -> None:
    """Replace a pending transaction by a 0-ETH transfer to yourself with the same nonce."""
    _replace(opts, tx_hash, cancel=True)
