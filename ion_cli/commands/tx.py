"""`ion tx`: the account's journaled transactions (list, status) and replacing a stuck one
(speedup, cancel: the same nonce at a higher fee, sent only when asked). Parse, call
`ion_cli.api`, render."""

# No `from __future__ import annotations`: typer reads these annotations at run time.

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ion_cli.commands.base import GlobalOptions, command

if TYPE_CHECKING:
    from ion_cli.tx_results import Transaction

app = typer.Typer(
    help="Transactions ion sent from the account: list, status, speed up or cancel.",
    no_args_is_help=True,
)

HashArg = Annotated[
    str, typer.Argument(help="Transaction hash (0x and 64 hex digits) or a unique prefix of it.")
]
WideFlag = Annotated[
    bool, typer.Option("--wide", help="One table row per transaction however wide it gets.")
]


def _render_rows(rows: "list[Transaction]", wide: bool) -> Any:
    def render(console: Any) -> None:
        from ion_cli.render import print_rows, readable

        if not rows:
            console.print("no transactions in the journal for this account and network")
            return
        print_rows(
            console,
            ("hash", "state", "plan", "step", "nonce", "block"),
            [
                (
                    row.hash,
                    row.state + (f" ({row.status})" if row.status else ""),
                    readable(row.title) or "-",
                    f"{row.step}/{row.steps}",
                    str(row.nonce),
                    str(row.block_number or "-"),
                )
                for row in rows
            ],
            wide=wide,
        )

    return render


@command(app, "list")
def list_(wide: WideFlag = False, *, opts: GlobalOptions) -> None:
    """The account's transactions on this network, newest first (checked against the node)."""
    rows = opts.api().transactions()
    opts.output.result(rows, _render_rows(rows, wide))


@command(app, "status")
def status(tx_hash: HashArg, wide: WideFlag = False, *, opts: GlobalOptions) -> None:
    """One journaled transaction: signed, sent, mined, replaced, dropped or reorged."""
    row = opts.api().transaction(tx_hash)
    opts.output.result(row, _render_rows([row], wide))


def _replace(opts: GlobalOptions, tx_hash: str, cancel: bool) -> None:
    api = opts.api()
    result = api.cancel(tx_hash) if cancel else api.speedup(tx_hash)
    opts.output.result(
        result,
        lambda console: console.print(
            f"{result.action} {result.by} mined in block {result.block_number} "
            f"({result.status}); {result.replaced} is replaced"
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
