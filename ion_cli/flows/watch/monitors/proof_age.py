"""The age of the latest risk proof each watched market's risk feed accepted: an alert when it is
older than --max-proof-age (once per staleness), an event when a fresh one ends it, and a
one-off note while the feed has accepted none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ion_cli.durations import compact
from ion_cli.flows.watch.events import WatchEvent
from ion_cli.flows.watch.monitor import BlockMonitor, register

if TYPE_CHECKING:
    from ion_cli.chain.market_state import MarketState
    from ion_cli.flows.watch.context import WatchContext


@dataclass(frozen=True, kw_only=True)
class ProofNone(WatchEvent):
    kind: ClassVar[str] = "proof_none"

    market: str
    block: int
    feed: str


@dataclass(frozen=True, kw_only=True)
class ProofStale(WatchEvent):
    kind: ClassVar[str] = "proof_age"
    alert: ClassVar[bool] = True

    market: str
    block: int
    feed: str
    age_seconds: int
    slot: int


@dataclass(frozen=True, kw_only=True)
class ProofFresh(WatchEvent):
    kind: ClassVar[str] = "proof_fresh"

    market: str
    block: int
    age_seconds: int


@register
class ProofAgeMonitor(BlockMonitor):
    name: ClassVar[str] = "proof_age"
    order: ClassVar[int] = 30

    @classmethod
    def wanted(cls, watch: WatchContext) -> bool:
        return bool(watch.markets) and watch.config.max_proof_age is not None

    def on_market(self, market: MarketState) -> list[WatchEvent]:
        watch = self.watch
        limit = watch.config.max_proof_age
        if limit is None:
            return []
        feed = getattr(watch.session.profile.market(market.symbol), "risk_feed", None)
        if not feed:
            return []
        from ion_cli.zk.feed import read_latest

        latest = read_latest(watch.session.reader(), feed, market.block)
        age = latest.age_seconds(market.timestamp)
        if age is None:
            # No proof yet: the oracle reads the protocol's rate alone. Said once, not an alert.
            return watch.condition(
                f"proof_none:{market.symbol}",
                True,
                ProofNone(
                    message=f"{market.symbol}: its risk feed has accepted no proof yet",
                    market=market.symbol,
                    block=market.block,
                    feed=feed,
                ),
                None,
            )
        watch.state.active.discard(f"chain:proof_none:{market.symbol}")
        return watch.condition(
            f"proof_age:{market.symbol}",
            age > limit,
            ProofStale(
                message=f"{market.symbol}: the latest accepted risk proof (slot {latest.slot}) "
                f"is {compact(age)} old, over --max-proof-age {compact(limit)}",
                market=market.symbol,
                block=market.block,
                feed=feed,
                age_seconds=age,
                slot=latest.slot,
            ),
            ProofFresh(
                message=f"{market.symbol}: a new risk proof was accepted (slot {latest.slot}, "
                f"{compact(age)} old)",
                market=market.symbol,
                block=market.block,
                age_seconds=age,
            ),
        )
