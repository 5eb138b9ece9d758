"""The reserve oracle of a market: its state, what an update would do, and the update itself.

`updateExchangeRate()` is open to anyone once per cooldown; the new rate is the lower of the
LRT protocol's rate and the mean of the counted feeds, moved at most MAX_CHANGE of the current
rate. `oracle_status` computes the same in Python (exact integers) so that a preview, or a
refusal during the cooldown, can say what the next update will do and when it is allowed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ion_cli.chain.plan import Call, Plan
from ion_cli.chain.reserve_oracle import DEFAULT_COOLDOWN, OracleStatus, read_oracle
from ion_cli.durations import spaced
from ion_cli.errors import IonError, RefusedError
from ion_cli.flows.figures import RAY, WAD, text
from ion_cli.flows.session import Session
from ion_cli.flows.writes import WriteOptions, run_plan

if TYPE_CHECKING:
    from ion_cli.results import OracleUpdateResult, WriteResult

__all__ = ["DEFAULT_COOLDOWN", "OracleStatus", "read_oracle"]  # moved to chain.reserve_oracle


def market_oracle(session: Session, symbol: str) -> OracleStatus:
    market = session.profile.market(symbol)
    address = session.profile.address(market, "reserve_oracle")
    return read_oracle(session.reader(), market.symbol, address, market.ilk_index)


def update_call(status: OracleStatus) -> Call:
    from ion_cli.chain.contracts import ReserveOracle

    return ReserveOracle(status.address).updateExchangeRate(
        description=(
            f"update the {status.market} reserve rate "
            f"{text(status.current_rate, WAD)} -> {text(status.next_rate, WAD)}"
        )
    )


def cooldown_message(status: OracleStatus) -> str:
    wait = status.next_update_at - status.now
    return (
        f"the {status.market} reserve oracle was updated at block time {status.last_updated}; "
        f"the cooldown ({status.cooldown // 60} min) allows the next update at "
        f"{status.next_update_at} (in {spaced(wait)})"
    )


def show(session: Session, symbol: str) -> dict[str, Any]:
    data = market_oracle(session, symbol).to_json()
    feed = getattr(session.profile.market(symbol), "risk_feed", None)
    if feed:
        from ion_cli.zk.feed import read_credentials

        try:
            data["risk_feed_credentials"] = read_credentials(session.reader(), feed)
        except IonError as exc:  # a feed without credential sources (older deployment)
            data["risk_feed_credentials"] = {"error": exc.message}
    return data


def update(session: Session, symbol: str, options: WriteOptions) -> OracleUpdateResult:
    """Send `updateExchangeRate()`; refuses (sending nothing) while the cooldown runs."""
    from ion_cli.oracle_results import OracleView
    from ion_cli.results import OracleUpdateResult

    before = market_oracle(session, symbol)
    if not before.can_update:
        raise RefusedError(cooldown_message(before))
    plan = Plan(
        title=f"Update the {before.market} reserve exchange rate",
        calls=[update_call(before)],
        summary={
            "current rate": _wad(before.current_rate),
            "target": _wad(before.target),
            "new rate": _wad(before.next_rate) + _clamp_note(before),
        },
        json_summary={"action": "oracle.update", "market": before.market},
    )
    result = run_plan(session, plan, options)
    return OracleUpdateResult(
        plan=plan.to_json(),
        dry_run=options.dry_run,
        execution=result,
        position=None,
        before=OracleView.of(before.to_json()),
        after=None if options.dry_run else OracleView.of(market_oracle(session, symbol).to_json()),
    )


def completed(session: Session, symbol: str, done: WriteResult) -> OracleUpdateResult:
    """An update an earlier, interrupted run sent (found mined by the journal): read back."""
    from ion_cli.oracle_results import OracleView
    from ion_cli.results import OracleUpdateResult

    return OracleUpdateResult(
        plan=done.plan,
        dry_run=False,
        execution=done.execution,
        position=None,
        after=OracleView.of(market_oracle(session, symbol).to_json()),
    )


def _wad(value: int) -> str:
    return text(value, WAD) or "0"


def _clamp_note(status: OracleStatus) -> str:
    if status.next_rate == status.target:
        return ""
    pct = status.max_change * 100 / RAY
    return f" (clamped to {pct:g}% per update; {status.updates_to_target()} updates to the target)"
