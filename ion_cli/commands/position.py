"""`ion position [MARKET] [--address ADDR]`: the vault, its health and distance to liquidation."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import typer

from ion_cli.commands._write_options import _markets
from ion_cli.commands.base import GlobalOptions, command


def register(app: typer.Typer) -> None:
    @command(app, "position", rich_help_panel="Borrow")
    def position(
        market: Annotated[
            str | None,
            typer.Argument(
                help="Market (collateral symbol); all markets when left out.",
                autocompletion=lambda: _markets(),
                show_default=False,
            ),
        ] = None,
        address: Annotated[
            str | None,
            typer.Option(
                "--address", help="Address or account name to show (default: the account)."
            ),
        ] = None,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Show collateral, debt, health, leverage, LTV and the liquidation exchange rate."""
        from ion_cli.commands.render_position import render_positions

        api = opts.api()
        rows = [api.position(market, address)] if market else api.positions(address)
        data = rows[0] if market else rows

        def render(console: Any) -> None:
            from ion_cli.commands._restaking_note import note_line, restaking_note

            render_positions(console, rows)
            held = [r.market for r in rows if isinstance(r.collateral, Decimal) and r.collateral]
            for lrt in dict.fromkeys(held):
                line = note_line(restaking_note(opts, lrt))  # beside the validators' LRT
                if line:
                    console.print(f"{lrt} {line}")

        # every market's positions: a list (ion_cli/schemas/positions.json)
        opts.output.result(data, render, schema=None if market else "positions")
