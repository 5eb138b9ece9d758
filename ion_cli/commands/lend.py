"""Lender commands: `ion supply MARKET AMOUNT`, `ion redeem MARKET AMOUNT|all`."""

from __future__ import annotations

from typing import Annotated

import typer

from ion_cli.commands._write_options import (
    NEGATIVE_AMOUNTS,
    ApproveMax,
    MarketArg,
    run_write,
)
from ion_cli.commands.base import GlobalOptions, command


def register(app: typer.Typer) -> None:
    @command(
        app,
        "supply",
        rich_help_panel="Lend",
        context_settings=NEGATIVE_AMOUNTS,
        signing=True,
        batch=True,
    )
    def supply(
        market: MarketArg,
        amount: Annotated[str, typer.Argument(help="Base asset to supply: 1.5, 1.5ether.")],
        approve_max: ApproveMax = False,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Supply the market's base asset (wstETH or WETH) and earn the supply rate."""
        run_write(opts, lambda ion: ion.supply(market, amount, approve_max=approve_max))

    @command(
        app,
        "redeem",
        rich_help_panel="Lend",
        context_settings=NEGATIVE_AMOUNTS,
        signing=True,
        batch=True,
    )
    def redeem(
        market: MarketArg,
        amount: Annotated[str, typer.Argument(help="Amount of base asset, or `all`.")],
        *,
        opts: GlobalOptions,
    ) -> None:
        """Withdraw supplied base asset (with the interest it earned)."""
        run_write(opts, lambda ion: ion.redeem(market, amount))
