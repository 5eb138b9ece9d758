"""The reserve oracle of a market: its state, what an update would do, and the update itself.

`updateExchangeRate()` is open to anyone once per cooldown; the new rate is the lower of the
LRT protocol's rate and the mean of the counted feeds, moved at most MAX_CHANGE of the current
rate. `oracle_status` computes the same in Python (exact integers) so that a preview, or a
refusal during the cooldown, can say what the next update will do and when it is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ion_cli.chain.plan import Call, Plan
from ion_cli.durations import spaced
from ion_cli.errors import IonError, RefusedError
from ion_cli.flows.figures import RAY, WAD, text
from ion_cli.flows.session import Session
from ion_cli.flows.writes import WriteOptions, run_plan

if TYPE_CHECKING:
    from ion_cli.results import OracleUpdateResult, WriteResult

DEFAULT_COOLDOWN = 58 * 60
ZERO = "0x" + "00" * 20


@dataclass(frozen=True)
class OracleStatus:
    market: str
    address: str
    current_rate: int  # WAD
    protocol_rate: int  # WAD
    feed_rates: tuple[int, ...]  # WAD, the counted feeds (first QUORUM)
    feeds: tuple[str, ...]  # all three slots (zero address when empty)
    quorum: int
    max_change: int  # RAY fraction
    cooldown: int  # seconds
    last_updated: int
    now: int  # the latest block's time

    @property
    def target(self) -> int:
        """The unclamped rate an update aims at: min(protocol rate, mean of counted feeds)."""
        target = self.protocol_rate
        if self.quorum and self.feed_rates:
            mean = sum(self.feed_rates) // self.quorum
            target = min(target, mean)
        return target

    @property
    def max_delta(self) -> int:
        return self.current_rate * self.max_change // RAY  # rayMulDown

    @property
    def bounds(self) -> tuple[int, int]:
        return self.current_rate - self.max_delta, self.current_rate + self.max_delta

    @property
    def next_rate(self) -> int:
        """What `updateExchangeRate()` would set now (the target clamped to the bounds)."""
        lower, upper = self.bounds
        return min(max(self.target, lower), upper)

    @property
    def next_update_at(self) -> int:
        return self.last_updated + self.cooldown

    @property
    def can_update(self) -> bool:
        return self.now >= self.next_update_at

    def reads_feed(self, feed: str) -> bool:
        counted = self.feeds[: self.quorum]
        return any(f.lower() == feed.lower() for f in counted)

    def updates_to_target(self) -> int:
        """How many updates (one per cooldown) the clamp needs to reach the target."""
        rate, steps = self.current_rate, 0
        target = self.target
        while rate != target and steps < 1000:
            delta = rate * self.max_change // RAY
            if delta == 0:
                break
            rate = max(target, rate - delta) if target < rate else min(target, rate + delta)
            steps += 1
        return steps

    def to_json(self) -> dict[str, Any]:
        lower, upper = self.bounds
        return {
            "market": self.market,
            "reserve_oracle": self.address,
            "current_rate": text(self.current_rate, WAD),
            "protocol_rate": text(self.protocol_rate, WAD),
            "feeds": list(self.feeds),
            "quorum": self.quorum,
            "feed_rates": [text(r, WAD) for r in self.feed_rates],
            "target_rate": text(self.target, WAD),
            "max_change": text(self.max_change, RAY),
            "clamp_bounds": [text(lower, WAD), text(upper, WAD)],
            "next_rate": text(self.next_rate, WAD),
            "updates_to_target": self.updates_to_target(),
            "last_updated": self.last_updated,
            # 0: never updated since deployment (the public oracle, and the reference, start
            # there), so the first update is allowed at once.
            "never_updated": self.last_updated == 0,
            "cooldown_seconds": self.cooldown,
            "next_update_at": self.next_update_at,
            "seconds_until_next_update": max(0, self.next_update_at - self.now),
            "can_update": self.can_update,
            "block_time": self.now,
        }


def read_oracle(source: Any, market: str, address: str, ilk_index: int = 0) -> OracleStatus:
    """The oracle's state at the latest block, in one batch (then its counted feeds)."""
    from ion_cli.chain.contracts import Contract, ReserveOracle
    from ion_cli.chain.rpc import as_reader

    reader = as_reader(source)
    action = f"reading the {market} reserve oracle"
    oracle = ReserveOracle(address)
    block = reader.block("latest")
    at = block["number"]
    quorum, feed0, feed1, feed2, current, protocol, max_change, last = reader.read(
        [
            oracle.QUORUM(),
            oracle.FEED0(),
            oracle.FEED1(),
            oracle.FEED2(),
            oracle.currentExchangeRate(),
            oracle.getProtocolExchangeRate(),
            oracle.MAX_CHANGE(),
            oracle.lastUpdated(),
        ],
        at,
        action,
    )
    feeds = (str(feed0), str(feed1), str(feed2))
    counted = [Contract(f, interface="ReserveFeed").getExchangeRate(ilk_index) for f in feeds]
    feed_rates = reader.read(counted[: int(quorum)], at, action) if int(quorum) else []
    return OracleStatus(
        market=market,
        address=address,
        current_rate=int(current),
        protocol_rate=int(protocol),
        feed_rates=tuple(int(r) for r in feed_rates),
        feeds=feeds,
        quorum=int(quorum),
        max_change=int(max_change),
        # The protocol's documented cooldown (the published interface has no getter for it).
        cooldown=DEFAULT_COOLDOWN,
        last_updated=int(last),
        now=int(block["timestamp"]),
    )


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
        before=before.to_json(),
        after=None if options.dry_run else market_oracle(session, symbol).to_json(),
    )


def completed(session: Session, symbol: str, done: WriteResult) -> OracleUpdateResult:
    """An update an earlier, interrupted run sent (found mined by the journal): read back."""
    from ion_cli.results import OracleUpdateResult

    return OracleUpdateResult(
        plan=done.plan,
        dry_run=False,
        execution=done.execution,
        position=None,
        after=market_oracle(session, symbol).to_json(),
    )


def _wad(value: int) -> str:
    return text(value, WAD) or "0"


def _clamp_note(status: OracleStatus) -> str:
    if status.next_rate == status.target:
        return ""
    pct = status.max_change * 100 / RAY
    return f" (clamped to {pct:g}% per update; {status.updates_to_target()} updates to the target)"
