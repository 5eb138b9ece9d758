"""`ion oracle show|update MARKET`: the market's reserve oracle (anyone may update it)."""

from __future__ import annotations

from typing import Any

import typer

from ion_cli.commands._write_options import MarketArg
from ion_cli.commands.base import GlobalOptions, command
from ion_cli.render import fmt_amount

app = typer.Typer(
    help="The reserve oracles: the exchange rate liquidations use, and its updates.",
    no_args_is_help=True,
)


@command(app, "show")
def show(market: MarketArg, *, opts: GlobalOptions) -> None:
    """The reserve rate, its target (protocol rate and feeds), the clamp and the cooldown."""
    data = opts.api().oracle(market)
    opts.output.result(data, lambda console: render_status(console, data))


@command(app, "update", signing=True)
def update(market: MarketArg, *, opts: GlobalOptions) -> None:
    """Call the reserve oracle's updateExchangeRate() (anyone may, once per cooldown)."""
    result = opts.api().update_oracle(market)

    def render(console: Any) -> None:
        before, after = result.before, result.after
        if after is None:
            console.print("[bold]dry run[/bold]: simulated, nothing sent")
            if before is not None:
                render_status(console, before)
            return
        if before is None:  # an earlier run's update, found mined
            console.print("the update sent by an earlier run is mined")
            render_status(console, after)
            return
        console.print(
            f"reserve rate {fmt_amount(before['current_rate'], 6)} -> "
            f"{fmt_amount(after['current_rate'], 6)}"
        )
        render_status(console, after)

    opts.output.result(result, render)


def render_status(console: Any, s: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title=f"{s['market']} reserve oracle {s['reserve_oracle']}", show_header=False)
    table.add_row("reserve rate", fmt_amount(s["current_rate"], 6))
    table.add_row("protocol rate", fmt_amount(s["protocol_rate"], 6))
    counted = s["feeds"][: s["quorum"]]
    for address, rate in zip(counted, s["feed_rates"], strict=True):
        table.add_row("feed", address)  # the address whole, in the wide column
        table.add_row("  its rate", fmt_amount(rate, 6))
    table.add_row("target", fmt_amount(s["target_rate"], 6))
    lower, upper = s["clamp_bounds"]
    table.add_row(
        "one update may move it to",
        f"{fmt_amount(lower, 6)} .. {fmt_amount(upper, 6)} "
        f"(max change {fmt_amount(str(float(s['max_change']) * 100), 2)}%)",
    )
    table.add_row("next update gives", fmt_amount(s["next_rate"], 6))
    if s["updates_to_target"] > 1:
        table.add_row("updates to reach the target", str(s["updates_to_target"]))
    if s.get("never_updated"):
        table.add_row("last updated", "never (since deployment)")
    wait = s["seconds_until_next_update"]
    table.add_row(
        "next update allowed",
        "now" if s["can_update"] else f"in {wait // 60} min {wait % 60} s",
    )
    console.print(table)
