"""`ion liquidate MARKET VAULT [--max-repay AMOUNT]`: liquidate an unsafe vault as its keeper."""

from __future__ import annotations

from typing import Annotated

import typer

from ion_cli.commands._write_options import NEGATIVE_AMOUNTS, ApproveMax, MarketArg, run_write
from ion_cli.commands.base import GlobalOptions, command


def register(app: typer.Typer) -> None:
    @command(
        app,
        "liquidate",
        rich_help_panel="Keep",
        context_settings=NEGATIVE_AMOUNTS,
        signing=True,
        batch=True,
    )
    def liquidate(
        market: MarketArg,
        vault: Annotated[
            str,
            typer.Argument(
                help="The vault's owner: an address or an account name.", show_default=False
            ),
        ],
        max_repay: Annotated[
            str | None,
            typer.Option(
                "--max-repay",
                help="Refuse if the liquidation would repay more than this (base asset).",
                show_default=False,
            ),
        ] = None,
        approve_max: ApproveMax = False,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Preview, confirm and liquidate an unsafe vault: repay its debt for discounted
        collateral (normal, dust or confiscation branch, as the Liquidation contract does)."""
        run_write(
            opts,
            lambda ion: ion.liquidate(market, vault, max_repay=max_repay, approve_max=approve_max),
        )
