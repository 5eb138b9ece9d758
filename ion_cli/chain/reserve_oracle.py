"""A market's reserve oracle as the chain holds it: its state in one batch (then its counted
feeds), and what `updateExchangeRate()` would do now, computed from that state in exact
integers (the contract's own arithmetic), so a preview or a refusal during the cooldown can say
what the next update will do and when it is allowed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ion_cli.amounts import format_amount
from ion_cli.units import RAY, WAD

if TYPE_CHECKING:
    from ion_cli.chain.rpc import Reader

DEFAULT_COOLDOWN = 58 * 60
ZERO = "0x" + "00" * 20


def text(value: int, unit: int) -> str:
    """The exact decimal string of `value` in `unit` (WAD or RAY), as ion_cli.flows.figures."""
    return format_amount(value, 18 if unit == WAD else 27)


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


def read_oracle(reader: Reader, market: str, address: str, ilk_index: int = 0) -> OracleStatus:
    """The oracle's state at the latest block, in one batch (then its counted feeds)."""
    from ion_cli.chain.contracts import Contract, ReserveOracle

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
