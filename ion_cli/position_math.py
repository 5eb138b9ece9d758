"""Risk figures of one vault, computed exactly as the contracts would, from plain ints.

Units of every argument (the names say which):
- ``collateral``, ``normalized_debt``, amounts: WAD (token base units, 18 decimals);
- ``rate`` (debt accumulator), ``spot``, ``ltv``, ``liquidation_threshold``, health, discounts,
  leverage and every other ratio: RAY (1e27 = 1.0);
- ``exchange_rate`` (the reserve oracle's collateral -> base rate) and prices: WAD;
- ``dust`` and debt values: RAD (WAD * RAY).

Two distances to trouble, because the protocol has two checks:
- the pool's own check on every borrow or withdrawal, ``normalized_debt * rate <= collateral *
  spot`` with ``spot = LTV * min(market price, reserve rate)`` (``health_spot``): failing it
  blocks borrowing and withdrawing but liquidates nothing;
- the Liquidation contract's health, ``collateral * reserve rate * LT / debt`` (``health``): below
  1 the vault can be liquidated. Only the reserve (consensus-layer) rate counts there, so the
  figure users need for an LRT is the reserve-rate drop that liquidates (slashing), not a
  market-price drop.

Where a ratio is an estimate for display, it rounds towards the riskier side (leverage and LTV
up, health and distances down); where it predicts a contract, it rounds exactly as the contract.
``None`` stands for "infinite / not applicable" (no debt).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from ion_cli.amounts import format_amount
from ion_cli.units import (
    RAY,
    UINT256_MAX,
    ceil_div,
    ray_div_down,
    ray_div_up,
    ray_mul_down,
    ray_mul_up,
)

_WAD_TO_RAY = 10**9


# ---- debt and value --------------------------------------------------------------------------


def debt_rad(normalized_debt: int, rate: int) -> int:
    """The vault's debt as the pool stores it: nd * rate [RAD]."""
    return normalized_debt * rate


def debt(normalized_debt: int, rate: int) -> int:
    """What repaying the whole debt pulls now: ceil(nd * rate / RAY) [WAD]."""
    return ceil_div(normalized_debt * rate, RAY)


def collateral_value_rad(collateral: int, exchange_rate: int) -> int:
    """Collateral valued in the base asset at the reserve rate, exact [RAD]."""
    return collateral * exchange_rate * _WAD_TO_RAY


def spot_for(price: int, exchange_rate: int, ltv: int) -> int:
    """``SpotOracle.getSpot()``: LTV.rayMulDown(min(price, reserve rate) in RAY) [RAY]."""
    return ray_mul_down(ltv, min(price, exchange_rate) * _WAD_TO_RAY)


def is_dusty(normalized_debt: int, rate: int, dust: int) -> bool:
    """True for a vault with some debt below ``dust``: the pool refuses to leave one like that."""
    return 0 < normalized_debt * rate < dust


# ---- the pool's check (spot) -----------------------------------------------------------------


def passes_pool_check(collateral: int, normalized_debt: int, rate: int, spot: int) -> bool:
    """The pool's safety check on a borrow or withdrawal: nd * rate <= collateral * spot."""
    return normalized_debt * rate <= collateral * spot


def health_spot(collateral: int, normalized_debt: int, rate: int, spot: int) -> int | None:
    """Borrowing headroom, collateral * spot / (nd * rate) [RAY, floor]; None without debt.

    At or above 1 the pool lets the vault borrow or withdraw (down to exactly 1).
    """
    d = normalized_debt * rate
    return None if d == 0 else collateral * spot * RAY // d


def max_extra_normalized_debt(collateral: int, normalized_debt: int, rate: int, spot: int) -> int:
    """The most normalized debt a borrow can add and still pass the pool check [WAD]."""
    if rate == 0:
        return 0
    return max(0, collateral * spot // rate - normalized_debt)


def max_extra_borrow(collateral: int, normalized_debt: int, rate: int, spot: int) -> int:
    """The largest amount B [WAD] whose ``normalized_debt_for_borrow(B)`` still passes the check.

    That is floor(M * rate / RAY) for M = ``max_extra_normalized_debt``: asking for it borrows
    exactly M normalized debt (ceil(B * RAY / rate) = M while rate >= RAY) and the pool sends
    floor(M * rate / RAY) = B. One wei more would need M + 1 and fail with
    ``UnsafePositionChange``. Debt ceiling and dust are the caller's to check (``is_dusty``).
    """
    return _largest_borrow_for(
        max_extra_normalized_debt(collateral, normalized_debt, rate, spot), rate
    )


def _largest_borrow_for(extra_normalized_debt: int, rate: int) -> int:
    """The largest B [WAD] with ceil(B * RAY / rate) <= extra_normalized_debt."""
    if extra_normalized_debt <= 0:
        return 0
    return extra_normalized_debt * rate // RAY


def max_withdrawable_collateral(collateral: int, normalized_debt: int, rate: int, spot: int) -> int:
    """The most collateral [WAD] a withdrawal can take and still pass the pool check.

    All of it without debt (the check cannot fail); none while spot is 0 (stale price) with debt.
    This is the pool's limit, which sits at LTV, below the liquidation threshold but with no
    margin: pair it with ``breaches_margin`` before offering it to a user.
    """
    d = normalized_debt * rate
    if d == 0:
        return collateral
    if spot == 0:
        return 0
    return max(0, collateral - ceil_div(d, spot))


def min_safe_price(collateral: int, normalized_debt: int, rate: int, ltv: int) -> int:
    """The lowest min(market price, reserve rate) [WAD] at which the pool check still passes.

    Below it spot is too low: borrowing and withdrawing stop (no liquidation by itself). Exact
    through the SpotOracle's rounding: ``passes_pool_check`` holds at this price and fails one
    wei lower. 0 without debt; ``UINT256_MAX`` when no price helps (no collateral or LTV 0).
    """
    d = normalized_debt * rate
    if d == 0:
        return 0
    if collateral == 0 or ltv == 0:
        return UINT256_MAX
    needed_spot = ceil_div(d, collateral)
    return ceil_div(needed_spot * RAY, ltv * _WAD_TO_RAY)


# ---- the Liquidation contract's health -------------------------------------------------------


def health(
    collateral: int, normalized_debt: int, rate: int, exchange_rate: int, liquidation_threshold: int
) -> int | None:
    """Health exactly as ``Liquidation`` computes it [RAY]; None without debt.

    rayDivDown(rayMulDown(collateral * er, LT), nd * rate) with er the reserve rate in RAY:
    rounded down, in the protocol's favour. The vault is liquidatable below RAY.
    """
    d = normalized_debt * rate
    if d == 0:
        return None
    value = ray_mul_down(collateral * exchange_rate * _WAD_TO_RAY, liquidation_threshold)
    return ray_div_down(value, d)


def is_liquidatable(
    collateral: int, normalized_debt: int, rate: int, exchange_rate: int, liquidation_threshold: int
) -> bool:
    h = health(collateral, normalized_debt, rate, exchange_rate, liquidation_threshold)
    return h is not None and h < RAY


def liquidation_exchange_rate(
    collateral: int, normalized_debt: int, rate: int, liquidation_threshold: int
) -> int:
    """The reserve rate [WAD] below which the vault becomes liquidatable.

    The smallest rate with health >= 1, exact through the contract's rounding: health(this) >=
    RAY and health(this - 1) < RAY. It is ceil(nd * rate * RAY / (collateral * LT * 1e9)), i.e.
    debt / (collateral * LT) rounded up. 0 without debt (no rate liquidates it);
    ``UINT256_MAX`` with debt but no collateral or LT 0 (every rate does).
    """
    d = normalized_debt * rate
    if d == 0:
        return 0
    if collateral == 0 or liquidation_threshold == 0:
        return UINT256_MAX
    return ceil_div(d * RAY, collateral * liquidation_threshold * _WAD_TO_RAY)


def drop_to(current: int, threshold: int) -> int | None:
    """How far ``current`` may fall before reaching ``threshold``, as a fraction of it [RAY, floor].

    Negative when already past it; None when ``current`` is 0. With a threshold of 0 (no debt)
    the answer is RAY: the rate would have to fall to nothing.
    """
    if current == 0:
        return None
    return (current - threshold) * RAY // current


def breaches_margin(
    collateral: int,
    normalized_debt: int,
    rate: int,
    exchange_rate: int,
    liquidation_threshold: int,
    margin: int,
) -> bool:
    """True if health [RAY] would sit below 1 + ``margin`` (RAY) for this (new) vault state."""
    h = health(collateral, normalized_debt, rate, exchange_rate, liquidation_threshold)
    return h is not None and h < RAY + margin


def max_extra_borrow_within_margin(
    collateral: int,
    normalized_debt: int,
    rate: int,
    spot: int,
    exchange_rate: int,
    liquidation_threshold: int,
    margin: int,
) -> int:
    """The largest borrow B [WAD] that passes the pool check and leaves ``health`` at or above
    1 + ``margin`` [RAY]: what `ion borrow` accepts without --force.

    health = floor(value * RAY / (nd * rate)) >= RAY + margin holds exactly when
    nd <= value * RAY / ((RAY + margin) * rate), value being the Liquidation contract's
    rayMulDown(collateral * er, LT).
    """
    if rate == 0:
        return 0
    value = ray_mul_down(collateral * exchange_rate * _WAD_TO_RAY, liquidation_threshold)
    healthy_nd = value * RAY // ((RAY + margin) * rate)
    pool_extra = max_extra_normalized_debt(collateral, normalized_debt, rate, spot)
    return _largest_borrow_for(min(pool_extra, healthy_nd - normalized_debt), rate)


def max_withdraw_within_margin(
    collateral: int,
    normalized_debt: int,
    rate: int,
    spot: int,
    exchange_rate: int,
    liquidation_threshold: int,
    margin: int,
) -> int:
    """The most collateral [WAD] a withdrawal can take while passing the pool check and keeping
    ``health`` at or above 1 + ``margin`` [RAY]: what `ion withdraw` accepts without --force."""
    pool_limit = max_withdrawable_collateral(collateral, normalized_debt, rate, spot)
    d = normalized_debt * rate
    if d == 0:
        return pool_limit
    per_unit = exchange_rate * _WAD_TO_RAY * liquidation_threshold
    if per_unit == 0:
        return 0
    # floor(c * er * LT / RAY) * RAY >= (RAY + margin) * d  <=>  c >= the bound below
    needed = ceil_div(ceil_div((RAY + margin) * d, RAY) * RAY, per_unit)
    return max(0, min(pool_limit, collateral - needed))


# ---- leverage and LTV ------------------------------------------------------------------------


def leverage(collateral: int, normalized_debt: int, rate: int, exchange_rate: int) -> int | None:
    """Collateral value / (collateral value - debt) at the reserve rate [RAY, rounded up].

    RAY (1x) without debt; None when the debt reaches the collateral's value (no equity left).
    """
    value = collateral_value_rad(collateral, exchange_rate)
    d = normalized_debt * rate
    if d == 0:
        return RAY
    if value <= d:
        return None
    return ceil_div(value * RAY, value - d)


def loan_to_value(
    collateral: int, normalized_debt: int, rate: int, exchange_rate: int
) -> int | None:
    """Debt / collateral value at the reserve rate [RAY, rounded up]; None if debt without value."""
    value = collateral_value_rad(collateral, exchange_rate)
    d = normalized_debt * rate
    if d == 0:
        return 0
    if value == 0:
        return None
    return ceil_div(d * RAY, value)


# ---- liquidation preview (Appendix C) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiquidationTerms:
    """The Liquidation contract's constants, all RAY fractions."""

    liquidation_threshold: int
    target_health: int
    base_discount: int
    max_discount: int


Outcome = Literal["no_debt", "safe", "zero_rate", "partial", "dust", "confiscate"]


@dataclass(frozen=True, slots=True)
class LiquidationPreview:
    """What ``liquidate`` would do to a vault now.

    ``outcome``: ``no_debt`` / ``safe`` / ``zero_rate`` (the contract reverts); ``partial`` (the
    keeper repays enough to bring health to the target); ``dust`` (the rest would be dust, so the
    keeper repays all); ``confiscate`` (the repay would exceed the debt: the protocol takes the
    whole vault and nobody pays; ``liquidate`` returns (0, 0)).
    """

    outcome: Outcome
    health: int | None = None  # [RAY]
    discount: int = 0  # [RAY]
    price: int = 0  # [RAY] base per collateral after the discount
    normalized_debt_removed: int = 0  # [WAD] (the event's `repay` field)
    gem_out: int = 0  # [WAD] collateral credited to the keeper as gem
    repay_rad: int = 0  # [RAD] debt removed
    repay_amount: int = 0  # [WAD] base asset the keeper pays; what getRepayAmt returns

    @property
    def liquidatable(self) -> bool:
        return self.outcome in ("partial", "dust", "confiscate")

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "health": _ray_str(self.health),
            "discount": _ray_str(self.discount),
            "price": _ray_str(self.price),
            "normalized_debt_removed": format_amount(self.normalized_debt_removed),
            "gem_out": format_amount(self.gem_out),
            "repay_amount": format_amount(self.repay_amount),
        }


def preview_liquidation(
    collateral: int,
    normalized_debt: int,
    rate: int,
    exchange_rate: int,
    dust: int,
    terms: LiquidationTerms,
) -> LiquidationPreview:
    """Mirror of ``Liquidation._amounts``: same steps, same rounding, same branches.

    Collateral value and health round down, debt value, price and repay up, collateral paid out
    down; gemOut is capped at the vault's collateral, and a target that no partial liquidation
    can reach (TH <= LT / (1 - discount)) confiscates, as the contract does.
    """
    er = exchange_rate * _WAD_TO_RAY
    lt, th = terms.liquidation_threshold, terms.target_health
    debt_value = normalized_debt * rate
    if debt_value == 0:
        return LiquidationPreview("no_debt")
    if er == 0:
        return LiquidationPreview("zero_rate")
    collateral_value = ray_mul_down(collateral * er, lt)
    h = ray_div_down(collateral_value, debt_value)
    if h >= RAY:
        return LiquidationPreview("safe", health=h)

    discount = min(terms.base_discount + (RAY - h), terms.max_discount)
    price = ray_mul_up(er, RAY - discount)
    loss_per_repay = ray_div_up(lt, RAY - discount)
    if th <= loss_per_repay:
        return LiquidationPreview("confiscate", health=h, discount=discount, price=price)
    repay = ray_div_up(ray_mul_up(debt_value, th) - collateral_value, th - loss_per_repay)
    if repay > debt_value:
        return LiquidationPreview("confiscate", health=h, discount=discount, price=price)

    if debt_value - repay < dust:
        outcome: Outcome = "dust"
        removed, gem_out, repay = normalized_debt, debt_value // price, debt_value
    else:
        outcome = "partial"
        removed = ceil_div(repay, rate)
        gem_out = repay // price
        repay = removed * rate
    return LiquidationPreview(
        outcome,
        health=h,
        discount=discount,
        price=price,
        normalized_debt_removed=removed,
        gem_out=min(gem_out, collateral),
        repay_rad=repay,
        repay_amount=ceil_div(repay, RAY),
    )


# ---- one vault, all figures ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PositionSnapshot:
    """The inputs of every figure for one vault, as read from the chain at one block.

    ``market_price`` (WAD) is optional: with it the figures include the market-price distance to
    the spot limit (where borrowing and withdrawing stop).
    """

    collateral: int  # [WAD]
    normalized_debt: int  # [WAD]
    rate: int  # [RAY]
    spot: int  # [RAY]
    exchange_rate: int  # [WAD] reserve oracle
    ltv: int  # [RAY] SpotOracle.LTV()
    dust: int  # [RAD]
    terms: LiquidationTerms
    market_price: int | None = None  # [WAD]

    def with_change(
        self, collateral_delta: int = 0, normalized_debt_delta: int = 0
    ) -> PositionSnapshot:
        """The same vault after a deposit/withdrawal and borrow/repay (negative deltas remove)."""
        collateral = self.collateral + collateral_delta
        normalized_debt = self.normalized_debt + normalized_debt_delta
        if collateral < 0 or normalized_debt < 0:
            raise ValueError("the change removes more than the vault holds")
        return replace(self, collateral=collateral, normalized_debt=normalized_debt)

    def health(self) -> int | None:
        return health(
            self.collateral,
            self.normalized_debt,
            self.rate,
            self.exchange_rate,
            self.terms.liquidation_threshold,
        )

    def breaches_margin(self, margin: int) -> bool:
        """True if this vault's health is below 1 + ``margin`` [RAY]; use on ``with_change``."""
        h = self.health()
        return h is not None and h < RAY + margin

    def liquidation_preview(self) -> LiquidationPreview:
        return preview_liquidation(
            self.collateral,
            self.normalized_debt,
            self.rate,
            self.exchange_rate,
            self.dust,
            self.terms,
        )

    def figures(self) -> PositionFigures:
        c, nd, rate = self.collateral, self.normalized_debt, self.rate
        has_debt = nd * rate != 0
        liq_rate = liquidation_exchange_rate(c, nd, rate, self.terms.liquidation_threshold)
        floor_price = min_safe_price(c, nd, rate, self.ltv)
        price_drop = None
        if self.market_price is not None and has_debt:
            price_drop = drop_to(min(self.market_price, self.exchange_rate), floor_price)
        preview = self.liquidation_preview()
        return PositionFigures(
            collateral=c,
            normalized_debt=nd,
            debt=debt(nd, rate),
            collateral_value=collateral_value_rad(c, self.exchange_rate) // RAY,
            rate=rate,
            exchange_rate=self.exchange_rate,
            spot=self.spot,
            health=self.health(),
            health_spot=health_spot(c, nd, rate, self.spot),
            liquidatable=preview.liquidatable,
            leverage=leverage(c, nd, rate, self.exchange_rate),
            loan_to_value=loan_to_value(c, nd, rate, self.exchange_rate),
            max_loan_to_value=self.ltv,
            liquidation_threshold=self.terms.liquidation_threshold,
            liquidation_exchange_rate=liq_rate if has_debt else None,
            exchange_rate_drop_to_liquidation=(
                drop_to(self.exchange_rate, liq_rate) if has_debt else None
            ),
            min_safe_price=floor_price if has_debt else None,
            price_drop_to_borrow_limit=price_drop,
            max_borrow=max_extra_borrow(c, nd, rate, self.spot),
            max_withdraw=max_withdrawable_collateral(c, nd, rate, self.spot),
            dusty=is_dusty(nd, rate, self.dust),
            liquidation=preview if preview.liquidatable else None,
        )


@dataclass(frozen=True, slots=True)
class PositionFigures:
    """Derived figures of a vault (units as in ``PositionSnapshot``); ``None`` = not applicable.

    ``to_json`` gives the stable JSON form: amounts and ratios as exact decimal strings (whole
    tokens, 1.0 = 100%), so scripts never meet floats or wei-vs-token ambiguity.
    """

    collateral: int  # [WAD]
    normalized_debt: int  # [WAD]
    debt: int  # [WAD] what a full repay pulls now
    collateral_value: int  # [WAD] in the base asset at the reserve rate, floor
    rate: int  # [RAY]
    exchange_rate: int  # [WAD]
    spot: int  # [RAY]
    health: int | None  # [RAY] the Liquidation contract's; liquidatable below 1
    health_spot: int | None  # [RAY] the pool's check; borrowing/withdrawing stop below 1
    liquidatable: bool
    leverage: int | None  # [RAY]
    loan_to_value: int | None  # [RAY]
    max_loan_to_value: int  # [RAY]
    liquidation_threshold: int  # [RAY]
    liquidation_exchange_rate: int | None  # [WAD] reserve rate below which it is liquidatable
    exchange_rate_drop_to_liquidation: int | None  # [RAY] fraction of today's reserve rate
    min_safe_price: int | None  # [WAD] min(price, reserve rate) below which borrowing stops
    price_drop_to_borrow_limit: int | None  # [RAY] needs the market price
    max_borrow: int  # [WAD]
    max_withdraw: int  # [WAD]
    dusty: bool
    liquidation: LiquidationPreview | None

    def to_json(self) -> dict[str, Any]:
        wad = _wad_str
        ray = _ray_str
        return {
            "collateral": wad(self.collateral),
            "normalized_debt": wad(self.normalized_debt),
            "debt": wad(self.debt),
            "collateral_value": wad(self.collateral_value),
            "rate": ray(self.rate),
            "exchange_rate": wad(self.exchange_rate),
            "spot": ray(self.spot),
            "health": ray(self.health),
            "health_spot": ray(self.health_spot),
            "liquidatable": self.liquidatable,
            "leverage": ray(self.leverage),
            "loan_to_value": ray(self.loan_to_value),
            "max_loan_to_value": ray(self.max_loan_to_value),
            "liquidation_threshold": ray(self.liquidation_threshold),
            "liquidation_exchange_rate": wad(self.liquidation_exchange_rate),
            "exchange_rate_drop_to_liquidation": ray(self.exchange_rate_drop_to_liquidation),
            "min_safe_price": wad(self.min_safe_price),
            "price_drop_to_borrow_limit": ray(self.price_drop_to_borrow_limit),
            "max_borrow": wad(self.max_borrow),
            "max_withdraw": wad(self.max_withdraw),
            "dusty": self.dusty,
            "liquidation": None if self.liquidation is None else self.liquidation.to_json(),
        }


def _wad_str(value: int | None) -> str | None:
    return None if value is None else format_amount(value, 18)


def _ray_str(value: int | None) -> str | None:
    return None if value is None else format_amount(value, 27)
