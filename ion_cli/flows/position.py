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

from ion_cli.errors import RefusedError
from ion_cli.flows.figures import RAY, WAD, exact, text
from ion_cli.flows.market_state import MarketState, read_all_markets, read_market
from ion_cli.flows.session import Session
from ion_cli.units import ceil_div, ray_div_down, ray_mul_down


@dataclass(frozen=True)
class VaultState:
    address: str
    collateral: int  # WAD
    normalized_debt: int  # WAD

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
        address=address, collateral=int(collateral), normalized_debt=int(normalized_debt)
    )


def health_liquidation(market: MarketState, vault: VaultState) -> int | None:
    """Health against the reserve rate (RAY), as Liquidation computes it; None without debt
    or without a known liquidation threshold."""
    debt_rad = vault.normalized_debt * market.rate
    if debt_rad == 0 or market.liquidation_threshold is None:
        return None
    collateral_value = ray_mul_down(
        vault.collateral * market.reserve_rate * 10**9, market.liquidation_threshold
    )
    return ray_div_down(collateral_value, debt_rad)


def liquidation_exchange_rate(market: MarketState, vault: VaultState) -> int | None:
    """The reserve exchange rate (WAD) at which health reaches 1: debt / (collateral * LT)."""
    debt_rad = vault.normalized_debt * market.rate
    lt = market.liquidation_threshold
    if debt_rad == 0 or lt is None:
        return None
    if vault.collateral == 0:
        return None
    # health = c * er_ray * LT / RAY / debt_rad = 1  =>  er_ray = debt_rad * RAY / (c * LT)
    er_ray = ceil_div(debt_rad * RAY, vault.collateral * lt)
    return ceil_div(er_ray, 10**9)


def max_borrow(market: MarketState, vault: VaultState) -> int:
    """The largest borrow (WAD) that still passes nd * rate <= collateral * spot, and that the
    pool has liquidity for."""
    headroom = vault.collateral * market.spot - vault.normalized_debt * market.rate
    if headroom <= 0 or market.rate == 0:
        return 0
    extra_nd = headroom // market.rate
    return min(extra_nd * market.rate // RAY, market.liquidity)


def max_withdraw(market: MarketState, vault: VaultState) -> int:
    """The most collateral (WAD) that can leave while debt stays within collateral * spot."""
    debt_rad = vault.normalized_debt * market.rate
    if debt_rad == 0:
        return vault.collateral
    if market.spot == 0:
        return 0
    return max(vault.collateral - ceil_div(debt_rad, market.spot), 0)


def position_figures(market: MarketState, vault: VaultState) -> dict[str, Any]:
    """Every figure of `ion position`, amounts as exact decimal strings in token units."""
    debt_rad = vault.normalized_debt * market.rate
    debt = ceil_div(debt_rad, RAY)  # what a full repay pulls now
    collateral_value = vault.collateral * market.reserve_rate // WAD  # in base units
    health = health_liquidation(market, vault)
    health_spot = (vault.collateral * market.spot * RAY // debt_rad) if debt_rad else None
    liq_rate = liquidation_exchange_rate(market, vault)
    ltv = (Decimal(debt) / Decimal(collateral_value)) if debt and collateral_value else None
    equity = collateral_value - debt
    leverage = (Decimal(collateral_value) / Decimal(equity)) if debt and equity > 0 else None
    drop = None
    if liq_rate is not None and market.reserve_rate:
        drop = max(Decimal(0), 1 - Decimal(liq_rate) / Decimal(market.reserve_rate))
    return {
        "market": market.symbol,
        "base": market.base_symbol,
        "address": vault.address,
        "collateral": text(vault.collateral, WAD),
        "normalized_debt": text(vault.normalized_debt, WAD),
        "debt": text(debt, WAD),
        "collateral_value": text(collateral_value, WAD),
        "health": text(health, RAY),
        "health_spot": text(health_spot, RAY),
        "leverage": _dec(leverage),
        "ltv": _dec(ltv),
        "max_ltv": text(market.ltv, RAY),
        "liquidation_threshold": text(market.liquidation_threshold, RAY),
        "reserve_exchange_rate": text(market.reserve_rate, WAD),
        "market_price": text(market.price, WAD),
        "liquidation_exchange_rate": text(liq_rate, WAD),
        "drop_to_liquidation": _dec(drop),
        "max_borrow": text(max_borrow(market, vault), WAD),
        "max_withdraw": text(max_withdraw(market, vault), WAD),
        "liquidatable": health is not None and health < RAY,
        "block": market.block,
    }


def _dec(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value.quantize(Decimal(1).scaleb(-18)).normalize(), "f")


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
        markets = [read_market(w3, session.profile, session.profile.market(symbol))]
    else:
        markets = read_all_markets(w3, session.profile)
    return [position_figures(m, read_vault(session, m, address)) for m in markets]
