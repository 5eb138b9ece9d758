"""The `ion markets` use case: read every market and shape its figures."""

from __future__ import annotations

from typing import Any

from ion_cli.flows.adapters import available_markets, lrt_eth_rate
from ion_cli.flows.figures import RAD, RAY, WAD, text
from ion_cli.flows.market_state import MarketState, read_markets
from ion_cli.flows.session import Session
from ion_cli.units import Rad, apy


def market_row(m: MarketState) -> dict[str, Any]:
    # Lenders earn the borrowers' interest spread over the supply, less the reserve share,
    # compounded like the pool (units.supply_rate, units.apy).
    borrow_apy = apy(m.borrow_per_second)
    supply_apy = apy(m.supply_per_second)
    return {
        "market": m.symbol,
        "collateral": m.symbol,
        "base": m.base_symbol,
        "pool": m.pool,
        "collateral_token": m.collateral_token,
        "base_token": m.base_token,
        "ltv": text(m.ltv, RAY),
        "liquidation_threshold": text(m.liquidation_threshold, RAY),
        "reserve_exchange_rate": text(m.reserve_rate, WAD),
        "price": text(m.price, WAD),
        "spot": text(m.spot, RAY),
        "total_supplied": text(m.total_supply, WAD),
        "total_borrowed": text(Rad(m.total_debt_rad).to_wad_down().value, WAD),
        "utilization": text(m.utilization_ray, RAY),
        "borrow_apr": text(m.borrow_apr_ray, RAY),
        "borrow_apy": format(borrow_apy.normalize(), "f"),
        "supply_apy": format(supply_apy.normalize(), "f"),
        "rate": text(m.rate, RAY),
        "debt_ceiling": text(m.debt_ceiling, RAD),
        "dust": text(m.dust, RAD),
        "supply_cap": text(m.supply_cap, WAD),
        "available_liquidity": text(m.liquidity, WAD),
        "paused": m.paused,
        "block": m.block,
    }


def market_rows(session: Session) -> list[dict[str, Any]]:
    states = read_markets(session.reader(), session.profile, available_markets(session))
    rows = []
    for state in states:
        row = market_row(state)
        # The token's own rate to ETH (from its adapter), beside the reserve rate in base units,
        # at the block of the other figures.
        row["lrt_eth_rate"] = text(lrt_eth_rate(session, state.symbol, state.block), WAD)
        rows.append(row)
    return rows
