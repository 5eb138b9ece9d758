"""Each watched market's reserve oracle rate at each new block: an event when it moved."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from ion_cli.flows.figures import WAD, text
from ion_cli.flows.watch.events import WatchEvent
from ion_cli.flows.watch.monitor import BlockMonitor, register

if TYPE_CHECKING:
    from ion_cli.chain.market_state import MarketState
    from ion_cli.flows.watch.context import WatchContext


@dataclass(frozen=True, kw_only=True)
class ReserveRateMoved(WatchEvent):
    kind: ClassVar[str] = "reserve_rate"

    market: str
    block: int
    before: str | None
    after: str | None


@register
class ReserveRateMonitor(BlockMonitor):
    name: ClassVar[str] = "reserve_rate"
    order: ClassVar[int] = 20

    @classmethod
    def wanted(cls, watch: WatchContext) -> bool:
        return bool(watch.markets)

    def reset(self) -> None:
        self.watch.state.rates.clear()

    def on_market(self, market: MarketState) -> list[WatchEvent]:
        rates = self.watch.state.rates
        before = rates.get(market.symbol)
        rates[market.symbol] = market.reserve_rate
        if before is None or before == market.reserve_rate:
            return []
        change = Decimal(market.reserve_rate - before) / Decimal(before) if before else Decimal(0)
        return [
            ReserveRateMoved(
                message=f"{market.symbol}: the reserve exchange rate moved from "
                f"{text(before, WAD)} to {text(market.reserve_rate, WAD)} ({change:+.4%})",
                market=market.symbol,
                block=market.block,
                before=text(before, WAD),
                after=text(market.reserve_rate, WAD),
            )
        ]
