"""With --market and no --address (a keeper's watch): each market's vaults that became
liquidatable at each new block, one alert per vault until it is not liquidatable any more."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from ion_cli.flows.watch.events import WatchEvent
from ion_cli.flows.watch.monitor import BlockMonitor, register

if TYPE_CHECKING:
    from ion_cli.chain.market_state import MarketState
    from ion_cli.flows.watch.context import WatchContext


@dataclass(frozen=True, kw_only=True)
class Liquidatable(WatchEvent):
    kind: ClassVar[str] = "liquidatable"
    alert: ClassVar[bool] = True

    market: str
    address: str
    block: int
    health: str | None
    liquidation: dict[str, Any]


@register
class LiquidatableMonitor(BlockMonitor):
    name: ClassVar[str] = "liquidatable"
    order: ClassVar[int] = 60

    @classmethod
    def wanted(cls, watch: WatchContext) -> bool:
        return watch.config.keeps_vaults and bool(watch.markets)

    def describe(self) -> str | None:
        return f"liquidatable vaults of {', '.join(self.watch.markets)}"

    def on_block(self, markets: list[MarketState]) -> list[WatchEvent]:
        events: list[WatchEvent] = []
        for market in markets:
            events += self._market(market)
        return events

    def _market(self, market: MarketState) -> list[WatchEvent]:
        from ion_cli.addresses import to_checksum
        from ion_cli.flows.vaults import read_vault_balances, update_index, vault_row

        if market.liquidation_threshold is None:
            return []
        watch = self.watch
        reader = watch.session.reader()
        index = update_index(
            reader, watch.session.profile.chain_id, market.pool, market.ilk_index, market.block
        )
        events: list[WatchEvent] = []
        for owner, collateral, nd in read_vault_balances(
            reader, market, sorted(index.owners or ())
        ):
            row = vault_row(market, to_checksum(owner), collateral, nd)
            events += watch.condition(
                f"liquidatable:{market.symbol}:{owner}",
                row.liquidatable,
                Liquidatable(
                    message=f"the {market.symbol} vault of {row.address} is liquidatable (health "
                    f"{Decimal(row.health or 0):.4f}; repay {row.liquidation['repay_amount']} "
                    f"{market.base_symbol}): `ion liquidate {market.symbol} {row.address}`",
                    market=market.symbol,
                    address=row.address,
                    block=market.block,
                    health=row.health,
                    liquidation=row.liquidation,
                ),
                None,
            )
        return events
