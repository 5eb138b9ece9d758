"""Borrower commands: `ion deposit|borrow|repay|withdraw MARKET AMOUNT`; the tokens a
half-finished deposit left in the GemJoin: `ion deposit MARKET --finish` (into the vault) and
`ion withdraw MARKET --gem` (back to the wallet)."""

from __future__ import annotations

from typing import Annotated

import typer

from ion_cli.commands._write_options import (
    NEGATIVE_AMOUNTS,
    ApproveMax,
    Force,
    MarketArg,
    run_write,
)
from ion_cli.commands.base import GlobalOptions, command
from ion_cli.errors import UsageError


def register(app: typer.Typer) -> None:
    @command(
        app,
        "deposit",
        rich_help_panel="Borrow",
        context_settings=NEGATIVE_AMOUNTS,
        signing=True,
        batch=True,
    )
    def deposit(
        market: MarketArg,
        amount: Annotated[
            str | None, typer.Argument(help="Collateral to deposit: 1.5, 1.5ether.")
        ] = None,
        approve_max: ApproveMax = False,
        finish: Annotated[
            bool,
            typer.Option(
                "--finish",
                help="Deposit the tokens a half-finished deposit left in the GemJoin (no AMOUNT).",
            ),
        ] = False,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Deposit LRT collateral into your vault."""
        if finish:
            if amount is not None:
                raise UsageError("--finish deposits all the tokens in the GemJoin: give no AMOUNT")
            run_write(opts, lambda ion: ion.finish_deposit(market))
            return
        if amount is None:
            raise UsageError("give the AMOUNT to deposit (or --finish)")
        run_write(opts, lambda ion: ion.deposit(market, amount, approve_max=approve_max))

    @command(
        app,
        "borrow",
        rich_help_panel="Borrow",
        context_settings=NEGATIVE_AMOUNTS,
        signing=True,
        batch=True,
    )
    def borrow(
        market: MarketArg,
        amount: Annotated[str, typer.Argument(help="Base asset to borrow: 1.5, 1.5ether.")],
        force: Force = False,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Borrow the base asset against your collateral."""
        run_write(opts, lambda ion: ion.borrow(market, amount, force=force))

    @command(
        app,
        "repay",
        rich_help_panel="Borrow",
        context_settings=NEGATIVE_AMOUNTS,
        signing=True,
        batch=True,
    )
    def repay(
        market: MarketArg,
        amount: Annotated[
            str, typer.Argument(help="Base asset to repay, or `all` (exactly zero debt).")
        ],
        approve_max: ApproveMax = False,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Repay debt; `all` leaves exactly zero debt despite per-second interest."""
        run_write(opts, lambda ion: ion.repay(market, amount, approve_max=approve_max))

    @command(
        app,
        "withdraw",
        rich_help_panel="Borrow",
        context_settings=NEGATIVE_AMOUNTS,
        signing=True,
        batch=True,
    )
    def withdraw(
        market: MarketArg,
        amount: Annotated[
            str | None, typer.Argument(help="Collateral to withdraw, or `all`.")
        ] = None,
        force: Force = False,
        gem: Annotated[
            bool,
            typer.Option(
                "--gem",
                help="Return the tokens a half-finished deposit left in the GemJoin (no AMOUNT).",
            ),
        ] = False,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Withdraw collateral from your vault back to your wallet."""
        if gem:
            if amount is not None:
                raise UsageError("--gem returns all the tokens in the GemJoin: give no AMOUNT")
            run_write(opts, lambda ion: ion.return_gem(market))
            return
        if amount is None:
            raise UsageError("give the AMOUNT to withdraw, or `all` (or --gem)")
        run_write(opts, lambda ion: ion.withdraw(market, amount, force=force))
