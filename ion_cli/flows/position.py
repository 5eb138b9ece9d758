"""Positions: read a vault and turn it, with its market, into the figures a borrower needs.

Two distances to liquidation matter for an LRT: borrowing is limited by the spot (LTV x the
lower of market price and reserve rate), but liquidation looks only at the reserve (consensus
layer / protocol) exchange rate. So `health` is measured against the reserve rate and the
liquidation threshold, exactly as the Liquidation contract computes it, and the position says
at which reserve exchange rate the vault would be liquidated."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from ion_cli import position_math as pm
from ion_cli.chain import market_state as chain_vaults
from ion_cli.chain.market_state import MarketState, VaultState, read_market, read_markets
from ion_cli.errors import RefusedError
from ion_cli.flows.figures import RAY, WAD, exact, figure
from ion_cli.flows.installed import available_markets, require_market
from ion_cli.flows.session import Session
from ion_cli.results import Position, Unknown


def snapshot(market: MarketState, vault: VaultState) -> pm.PositionSnapshot:
    """The pure model of this vault. Without a known Liquidation contract (some mainnet
    markets) the terms are placeholders and `position_figures` withholds what depends on them."""
    terms = pm.LiquidationTerms(
        liquidation_threshold=market.liquidation_threshold or 0,
        target_health=market.target_health or RAY,
        base_discount=market.base_discount or 0,
        max_discount=market.max_discount or 0,
    )
    return pm.PositionSnapshot(
        collateral=vault.collateral,
        normalized_debt=vault.normalized_debt,
        rate=market.rate,
        spot=market.spot,
        exchange_rate=market.reserve_rate,
        ltv=market.ltv,
        dust=market.dust,
        terms=terms,
        market_price=market.price,
    )


def liquidation_unknown(network: str, market: MarketState) -> Unknown | None:
    """Why the liquidation figures of `market` cannot be computed, or None when they can."""
    if market.liquidation_threshold is not None:
        return None
    return Unknown.missing_address(network, market.symbol, "liquidation", "Liquidation")


def position_figures(
    market: MarketState, vault: VaultState, margin: Decimal, network: str
) -> Position:
    """Every figure of `ion position` (amounts as exact decimal strings in token units), with
    the borrow and withdraw limits that the safety `margin` allows. Figures that need the
    Liquidation contract are `Unknown` when the profile `network` lacks its address."""
    margin_ray = int(margin * RAY)
    unknown = liquidation_unknown(network, market)
    f = snapshot(market, vault).figures().to_json()
    c, nd, rate, lt = (
        vault.collateral,
        vault.normalized_debt,
        market.rate,
        market.liquidation_threshold,
    )
    safe_borrow: Decimal | Unknown | None
    safe_withdraw: Decimal | Unknown | None
    if lt is not None:
        args = (c, nd, rate, market.spot, market.reserve_rate, lt, margin_ray)
        safe_borrow = figure(min(pm.max_extra_borrow_within_margin(*args), market.liquidity), WAD)
        safe_withdraw = figure(pm.max_withdraw_within_margin(*args), WAD)
    else:
        safe_borrow = safe_withdraw = unknown

    def known(value: Any) -> Any:
        return value if unknown is None else unknown

    def known_with_debt(value: Any) -> Any:
        # without debt "no debt" (None) and "not liquidatable" are facts, whatever the terms
        return value if nd == 0 else known(value)

    return Position(
        market=market.symbol,
        base=market.base_symbol,
        address=vault.address,
        collateral=f["collateral"],
        normalized_debt=f["normalized_debt"],
        debt=f["debt"],
        collateral_value=f["collateral_value"],
        health=known_with_debt(f["health"]),
        health_spot=f["health_spot"],
        leverage=f["leverage"],
        ltv=f["loan_to_value"],
        max_ltv=f["max_loan_to_value"],
        liquidation_threshold=known(f["liquidation_threshold"]),
        reserve_exchange_rate=f["exchange_rate"],
        market_price=figure(market.price, WAD),
        liquidation_exchange_rate=known_with_debt(f["liquidation_exchange_rate"]),
        drop_to_liquidation=known_with_debt(f["exchange_rate_drop_to_liquidation"]),
        min_safe_price=f["min_safe_price"],
        price_drop_to_borrow_limit=f["price_drop_to_borrow_limit"],
        max_borrow=figure(
            min(pm.max_extra_borrow(c, nd, rate, market.spot), market.liquidity), WAD
        ),
        max_withdraw=f["max_withdraw"],
        max_borrow_safe=safe_borrow,
        max_withdraw_safe=safe_withdraw,
        safety_margin=margin,
        dusty=f["dusty"],
        liquidatable=known_with_debt(bool(f["liquidatable"])),
        liquidation=known_with_debt(f["liquidation"]),
        supplied=figure(vault.supplied, WAD),
        gem=figure(vault.gem, WAD),
        block=market.block,
    )


def safety_check(market: MarketState, after: VaultState, margin: Decimal, network: str) -> None:
    """Refuse a change that leaves liquidation health below 1 + margin (unless --force), and
    one whose health cannot be known (no Liquidation address): that is not "safe"."""
    unknown = liquidation_unknown(network, market)
    if unknown is not None:
        raise RefusedError(
            f"cannot check the safety margin: the liquidation health is {unknown.text}; "
            "pass --force to go by the pool's own limit"
        )
    model = snapshot(market, after)
    if model.breaches_margin(int(margin * RAY)):
        health = model.health()
        assert health is not None
        raise RefusedError(
            f"the vault would have liquidation health {exact(health, RAY):.4f}, within the safety "
            f"margin (minimum {1 + margin:.4f}); pass --force to do it anyway"
        )


def positions(session: Session, symbol: str | None, who: str | None) -> list[Position]:
    """The position in one market, or in every market where the address has one (collateral,
    debt or supply): an empty vault in each market would only be noise."""
    from ion_cli.zk.feed import risk_views

    reader = session.reader()
    address = session.address_of(who)
    margin, network = session.safety_margin, session.profile.name

    def with_risks(rows: list[tuple[Position, MarketState]]) -> list[Position]:
        # The latest zk risk score each market's reserve oracle feed accepted (where one
        # exists), read for all the rows in one batch at the markets' block.
        if not rows:
            return []
        feeds = [session.profile.market(m.symbol).risk_feed for _, m in rows]
        first = rows[0][1]
        risks = risk_views(reader, feeds, first.timestamp, first.block)
        return [replace(row, risk=risk) for (row, _), risk in zip(rows, risks, strict=True)]

    if symbol:
        market = read_market(reader, session.profile, require_market(session, symbol))
        vault = chain_vaults.read_vault(reader, session.profile, market, address)
        row = position_figures(market, vault, margin, network)
        return with_risks([(row, market)])
    found = []
    markets = read_markets(reader, session.profile, available_markets(session))
    vaults = chain_vaults.read_vaults(reader, session.profile, markets, address)
    for market, vault in zip(markets, vaults, strict=True):
        if vault.collateral or vault.normalized_debt or vault.supplied or vault.gem:
            found.append((position_figures(market, vault, margin, network), market))
    return with_risks(found)
