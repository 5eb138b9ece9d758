"""Positions: read a vault and turn it, with its market, into the figures a borrower needs.

Two distances to liquidation matter for an LRT: borrowing is limited by the spot (LTV x the
lower of market price and reserve rate), but liquidation looks only at the reserve (consensus
layer / protocol) exchange rate. So `health` is measured against the reserve rate and the
liquidation threshold, exactly as the Liquidation contract computes it, and the position says
at which reserve exchange rate the vault would be liquidated."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from ion_cli import position_math as pm
from ion_cli.errors import RefusedError
from ion_cli.flows.adapters import available_markets, require_market
from ion_cli.flows.figures import RAD, RAY, WAD, exact, text
from ion_cli.flows.market_state import MarketState, read_market, read_markets
from ion_cli.flows.session import Session
from ion_cli.units import UINT256_MAX


@dataclass(frozen=True)
class VaultState:
    address: str
    collateral: int  # WAD
    normalized_debt: int  # WAD
    supplied: int = 0  # WAD: the address's lender balance in this pool (base asset, accrued)

    def changed(self, *, collateral: int = 0, normalized_debt: int = 0) -> VaultState:
        return replace(
            self,
            collateral=max(self.collateral + collateral, 0),
            normalized_debt=max(self.normalized_debt + normalized_debt, 0),
        )


def read_vault(session: Session, market: MarketState, address: str) -> VaultState:
    from ion_cli.chain.contracts import contract

    pool = contract(session.w3(), "IonPool", market.pool)
    collateral, normalized_debt = pool.functions.vault(market.ilk_index, address).call()
    return VaultState(
        address=address,
        collateral=int(collateral),
        normalized_debt=int(normalized_debt),
        supplied=int(pool.functions.balanceOf(address).call()),
    )


def health_liquidation(market: MarketState, vault: VaultState) -> int | None:
    """Health against the reserve rate [RAY], as Liquidation computes it; None without debt
    or without a known liquidation threshold."""
    if market.liquidation_threshold is None:
        return None
    return pm.health(
        vault.collateral,
        vault.normalized_debt,
        market.rate,
        market.reserve_rate,
        market.liquidation_threshold,
    )


def position_figures(market: MarketState, vault: VaultState) -> dict[str, Any]:
    """Every figure of `ion position`, amounts as exact decimal strings in token units."""
    c, nd, rate = vault.collateral, vault.normalized_debt, market.rate
    lt = market.liquidation_threshold
    has_debt = nd * rate > 0
    liq_rate = (
        pm.liquidation_exchange_rate(c, nd, rate, lt) if lt is not None and has_debt else None
    )
    if liq_rate == UINT256_MAX:
        liq_rate = None
    drop = pm.drop_to(market.reserve_rate, liq_rate) if liq_rate is not None else None
    health = health_liquidation(market, vault)
    max_borrow = min(pm.max_extra_borrow(c, nd, rate, market.spot), market.liquidity)
    return {
        "market": market.symbol,
        "base": market.base_symbol,
        "address": vault.address,
        "collateral": text(c, WAD),
        "normalized_debt": text(nd, WAD),
        "debt": text(pm.debt(nd, rate), WAD),
        "collateral_value": text(pm.collateral_value_rad(c, market.reserve_rate), RAD),
        "health": text(health, RAY),
        "health_spot": text(pm.health_spot(c, nd, rate, market.spot), RAY),
        "leverage": text(pm.leverage(c, nd, rate, market.reserve_rate), RAY),
        "ltv": text(pm.loan_to_value(c, nd, rate, market.reserve_rate), RAY),
        "max_ltv": text(market.ltv, RAY),
        "liquidation_threshold": text(lt, RAY),
        "reserve_exchange_rate": text(market.reserve_rate, WAD),
        "market_price": text(market.price, WAD),
        "liquidation_exchange_rate": text(liq_rate, WAD),
        "drop_to_liquidation": text(drop, RAY) if drop is not None else None,
        "max_borrow": text(max_borrow, WAD),
        "max_withdraw": text(pm.max_withdrawable_collateral(c, nd, rate, market.spot), WAD),
        "liquidatable": health is not None and health < RAY,
        "supplied": text(vault.supplied, WAD),
        "block": market.block,
    }


def safety_check(market: MarketState, after: VaultState, margin: Decimal) -> None:
    """Refuse a change that leaves liquidation health below 1 + margin (unless --force)."""
    health = health_liquidation(market, after)
    if health is None:
        return
    floor = RAY + int(margin * RAY)
    if health < floor:
        raise RefusedError(
            f"the vault would have liquidation health {exact(health, RAY):.4f}, within the safety "
            f"margin (minimum {exact(floor, RAY):.4f}); pass --force to do it anyway"
        )


def positions(session: Session, symbol: str | None, who: str | None) -> list[dict[str, Any]]:
    w3 = session.w3()
    address = session.address_of(who)
    if symbol:
        markets = [read_market(w3, session.profile, require_market(session, symbol))]
    else:
        markets = read_markets(w3, session.profile, available_markets(session))
    return [position_figures(m, read_vault(session, m, address)) for m in markets]
