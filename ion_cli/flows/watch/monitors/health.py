"""The health of each watched vault (--address) in the watched markets at each new block: an
alert when it falls under --min-health (once, until it recovers), an event when it recovers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from ion_cli import position_math as pm
from ion_cli.flows.figures import RAY, text
from ion_cli.flows.watch.events import WatchEvent
from ion_cli.flows.watch.monitor import BlockMonitor, register

if TYPE_CHECKING:
    from ion_cli.chain.market_state import MarketState
    from ion_cli.flows.watch.context import WatchContext


@dataclass(frozen=True, kw_only=True)
class HealthLow(WatchEvent):
    kind: ClassVar[str] = "health"
    alert: ClassVar[bool] = True

    market: str
    address: str
    block: int
    health: str | None
    min_health: str
    liquidatable: bool


@dataclass(frozen=True, kw_only=True)
class HealthRecovered(WatchEvent):
    kind: ClassVar[str] = "health_recovered"

    market: str
    address: str
    block: int
    health: str | None
    min_health: str
    liquidatable: bool


@register
class HealthMonitor(BlockMonitor):
    name: ClassVar[str] = "health"
    order: ClassVar[int] = 50

    @classmethod
    def wanted(cls, watch: WatchContext) -> bool:
        return bool(watch.markets and watch.addresses)

    def describe(self) -> str | None:
        watch = self.watch
        return f"vaults of {', '.join(watch.addresses)} in {', '.join(watch.markets)}"

    def on_block(self, markets: list[MarketState]) -> list[WatchEvent]:
        events: list[WatchEvent] = []
        for address in self.watch.addresses:
            events += self._positions(markets, address)
        return events

    def _positions(self, markets: list[MarketState], address: str) -> list[WatchEvent]:
        from ion_cli.chain.market_state import read_vaults

        watch = self.watch
        events: list[WatchEvent] = []
        session = watch.session
        vaults = read_vaults(session.reader(), session.profile, markets, address)
        for market, vault in zip(markets, vaults, strict=True):
            if market.liquidation_threshold is None:
                continue
            h = pm.health(
                vault.collateral,
                vault.normalized_debt,
                market.rate,
                market.reserve_rate,
                market.liquidation_threshold,
            )
            shown = text(h, RAY) if h is not None else None
            liquidatable = h is not None and h < RAY
            fields: dict[str, Any] = {
                "market": market.symbol,
                "address": address,
                "block": market.block,
                "health": shown,
                "min_health": format(watch.config.min_health, "f"),
                "liquidatable": liquidatable,
            }
            where = f"{market.symbol} vault of {address}"
            events += watch.condition(
                f"health:{market.symbol}:{address.lower()}",
                h is not None and h < watch.min_health,
                HealthLow(
                    message=f"the {where} has health {Decimal(shown or 0):.4f}, under "
                    f"--min-health {watch.config.min_health}"
                    + (" (liquidatable)" if liquidatable else ""),
                    **fields,
                ),
                HealthRecovered(
                    message=f"the {where} is back above --min-health "
                    f"({'no debt' if shown is None else f'{Decimal(shown):.4f}'})",
                    **fields,
                ),
            )
        return events
