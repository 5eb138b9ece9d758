"""`ion markets`: every market's parameters, prices, supply, debt and rates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from ion_cli.commands.base import GlobalOptions, command

if TYPE_CHECKING:
    from ion_cli.results import Market


def register(app: typer.Typer) -> None:
    @command(app, "markets")
    def markets(*, opts: GlobalOptions) -> None:
        """List the markets: LTV, thresholds, reserve rate, spot, supply, debt and rates."""
        api = opts.api()
        rows = api.markets()
        opts.output.result(rows, lambda console: _render(console, rows, api.network))


def _render(console: Any, rows: list[Market], network: str) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from ion_cli.render import fmt_amount, fmt_pct
    from ion_cli.results import Unknown

    table = Table(
        title=f"Ion markets on {network}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        collapse_padding=True,
    )
    headers = (
        "market",
        "LTV",
        "LT",
        "reserve",
        "supplied",
        "borrowed",
        "util",
        "APR",
        "APY",
        "free",
    )
    for header in headers:
        table.add_column(header, justify="left" if header == "market" else "right", no_wrap=True)
    unknown: list[str] = []
    for r in rows:
        lt = r.liquidation_threshold
        if isinstance(lt, Unknown):
            unknown.append(f"{r.market} LT: {lt.text}")
        table.add_row(
            f"{r.market}/{r.base}" + (" [red]paused[/red]" if r.paused else ""),
            fmt_pct(r.ltv, 0),
            "unknown" if isinstance(lt, Unknown) else fmt_pct(lt, 0),
            fmt_amount(r.reserve_exchange_rate, 4),
            fmt_amount(r.total_supplied, 1),
            fmt_amount(r.total_borrowed, 1),
            fmt_pct(r.utilization, 0),
            fmt_pct(r.borrow_apr),
            fmt_pct(r.supply_apy),
            fmt_amount(r.available_liquidity, 0),
        )
    console.print(table)
    for line in unknown:  # too long for a cell: the reason and the fix below the table
        console.print(escape(line))
    from ion_cli.commands.render_position import risk_text

    waiting = []
    for r in rows:
        risk = r.risk
        if risk is None:
            continue
        if risk.accepted or risk.error:
            console.print(escape(f"{r.market} risk proof (zk): {risk_text(dict(risk.document))}"))
        else:
            waiting.append(r.market)
    if waiting:
        console.print(f"no risk proof accepted yet for {', '.join(waiting)}")
    console.print(
        "[dim]LT: liquidation threshold; reserve: the exchange rate liquidations use; "
        "APR: borrow; APY: supply; free: liquidity. --json for every field.[/dim]"
    )
