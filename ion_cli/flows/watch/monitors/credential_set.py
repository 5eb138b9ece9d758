"""An event when a watched market's LRT credential set (read by its risk feed from the LRT's
contracts or its registry) is no longer the one the latest accepted proof snapshotted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ion_cli.errors import IonError
from ion_cli.flows.watch.events import WatchEvent
from ion_cli.flows.watch.monitor import BlockMonitor, register

if TYPE_CHECKING:
    from ion_cli.chain.market_state import MarketState
    from ion_cli.flows.watch.context import WatchContext


@dataclass(frozen=True, kw_only=True)
class CredentialSetChanged(WatchEvent):
    kind: ClassVar[str] = "credential_set_changed"

    market: str
    block: int
    feed: str
    source: str
    count: int
    snapshotted: str
    current: str


@register
class CredentialSetMonitor(BlockMonitor):
    name: ClassVar[str] = "credential_set"
    order: ClassVar[int] = 40

    @classmethod
    def wanted(cls, watch: WatchContext) -> bool:
        return bool(watch.markets)

    def on_market(self, market: MarketState) -> list[WatchEvent]:
        watch = self.watch
        feed = getattr(watch.session.profile.market(market.symbol), "risk_feed", None)
        if not feed:
            return []
        from ion_cli.keccak import keccak256
        from ion_cli.zk.feed import read_credentials, read_latest

        try:
            latest = read_latest(watch.session.reader(), feed, market.block)
            now = read_credentials(watch.session.reader(), feed, market.block)
        except IonError:
            return []  # a feed without credential sources (an older deployment)
        if not latest.accepted:
            return []
        packed = b"".join(bytes.fromhex(c[2:]) for c in now["credentials"])
        current = "0x" + keccak256(packed).hex()
        return watch.condition(
            f"credentials:{market.symbol}",
            current != latest.credentials_hash,
            CredentialSetChanged(
                message=f"{market.symbol}: its credential set ({now['source']}, {now['count']} "
                f"credentials) changed since the latest accepted proof (slot {latest.slot}); "
                "the next proof is judged against the new set",
                market=market.symbol,
                block=market.block,
                feed=feed,
                source=now["source"],
                count=now["count"],
                snapshotted=latest.credentials_hash,
                current=current,
            ),
            None,
        )
