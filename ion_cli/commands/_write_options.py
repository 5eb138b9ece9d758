"""Options shared by the write commands (beyond the global ones)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from ion_cli.commands.base import GlobalOptions

MarketArg = Annotated[
    str,
    typer.Argument(
        help="Market, by collateral symbol (weETH, rsETH, rswETH, ezETH); case-insensitive.",
        autocompletion=lambda: _markets(),
        show_default=False,
    ),
]
ApproveMax = Annotated[
    bool,
    typer.Option(
        "--approve-max", help="Approve an unlimited allowance instead of the exact amount."
    ),
]
Force = Annotated[
    bool,
    typer.Option("--force", help="Allow a position within the safety margin of liquidation."),
]


def _markets() -> list[str]:
    from ion_cli.completion_data import market_names

    return market_names()


# Lets "-1" reach the amount parser (which says negatives are not amounts) instead of being
# taken for an unknown option.
NEGATIVE_AMOUNTS = {"ignore_unknown_options": True}


def run_write(
    opts: GlobalOptions,
    flow: str,
    market: str,
    amount: str,
    *,
    allow_all: bool,
    approve_max: bool = False,
    force: bool = False,
) -> None:
    """The body every write command shares: parse the amount, build the session, run the flow
    (`"vault.borrow"` is `ion_cli.flows.vault.borrow`), print the resulting position."""
    from importlib import import_module

    from ion_cli.amounts import ALL, parse_amount
    from ion_cli.commands.render_position import print_write_result
    from ion_cli.flows.session import Session
    from ion_cli.flows.writes import WriteOptions

    value = parse_amount(amount, allow_all=allow_all)
    module_name, function_name = flow.split(".")
    run = getattr(import_module(f"ion_cli.flows.{module_name}"), function_name)
    session = Session(
        network=opts.network,
        rpc_url=opts.rpc_url,
        account_name=opts.account,
        password_file=opts.password_file,
    )
    from ion_cli.commands._observer import TerminalObserver, terminal_confirm

    options = WriteOptions(
        observer=TerminalObserver(opts.output),
        confirm=terminal_confirm,
        yes=opts.yes,
        dry_run=opts.dry_run,
        approve_max=approve_max,
        force=force,
        confirmations=opts.confirmations,
        timeout=opts.timeout,
    )
    from ion_cli.flows.tx import guarded_write

    amount_value = None if value is ALL else value
    document = guarded_write(
        session,
        options,
        intent=f"{flow} {market.strip().lower()} {'all' if amount_value is None else amount_value}",
        market=market,
        explicit_network=opts.network is not None,
        run_flow=lambda guarded: run(session, market, amount_value, guarded),
    )
    print_write_result(opts, document)
