"""The `ion markets` use case: read every market and shape its figures."""

from __future__ import annotations

from ion_cli.chain.market_state import MarketState, read_markets
from ion_cli.flows.figures import RAD, RAY, WAD, figure
from ion_cli.flows.installed import available_markets, lrt_eth_rate
from ion_cli.flows.position import liquidation_unknown
from ion_cli.flows.session import Session
from ion_cli.results import Market
from ion_cli.units import Rad, apy


def market_row(m: MarketState, network: str, lrt_eth_rate: int | None = None) -> Market:
    """One market's figures; the liquidation threshold is Unknown without a Liquidation address.
    `lrt_eth_rate` is the token's own rate to ETH from its adapter (None: it cannot say)."""
    # Lenders earn the borrowers' interest spread over the supply, less the reserve share,
    # compounded like the pool (units.supply_rate, units.apy).
    borrow_apy = apy(m.borrow_per_second)
    supply_apy = apy(m.supply_per_second)
    unknown = liquidation_unknown(network, m)
    return Market(
        market=m.symbol,
        collateral=m.symbol,
        base=m.base_symbol,
        pool=m.pool,
        collateral_token=m.collateral_token,
        base_token=m.base_token,
        ltv=figure(m.ltv, RAY),
        liquidation_threshold=unknown or figure(m.liquidation_threshold, RAY),
        reserve_exchange_rate=figure(m.reserve_rate, WAD),
        price=figure(m.price, WAD),
        spot=figure(m.spot, RAY),
        total_supplied=figure(m.total_supply, WAD),
        total_borrowed=figure(Rad(m.total_debt_rad).to_wad_down().value, WAD),
        utilization=figure(m.utilization_ray, RAY),
        borrow_apr=figure(m.borrow_apr_ray, RAY),
        borrow_apy=borrow_apy.normalize(),
        supply_apy=supply_apy.normalize(),
        rate=figure(m.rate, RAY),
        debt_ceiling=figure(m.debt_ceiling, RAD),
        dust=figure(m.dust, RAD),
        supply_cap=figure(m.supply_cap, WAD),
        available_liquidity=figure(m.liquidity, WAD),
        paused=m.paused,
        block=m.block,
        lrt_eth_rate=figure(lrt_eth_rate, WAD),
    )


def market_rows(session: Session) -> list[Market]:
    from dataclasses import replace

    from ion_cli.oracle_results import FeedScore
    from ion_cli.zk.feed import risk_views

    reader = session.reader()
    states = read_markets(reader, session.profile, available_markets(session))
    network = session.profile.name
    # The token's own rate to ETH (its adapter's) is read at the block of the other figures;
    # so is the latest zk risk score each reserve oracle's feed accepted (one batch for all).
    risks = (
        risk_views(
            reader,
            [session.profile.market(s.symbol).risk_feed for s in states],
            states[0].timestamp,
            states[0].block,
        )
        if states
        else []
    )
    return [
        replace(
            market_row(s, network, lrt_eth_rate(session, s.symbol, s.block)),
            risk=None if risk is None else FeedScore.of(risk),
        )
        for s, risk in zip(states, risks, strict=True)
    ]
