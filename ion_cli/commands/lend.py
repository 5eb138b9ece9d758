"""Lender commands: `ion supply MARKET AMOUNT`, `ion redeem MARKET AMOUNT|all`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ion_cli.commands._write_options import (
    NEGATIVE_AMOUNTS,
    ApproveMax,
    Confirmations,
    MarketArg,
    PasswordFile,
    Timeout,
)
from ion_cli.commands.base import GlobalOptions, command


def register(app: typer.Typer) -> None:
    @command(app, "supply", rich_help_panel="Lend", context_settings=NEGATIVE_AMOUNTS)
    def supply(
        market: MarketArg,
        amount: Annotated[str, typer.Argument(help="Base asset to supply: 1.5, 1.5ether.")],
        approve_max: ApproveMax = False,
        password_file: PasswordFile = None,
        confirmations: Confirmations = 1,
        timeout: Timeout = 120.0,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Supply the market's base asset (wstETH or WETH) and earn the supply rate."""
        from ion_cli.amounts import parse_amount
        from ion_cli.commands.render_position import print_write_result
        from ion_cli.flows import lend

        value = parse_amount(amount)
        session, options = _prepare(opts, password_file, approve_max, False, confirmations, timeout)
        assert isinstance(value, int)
        result = lend.supply(session, market, value, options)
        print_write_result(opts, result)

    @command(app, "redeem", rich_help_panel="Lend", context_settings=NEGATIVE_AMOUNTS)
    def redeem(
        market: MarketArg,
        amount: Annotated[str, typer.Argument(help="Amount of base asset, or `all`.")],
        password_file: PasswordFile = None,
        confirmations: Confirmations = 1,
        timeout: Timeout = 120.0,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Withdraw supplied base asset (with the interest it earned)."""
        from ion_cli.amounts import parse_amount
        from ion_cli.commands.render_position import print_write_result
        from ion_cli.flows import lend

        value = parse_amount(amount, allow_all=True)
        session, options = _prepare(opts, password_file, False, False, confirmations, timeout)
        result = lend.redeem(session, market, value if isinstance(value, int) else None, options)
        print_write_result(opts, result)


def _prepare(
    opts: GlobalOptions,
    password_file: Any,
    approve_max: bool,
    force: bool,
    confirmations: int,
    timeout: float,
) -> tuple[Any, Any]:
    from ion_cli.flows.session import Session
    from ion_cli.flows.writes import WriteOptions

    session = Session(
        network=opts.network,
        rpc_url=opts.rpc_url,
        account_name=opts.account,
        password_file=password_file,
    )
    options = WriteOptions(
        output=opts.output,
        yes=opts.yes,
        dry_run=opts.dry_run,
        approve_max=approve_max,
        force=force,
        confirmations=confirmations,
        timeout=timeout,
    )
    return session, options
