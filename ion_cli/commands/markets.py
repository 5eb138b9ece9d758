"""`ion markets`: every market's parameters, prices, supply, debt and rates."""

from __future__ import annotations

from typing import Any

import typer

from ion_cli.commands.base import GlobalOptions, command


def register(app: typer.Typer) -> None:
    @command(app, "markets")
    def markets(*, opts: GlobalOptions) -> None:
        """List the markets: LTV, thresholds, reserve rate, spot, supply, debt and rates."""
        from ion_cli.flows.markets import market_rows
        from ion_cli.flows.session import Session

        session = Session(network=opts.network, rpc_url=opts.rpc_url, account_name=opts.account)
        rows = market_rows(session)
        opts.output.result(rows, lambda console: _render(console, rows, session.profile.name))


def _render(console: Any, rows: list[dict[str, Any]], network: str) -> None:
    from rich import box
    from rich.table import Table

    from ion_cli.render import fmt_amount, fmt_pct

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
    for r in rows:
        table.add_row(
            f"{r['market']}/{r['base']}" + (" [red]paused[/red]" if r["paused"] else ""),
            fmt_pct(r["ltv"], 0),
            fmt_pct(r["liquidation_threshold"], 0),
            fmt_amount(r["reserve_exchange_rate"], 4),
            fmt_amount(r["total_supplied"], 1),
            fmt_amount(r["total_borrowed"], 1),
            fmt_pct(r["utilization"], 0),
            fmt_pct(r["borrow_apr"]),
            fmt_pct(r["supply_apy"]),
            fmt_amount(r["available_liquidity"], 0),
        )
    console.print(table)
    from ion_cli.commands.render_position import risk_text

    waiting = []
    for r in rows:
        risk = r.get("risk")
        if risk is None:
            continue
        if risk.get("accepted") or risk.get("error"):
            console.print(f"{r['market']} risk proof (zk): {risk_text(risk)}")
        else:
            waiting.append(r["market"])
    if waiting:
        console.print(f"no risk proof accepted yet for {', '.join(waiting)}")
    console.print(
        "[dim]LT: liquidation threshold; reserve: the exchange rate liquidations use; "
        "APR: borrow; APY: supply; free: liquidity. --json for every field.[/dim]"
    )
