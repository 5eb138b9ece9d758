"""Borrower commands: `ion deposit|borrow|repay|withdraw MARKET AMOUNT`."""

from __future__ import annotations

from typing import Annotated

import typer

from ion_cli.commands._write_options import (
    NEGATIVE_AMOUNTS,
    ApproveMax,
    Confirmations,
    Force,
    MarketArg,
    PasswordFile,
    Timeout,
)
from ion_cli.commands.base import GlobalOptions, command
from ion_cli.commands.lend import _prepare


def register(app: typer.Typer) -> None:
    @command(app, "deposit", rich_help_panel="Borrow", context_settings=NEGATIVE_AMOUNTS)
    def deposit(
        market: MarketArg,
        amount: Annotated[str, typer.Argument(help="Collateral to deposit: 1.5, 1.5ether.")],
        approve_max: ApproveMax = False,
        password_file: PasswordFile = None,
        confirmations: Confirmations = 1,
        timeout: Timeout = 120.0,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Deposit LRT collateral into your vault."""
        from ion_cli.amounts import parse_amount
        from ion_cli.commands.render_position import print_write_result
        from ion_cli.flows import vault

        value = parse_amount(amount)
        session, options = _prepare(opts, password_file, approve_max, False, confirmations, timeout)
        assert isinstance(value, int)
        print_write_result(opts, vault.deposit(session, market, value, options))

    @command(app, "borrow", rich_help_panel="Borrow", context_settings=NEGATIVE_AMOUNTS)
    def borrow(
        market: MarketArg,
        amount: Annotated[str, typer.Argument(help="Base asset to borrow: 1.5, 1.5ether.")],
        force: Force = False,
        password_file: PasswordFile = None,
        confirmations: Confirmations = 1,
        timeout: Timeout = 120.0,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Borrow the base asset against your collateral."""
        from ion_cli.amounts import parse_amount
        from ion_cli.commands.render_position import print_write_result
        from ion_cli.flows import vault

        value = parse_amount(amount)
        session, options = _prepare(opts, password_file, False, force, confirmations, timeout)
        assert isinstance(value, int)
        print_write_result(opts, vault.borrow(session, market, value, options))

    @command(app, "repay", rich_help_panel="Borrow", context_settings=NEGATIVE_AMOUNTS)
    def repay(
        market: MarketArg,
        amount: Annotated[
            str, typer.Argument(help="Base asset to repay, or `all` (exactly zero debt).")
        ],
        approve_max: ApproveMax = False,
        password_file: PasswordFile = None,
        confirmations: Confirmations = 1,
        timeout: Timeout = 120.0,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Repay debt; `all` leaves exactly zero debt despite per-second interest."""
        from ion_cli.amounts import parse_amount
        from ion_cli.commands.render_position import print_write_result
        from ion_cli.flows import vault

        value = parse_amount(amount, allow_all=True)
        session, options = _prepare(opts, password_file, approve_max, False, confirmations, timeout)
        print_write_result(
            opts, vault.repay(session, market, value if isinstance(value, int) else None, options)
        )

    @command(app, "withdraw", rich_help_panel="Borrow", context_settings=NEGATIVE_AMOUNTS)
    def withdraw(
        market: MarketArg,
        amount: Annotated[str, typer.Argument(help="Collateral to withdraw, or `all`.")],
        force: Force = False,
        password_file: PasswordFile = None,
        confirmations: Confirmations = 1,
        timeout: Timeout = 120.0,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Withdraw collateral from your vault back to your wallet."""
        from ion_cli.amounts import parse_amount
        from ion_cli.commands.render_position import print_write_result
        from ion_cli.flows import vault

        value = parse_amount(amount, allow_all=True)
        session, options = _prepare(opts, password_file, False, force, confirmations, timeout)
        print_write_result(
            opts,
            vault.withdraw(session, market, value if isinstance(value, int) else None, options),
        )
