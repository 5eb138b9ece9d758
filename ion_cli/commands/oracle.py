"""`ion oracle show|update MARKET`: the market's reserve oracle (anyone may update it)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ion_cli.commands._write_options import MarketArg
from ion_cli.commands.base import GlobalOptions, command
from ion_cli.render import fmt_amount

if TYPE_CHECKING:
    from ion_cli.oracle_results import FeedSubmission, OracleView

app = typer.Typer(
    help="The reserve oracles: the exchange rate liquidations use, and its updates.",
    no_args_is_help=True,
)


@command(app, "show")
def show(market: MarketArg, *, opts: GlobalOptions) -> None:
    """The reserve rate, its target (protocol rate and feeds), the clamp and the cooldown."""
    api = opts.api()
    view = api.oracle(market)
    pending = _pending(api, market)
    if pending is not None:
        view = view.with_pending(pending)
    opts.output.result(view, lambda console: _render_show(console, view))


def _pending(api: Any, market: str) -> list[FeedSubmission] | None:
    """The market feed's pending submissions (None: the market has no permissionless feed)."""
    from ion_cli.errors import IonError

    try:
        return list(api.pending_submissions(market))
    except IonError:
        return None


def _render_show(console: Any, view: OracleView) -> None:
    render_status(console, view)
    if view.pending is not None:
        render_pending(console, view.pending)


def render_pending(console: Any, rows: Sequence[FeedSubmission]) -> None:
    if not rows:
        console.print("no pending risk submissions")
        return
    from rich.table import Table

    table = Table(title="pending risk submissions (challengeable until their deadline)")
    for name in ("id", "slot", "haircut", "submitter", "bond (ETH)", "deadline", "state"):
        table.add_column(name)
    for r in rows:
        left = r.seconds_left or 0
        state = "finalizable now" if r.finalizable else f"{left // 60} min {left % 60} s left"
        table.add_row(
            str(r.id),
            str(r.slot),
            fmt_amount(r.haircut, 6),
            r.submitter,
            fmt_amount(Decimal(r.bond_wei).scaleb(-18), 6),
            str(r.deadline),
            state,
        )
    console.print(table)


@command(app, "finalize", signing=True)
def finalize(
    market: MarketArg,
    submission: Annotated[
        str | None,
        typer.Argument(
            help="The submission's id (default: every pending one whose window has passed).",
            show_default=False,
        ),
    ] = None,
    *,
    opts: GlobalOptions,
) -> None:
    """Finalize risk submissions whose challenge window passed (anyone may): the newest becomes
    the feed's score, which the reserve rate reads."""
    from ion_cli.commands._write_options import failure_document
    from ion_cli.commands.challenge import parse_submission
    from ion_cli.errors import IonError

    wanted = parse_submission(submission)
    try:
        result = opts.api().finalize(market, wanted)
    except IonError as exc:
        if opts.json:
            opts.output.result(failure_document(opts, exc))
        raise

    def render(console: Any) -> None:
        if result.dry_run:
            console.print("[bold]dry run[/bold]: finalize simulated; nothing was sent")
            return
        for s in result.submissions:
            console.print(
                f"submission {s.id} (slot {s.slot}): {s.status}, haircut {fmt_amount(s.haircut, 6)}"
            )

    opts.output.result(result, render)


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
            f"reserve rate {fmt_amount(before.current_rate, 6)} -> "
            f"{fmt_amount(after.current_rate, 6)}"
        )
        render_status(console, after)

    opts.output.result(result, render)


def render_status(console: Any, s: OracleView) -> None:
    from rich.table import Table

    table = Table(title=f"{s.market} reserve oracle {s.reserve_oracle}", show_header=False)
    table.add_row("reserve rate", fmt_amount(s.current_rate, 6))
    table.add_row("protocol rate", fmt_amount(s.protocol_rate, 6))
    counted = s.feeds[: s.quorum]
    for address, rate in zip(counted, s.feed_rates, strict=True):
        table.add_row("feed", address)  # the address whole, in the wide column
        table.add_row("  its rate", fmt_amount(rate, 6))
    table.add_row("target", fmt_amount(s.target_rate, 6))
    lower, upper = s.clamp_bounds
    table.add_row(
        "one update may move it to",
        f"{fmt_amount(lower, 6)} .. {fmt_amount(upper, 6)} "
        f"(max change {fmt_amount(s.max_change * 100, 2)}%)",
    )
    table.add_row("next update gives", fmt_amount(s.next_rate, 6))
    if s.updates_to_target > 1:
        table.add_row("updates to reach the target", str(s.updates_to_target))
    if s.never_updated:
        table.add_row("last updated", "never (since deployment)")
    wait = s.seconds_until_next_update
    table.add_row(
        "next update allowed",
        "now" if s.can_update else f"in {wait // 60} min {wait % 60} s",
    )
    console.print(table)
