"""`ion vaults MARKET [--unsafe]`: every vault of a market, with collateral, debt and health."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ion_cli.commands._write_options import MarketArg
from ion_cli.commands.base import GlobalOptions, command

if TYPE_CHECKING:
    from ion_cli.api.reads import VaultList


def register(app: typer.Typer) -> None:
    @command(app, "vaults", rich_help_panel="Keep")
    def vaults(
        market: MarketArg,
        unsafe: Annotated[
            bool, typer.Option("--unsafe", help="Only the vaults that can be liquidated now.")
        ] = False,
        *,
        opts: GlobalOptions,
    ) -> None:
        """List every vault of a market (found from the pool's events), sorted by health."""
        result = opts.api().vaults(market, unsafe=unsafe)
        opts.output.result(result, lambda console: _render(console, result))


def _render(console: Any, result: VaultList) -> None:
    from rich import box
    from rich.table import Table

    from ion_cli.render import fmt_amount

    what = "liquidatable vaults" if result.unsafe_only else "vaults"
    table = Table(
        title=(
            f"{result.market} {what} at block {result.block} (debt in {result.base}; reserve "
            f"rate {fmt_amount(result.reserve_exchange_rate, 6)})"
        ),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        collapse_padding=True,
    )
    for header in ("vault", "collateral", "debt", "health", "liquidation"):
        table.add_column(header, justify="left" if header == "vault" else "right")
    table.columns[0].no_wrap = True
    for v in result.vaults:
        liq = v.liquidation
        if liq.outcome == "confiscate":
            cell = "[red]confiscation[/red]"
        elif v.liquidatable:
            cell = f"[red]repay {fmt_amount(liq.repay_amount, 4)}[/red]"
        else:
            cell = "-"
        table.add_row(
            v.address,
            fmt_amount(v.collateral, 4),
            fmt_amount(v.debt, 4),
            "no debt" if v.health is None else fmt_amount(v.health, 4, down=True),
            cell,
        )
    if not result.vaults:
        console.print(f"no {what} in the {result.market} market ({result.known_vaults} known)")
        return
    console.print(table)
    console.print(
        "[dim]health: at the reserve rate (below 1: liquidatable; repay: what the keeper pays); "
        f"`ion liquidate {result.market} VAULT` takes one. --json for every field.[/dim]"
    )
