"""The `ion markets` use case: read every market and shape its figures."""

from __future__ import annotations

from ion_cli.flows.adapters import available_markets, lrt_eth_rate
from ion_cli.flows.figures import RAD, RAY, WAD, text
from ion_cli.flows.market_state import MarketState, read_markets
from ion_cli.flows.position import liquidation_unknown
from ion_cli.flows.session import Session
from ion_cli.results import Market
from ion_cli.units import Ray, apy


def market_row(m: MarketState, network: str, lrt_eth_rate: int | None = None) -> Market:
    """One market's figures; the liquidation threshold is Unknown without a Liquidation address.
    `lrt_eth_rate` is the token's own rate to ETH from its adapter (None: it cannot say)."""
    borrow_per_second = m.borrow_rate - RAY
    # Lenders earn the borrowers' per-second interest spread over the supply, less the reserve
    # share: r_supply = r_borrow * utilization * (1 - reserve factor), compounded like the pool.
    supply_per_second = (
        borrow_per_second * m.utilization_ray // RAY * (RAY - m.reserve_factor) // RAY
    )
    borrow_apy = apy(Ray(borrow_per_second))
    supply_apy = apy(Ray(supply_per_second))
    unknown = liquidation_unknown(network, m)
    return Market(
        market=m.symbol,
        collateral=m.symbol,
        base=m.base_symbol,
        pool=m.pool,
        collateral_token=m.collateral_token,
        base_token=m.base_token,
        ltv=text(m.ltv, RAY),
        liquidation_threshold=unknown or text(m.liquidation_threshold, RAY),
        reserve_exchange_rate=text(m.reserve_rate, WAD),
        price=text(m.price, WAD),
        spot=text(m.spot, RAY),
        total_supplied=text(m.total_supply, WAD),
        total_borrowed=text(m.total_debt_rad // RAY, WAD),
        utilization=text(m.utilization_ray, RAY),
        borrow_apr=text(m.borrow_apr_ray, RAY),
        borrow_apy=format(borrow_apy.normalize(), "f"),
        supply_apy=format(supply_apy.normalize(), "f"),
        rate=text(m.rate, RAY),
        debt_ceiling=text(m.debt_ceiling, RAD),
        dust=text(m.dust, RAD),
        supply_cap=text(m.supply_cap, WAD),
        available_liquidity=text(m.liquidity, WAD),
        paused=m.paused,
        block=m.block,
        lrt_eth_rate=text(lrt_eth_rate, WAD),
    )


def market_rows(session: Session) -> list[Market]:
    from dataclasses import replace

    from ion_cli.zk.feed import risk_view

    listed = available_markets(session)
    states = read_markets(session.w3(), session.profile, listed)
    network = session.profile.name
    return [
        # The latest zk risk score the reserve oracle's feed accepted (markets with a feed).
        replace(
            market_row(s, network, lrt_eth_rate(session, s.symbol)),
            risk=risk_view(session.w3(), addresses.risk_feed, s.timestamp),
        )
        for s, addresses in zip(states, listed, strict=True)
    ]
