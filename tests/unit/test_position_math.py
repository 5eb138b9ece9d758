"""Vault risk math: hand-computed figures and properties against the contracts' rounding."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from ion_cli.position_math import (
    LiquidationTerms,
    PositionSnapshot,
    breaches_margin,
    debt,
    drop_to,
    health,
    health_spot,
    is_dusty,
    is_liquidatable,
    leverage,
    liquidation_exchange_rate,
    loan_to_value,
    max_extra_borrow,
    max_extra_normalized_debt,
    max_withdrawable_collateral,
    min_safe_price,
    passes_pool_check,
    preview_liquidation,
    spot_for,
)
from ion_cli.units import (
    RAD,
    RAY,
    UINT256_MAX,
    WAD,
    Ray,
    Wad,
    normalized_debt_for_borrow,
    ray_mul_down,
)

E9 = 10**9


def wad(x: str) -> int:
    return Wad.from_decimal(x).value


def ray(x: str) -> int:
    return Ray.from_decimal(x).value


# weETH/wstETH: LT 0.83, target health 1.10, base discount 0.01, max discount 0.20, LTV 0.80.
WEETH = LiquidationTerms(ray("0.83"), ray("1.1"), ray("0.01"), ray("0.2"))
EZETH = LiquidationTerms(ray("0.96"), ray("1.2"), ray("0.01"), ray("0.2"))

# 10 weETH at a reserve rate of 1.05 wstETH and a market price of 1.04, 7 normalized debt at a
# rate of 1.02: a debt of 7.14 wstETH.
C, ND, RATE, ER, PRICE = wad("10"), wad("7"), ray("1.02"), wad("1.05"), wad("1.04")
SPOT = spot_for(PRICE, ER, ray("0.8"))


def snapshot(**kw: int) -> PositionSnapshot:
    args: dict[str, int] = dict(
        collateral=C,
        normalized_debt=ND,
        rate=RATE,
        spot=SPOT,
        exchange_rate=ER,
        ltv=ray("0.8"),
        dust=RAD,
    )
    args.update(kw)
    return PositionSnapshot(terms=WEETH, market_price=PRICE, **args)


# ---- hand figures ----------------------------------------------------------------------------


def test_spot_is_ltv_times_the_lower_price() -> None:
    assert ray("0.832") == SPOT  # 0.8 * min(1.04, 1.05)
    assert spot_for(wad("2"), wad("1"), ray("0.8")) == ray("0.8")
    assert spot_for(0, wad("1"), ray("0.8")) == 0  # a stale price: spot 0


def test_debt_is_what_repay_pulls() -> None:
    assert debt(ND, RATE) == wad("7.14")
    assert debt(3, ray("1.5")) == 5  # ceil(4.5)
    assert debt(0, RATE) == 0


def test_hand_figures() -> None:
    # health = 10 * 1.05 * 0.83 / 7.14 = 8.715 / 7.14 = 1.22058823529411764705882352941...
    assert health(C, ND, RATE, ER, WEETH.liquidation_threshold) == 1_220588235294117647058823529
    assert health_spot(C, ND, RATE, SPOT) == 1_165266106442577030812324929  # 8.32 / 7.14
    assert leverage(C, ND, RATE, ER) == ray("3.125")  # 10.5 / (10.5 - 7.14)
    assert loan_to_value(C, ND, RATE, ER) == ray("0.68")  # 7.14 / 10.5
    # 7.14 / (10 * 0.83) = 0.86024096385542168674..., rounded up to a wei
    liq = liquidation_exchange_rate(C, ND, RATE, WEETH.liquidation_threshold)
    assert liq == 860240963855421687
    # (1.05 - 0.860240963855421687) / 1.05, floored
    assert drop_to(ER, liq) == 180722891566265060000000000
    # max borrow: 10 * 0.832 - 7.14 = 1.18, less a wei: borrows round the normalized debt up
    # (ceil(1.18 / 1.02) would be one normalized wei past the limit), and the pool sends it all
    assert max_extra_borrow(C, ND, RATE, SPOT) == wad("1.18") - 1
    # max withdrawal: 10 - ceil(7.14 / 0.832) = 10 - 8.581730769230769231
    assert max_withdrawable_collateral(C, ND, RATE, SPOT) == wad("1.418269230769230769")
    # min(price, er) may fall to 7.14 / (10 * 0.8) = 0.8925 before borrowing stops
    assert min_safe_price(C, ND, RATE, ray("0.8")) == wad("0.8925")


def test_no_debt_figures() -> None:
    assert health(C, 0, RATE, ER, WEETH.liquidation_threshold) is None
    assert health_spot(C, 0, RATE, SPOT) is None
    assert not is_liquidatable(C, 0, RATE, ER, WEETH.liquidation_threshold)
    assert leverage(C, 0, RATE, ER) == RAY
    assert loan_to_value(C, 0, RATE, ER) == 0
    assert liquidation_exchange_rate(C, 0, RATE, WEETH.liquidation_threshold) == 0
    assert drop_to(ER, 0) == RAY
    assert max_withdrawable_collateral(C, 0, RATE, 0) == C  # no debt: even a zero spot allows it
    assert min_safe_price(C, 0, RATE, ray("0.8")) == 0


def test_degenerate_vaults() -> None:
    assert leverage(C, wad("11"), RAY, wad("1")) is None  # debt above value: no equity
    assert loan_to_value(0, ND, RATE, ER) is None
    assert liquidation_exchange_rate(0, ND, RATE, WEETH.liquidation_threshold) == UINT256_MAX
    assert min_safe_price(0, ND, RATE, ray("0.8")) == UINT256_MAX
    assert max_extra_borrow(C, ND, RATE, 0) == 0  # spot 0 blocks borrowing
    assert max_withdrawable_collateral(C, ND, RATE, 0) == 0
    assert max_extra_borrow(C, wad("100"), RATE, SPOT) == 0  # already past the limit
    assert drop_to(0, 1) is None
    assert drop_to(wad("1"), wad("2")) == -RAY  # already past: negative


def test_dust() -> None:
    assert is_dusty(wad("0.5"), RAY, RAD)
    assert not is_dusty(0, RAY, RAD)
    assert not is_dusty(wad("1"), RAY, RAD)


def test_margin() -> None:
    lt = WEETH.liquidation_threshold
    assert not breaches_margin(C, ND, RATE, ER, lt, ray("0.2"))  # health 1.2206 >= 1.2
    assert breaches_margin(C, ND, RATE, ER, lt, ray("0.25"))
    assert not breaches_margin(C, 0, RATE, ER, lt, ray("10"))  # no debt, no risk
    s = snapshot()
    assert not s.breaches_margin(ray("0.2"))
    assert s.with_change(collateral_delta=-wad("1")).breaches_margin(ray("0.1"))
    assert s.with_change(normalized_debt_delta=-ND).health() is None
    with pytest.raises(ValueError):
        s.with_change(collateral_delta=-C - 1)


# ---- liquidation preview ---------------------------------------------------------------------


def test_safe_and_no_debt_previews() -> None:
    assert preview_liquidation(C, 0, RATE, ER, RAD, WEETH).outcome == "no_debt"
    safe = preview_liquidation(C, ND, RATE, ER, RAD, WEETH)
    assert safe.outcome == "safe" and not safe.liquidatable
    assert safe.health == health(C, ND, RATE, ER, WEETH.liquidation_threshold)
    assert preview_liquidation(C, ND, RATE, 0, RAD, WEETH).outcome == "zero_rate"


def test_partial_liquidation_hand_figures() -> None:
    # 10 weETH at a reserve rate of 1.0 with a debt of 8.5: health 8.3 / 8.5 = 0.97647...
    p = preview_liquidation(wad("10"), wad("8.5"), RAY, wad("1"), RAD, WEETH)
    assert p.outcome == "partial"
    h = Fraction(83, 85)
    assert p.health == int(h * RAY)
    d = Fraction(1, 100) + 1 - Fraction(p.health, RAY)  # base discount + (1 - health)
    assert p.discount == int(d * RAY)
    # repay R brings health to 1.1: (8.3 - R * 0.83 / (1 - d)) / (8.5 - R) = 1.1
    exact_repay = (Fraction(935, 100) - Fraction(83, 10)) / (
        Fraction(11, 10) - Fraction(83, 100) / (1 - Fraction(p.discount, RAY))
    )
    assert abs(Fraction(p.repay_amount, WAD) - exact_repay) < Fraction(1, 10**17)
    assert p.repay_amount == p.normalized_debt_removed  # rate 1: pay what is removed
    exact_gem = exact_repay / (1 - Fraction(p.discount, RAY))
    assert abs(Fraction(p.gem_out, WAD) - exact_gem) < Fraction(1, 10**17)
    assert round(float(exact_repay), 4) == 4.3531  # about 4.35 wstETH repaid


def test_dust_branch_repays_everything() -> None:
    # Same vault, dust of 5 tokens: the 4.15 left after a partial would be dust.
    p = preview_liquidation(wad("10"), wad("8.5"), RAY, wad("1"), 5 * RAD, WEETH)
    assert p.outcome == "dust"
    assert p.normalized_debt_removed == wad("8.5")
    assert p.repay_amount == wad("8.5")
    assert p.gem_out == min(8_5 * RAD // 10 // p.price, wad("10"))


def test_confiscation_when_underwater() -> None:
    # Debt above the collateral's full value: no repay can restore health.
    p = preview_liquidation(wad("10"), wad("12"), RAY, wad("1"), RAD, WEETH)
    assert p.outcome == "confiscate" and p.liquidatable
    assert p.repay_amount == 0 and p.gem_out == 0


def test_confiscation_when_the_target_is_unreachable() -> None:
    # ezETH/WETH: LT 0.96 / (1 - 0.20) = 1.2 = target health: the contract confiscates.
    p = preview_liquidation(wad("10"), wad("12"), RAY, wad("1"), RAD, EZETH)
    assert p.discount == EZETH.max_discount
    assert p.outcome == "confiscate"


def test_snapshot_figures_and_json() -> None:
    f = snapshot().figures()
    assert f.debt == wad("7.14")
    assert f.collateral_value == wad("10.5")
    assert f.leverage == ray("3.125")
    assert f.max_borrow == wad("1.18") - 1  # see test_hand_figures: borrows round up
    assert f.min_safe_price == wad("0.8925")
    # market price 1.04 may fall to 0.8925: (1.04 - 0.8925) / 1.04
    assert f.price_drop_to_borrow_limit == (wad("1.04") - wad("0.8925")) * RAY // wad("1.04")
    assert not f.liquidatable and f.liquidation is None
    j = f.to_json()
    assert j["debt"] == "7.14"
    assert j["leverage"] == "3.125"
    assert j["loan_to_value"] == "0.68"
    assert j["liquidation_exchange_rate"] == "0.860240963855421687"
    assert j["health"] == "1.220588235294117647058823529"
    assert j["liquidation"] is None
    assert all(not isinstance(v, float) for v in j.values())

    empty = snapshot(normalized_debt=0).figures().to_json()
    assert empty["health"] is None and empty["liquidation_exchange_rate"] is None
    assert empty["max_withdraw"] == "10"

    bad = snapshot(exchange_rate=wad("0.8")).figures()
    assert bad.liquidatable and bad.liquidation is not None
    assert bad.to_json()["liquidation"]["outcome"] == "partial"


# ---- properties ------------------------------------------------------------------------------

collaterals = st.integers(min_value=1, max_value=10**24)  # up to a million tokens
debts = st.integers(min_value=1, max_value=10**24)
rates = st.integers(min_value=RAY, max_value=3 * RAY)
exchange_rates = st.integers(min_value=10**17, max_value=3 * WAD)  # 0.1 .. 3
fractions = st.integers(min_value=RAY // 2, max_value=RAY - 1)  # 0.5 .. <1 (LT, LTV)


@settings(max_examples=200)
@given(collaterals, debts, rates, exchange_rates, fractions)
def test_liquidation_rate_is_exactly_where_health_hits_one(
    c: int, nd: int, rate: int, er: int, lt: int
) -> None:
    liq = liquidation_exchange_rate(c, nd, rate, lt)
    assume(1 <= liq < 10**30)
    at = health(c, nd, rate, liq, lt)
    below = health(c, nd, rate, liq - 1, lt)
    assert at is not None and below is not None
    assert at >= RAY > below


@settings(max_examples=200)
@given(collaterals, debts, rates, exchange_rates, fractions, st.integers(1, 10**22))
def test_health_is_monotonic(c: int, nd: int, rate: int, er: int, lt: int, more: int) -> None:
    h = health(c, nd, rate, er, lt)
    assert h is not None
    assert health(c + more, nd, rate, er, lt) >= h  # type: ignore[operator]
    assert health(c, nd + more, rate, er, lt) <= h  # type: ignore[operator]
    assert health(c, nd, rate + more, er, lt) <= h  # type: ignore[operator]
    assert health(c, nd, rate, er + more, lt) >= h  # type: ignore[operator]
    assert is_liquidatable(c, nd, rate, er, lt) == (h < RAY)


@settings(max_examples=200)
@given(collaterals, st.integers(0, 10**24), rates, exchange_rates, fractions)
def test_max_borrow_just_passes_the_pool_check(
    c: int, nd: int, rate: int, price: int, ltv: int
) -> None:
    spot = spot_for(price, price, ltv)
    b = max_extra_borrow(c, nd, rate, spot)
    assume(b > 0)
    added = normalized_debt_for_borrow(Wad(b), Ray(rate)).value
    assert added == max_extra_normalized_debt(c, nd, rate, spot)
    assert passes_pool_check(c, nd + added, rate, spot)
    one_more = normalized_debt_for_borrow(Wad(b + 1), Ray(rate)).value
    assert not passes_pool_check(c, nd + one_more, rate, spot)
    # about collateral * spot - debt, in base units
    assert abs(b - (c * spot - nd * rate) // RAY) <= -(-rate // RAY) + 1


@settings(max_examples=200)
@given(collaterals, debts, rates, exchange_rates, fractions)
def test_max_withdraw_just_passes_the_pool_check(
    c: int, nd: int, rate: int, price: int, ltv: int
) -> None:
    spot = spot_for(price, price, ltv)
    w = max_withdrawable_collateral(c, nd, rate, spot)
    assert 0 <= w <= c
    if passes_pool_check(c, nd, rate, spot):
        assert passes_pool_check(c - w, nd, rate, spot)
        if w < c:
            assert not passes_pool_check(c - w - 1, nd, rate, spot)
    else:
        assert w == 0


@settings(max_examples=200)
@given(collaterals, debts, rates, exchange_rates, fractions)
def test_min_safe_price_is_exact(c: int, nd: int, rate: int, er: int, ltv: int) -> None:
    p = min_safe_price(c, nd, rate, ltv)
    assume(1 <= p < 10**30)
    assert passes_pool_check(c, nd, rate, spot_for(p, p, ltv))
    assert not passes_pool_check(c, nd, rate, spot_for(p - 1, p - 1, ltv))


@settings(max_examples=200)
@given(collaterals, debts, rates, exchange_rates)
def test_leverage_and_ltv_agree(c: int, nd: int, rate: int, er: int) -> None:
    lev, ltv = leverage(c, nd, rate, er), loan_to_value(c, nd, rate, er)
    assert ltv is not None
    if lev is None:
        assert ltv >= RAY
        return
    assert lev >= RAY
    # leverage = 1 / (1 - LTV), both rounded up
    exact = 1 / (1 - Fraction(nd * rate, c * er * E9))
    assert Fraction(lev, RAY) >= exact > Fraction(lev - 1, RAY)


@settings(max_examples=200)
@given(
    collaterals,
    debts,
    rates,
    exchange_rates,
    st.sampled_from(
        [WEETH, EZETH, LiquidationTerms(ray("0.9"), ray("1.2"), ray("0.01"), ray("0.2"))]
    ),
    st.integers(0, 4 * RAD),
)
def test_liquidation_preview_invariants(
    c: int, nd: int, rate: int, er: int, terms: LiquidationTerms, dust: int
) -> None:
    p = preview_liquidation(c, nd, rate, er, dust, terms)
    h = health(c, nd, rate, er, terms.liquidation_threshold)
    assert p.liquidatable == (h is not None and h < RAY)
    if p.outcome not in ("partial", "dust"):
        assert p.repay_amount == p.gem_out == p.normalized_debt_removed == 0
        return
    assert terms.base_discount <= p.discount <= terms.max_discount
    assert 0 < p.normalized_debt_removed <= nd
    assert 0 <= p.gem_out <= c
    assert p.repay_amount == -(-p.repay_rad // RAY)
    # the keeper never gets collateral worth more than repay / (1 - max discount)
    assert p.gem_out * p.price <= p.repay_rad + p.price
    if p.outcome == "dust":
        assert p.normalized_debt_removed == nd
    else:
        left = (nd - p.normalized_debt_removed) * rate
        # The contract tests dust before rounding the removed debt up to whole normalized
        # units, so a partial can leave up to one unit (rate RAD, ~1e-18 token) under dust, or
        # nothing at all.
        assert left >= dust - rate
        if left == 0:
            return
        # the partial liquidation lands at (or, rounding for the protocol, just above) target
        after = health(
            c - p.gem_out, nd - p.normalized_debt_removed, rate, er, terms.liquidation_threshold
        )
        assert after is not None
        assert after >= terms.target_health - RAY // 10**9


# ---- vectors checked against the Solidity ----------------------------------------------------
# Each row was run through the devnet's Liquidation.sol (with a mock pool and oracle) and
# WadRayMath.rpow under forge, and matched to the wei; 2,000 random liquidation vectors and 1,000
# rpow/accrual vectors agreed in that run. These few stay here as regression guards.


@pytest.mark.parametrize(
    ("c", "nd", "rate", "er", "dust", "outcome", "repay", "gem_out", "removed"),
    [
        (19780500709270268545, 10863249800571576320, 1697381815798845711682293566,
         1114588895891889899, RAD, "partial",
         7775692037136037058, 7101202980849651484, 4580991716042705141),
        (58515448340910453820, 47181622102954426368, 1469940889219783946695676001,
         1398837913049281458, 4 * RAD, "partial",
         34230611846557127040, 25238306390456524036, 23287066913776424357),
        (4185533794233919373, 5940044170618223616, RAY,
         1566627190417570559, 59686479078361519846722791974444741409352533, "dust",
         5940044170618223616, 4183937148769704541, 5940044170618223616),
        (10987297454309550045, 14320361412647188480, 1009590405781518940221564576,
         1297130881573284921, 4 * RAD, "confiscate", 0, 0, 0),
    ],
)  # fmt: skip
def test_liquidation_matches_the_contract(
    c: int,
    nd: int,
    rate: int,
    er: int,
    dust: int,
    outcome: str,
    repay: int,
    gem_out: int,
    removed: int,
) -> None:
    terms = (
        WEETH
        if outcome != "confiscate"
        else LiquidationTerms(ray("0.9"), ray("1.2"), ray("0.01"), ray("0.2"))
    )
    p = preview_liquidation(c, nd, rate, er, dust, terms)
    assert (p.outcome, p.repay_amount, p.gem_out, p.normalized_debt_removed) == (
        outcome,
        repay,
        gem_out,
        removed,
    )


def test_rpow_and_accrual_match_the_contract() -> None:
    from ion_cli.units import accrue, rpow

    r = 1796798806700000000  # mainnet minimum rate, 1,229,592 s (about 14 days)
    assert rpow(RAY + r, 1229592) == 1002211771802955099915397314
    rate = Ray(1978335733045209770646954269)
    assert accrue(rate, Ray(r), 1229592) == Ray(1982711360236337673500105053)
    r2 = 7938676603183390679699
    assert rpow(RAY + r2, 4937177) == 105184880107081879299140052842636400861028503
    with pytest.raises(OverflowError):  # the contract reverts here too
        rpow(RAY + 5900518114223940000487, 35478088)


margins = st.integers(min_value=0, max_value=RAY // 2)  # 0 .. 50%


@settings(max_examples=200)
@given(collaterals, debts, rates, exchange_rates, fractions, fractions, margins)
@example(1, 1, RAY + 1, 2_459_168_303_429_740_544, 606 * 10**24, 500 * 10**24, 0)  # a no-op wei
def test_borrow_within_margin_is_the_largest_that_keeps_the_margin(
    c: int, nd: int, rate: int, er: int, lt: int, ltv: int, margin: int
) -> None:
    from ion_cli.position_math import breaches_margin, max_extra_borrow_within_margin

    spot = ray_mul_down(ltv, er * 10**9)
    b = max_extra_borrow_within_margin(c, nd, rate, spot, er, lt, margin)
    assert b <= max_extra_borrow(c, nd, rate, spot)
    if b > 0:
        after = nd + normalized_debt_for_borrow(Wad(b), Ray(rate)).value
        assert passes_pool_check(c, after, rate, spot)
        assert not breaches_margin(c, after, rate, er, lt, margin)
    # one wei more either fails the pool check or breaches the margin (unless that wei adds no
    # normalized debt at all: a borrow that sends nothing is not a borrow)
    more = nd + normalized_debt_for_borrow(Wad(b + 1), Ray(rate)).value
    if more > nd:
        assert not passes_pool_check(c, more, rate, spot) or breaches_margin(
            c, more, rate, er, lt, margin
        )


@settings(max_examples=200)
@given(collaterals, debts, rates, exchange_rates, fractions, fractions, margins)
def test_withdraw_within_margin_is_the_largest_that_keeps_the_margin(
    c: int, nd: int, rate: int, er: int, lt: int, ltv: int, margin: int
) -> None:
    from ion_cli.position_math import breaches_margin, max_withdraw_within_margin

    spot = ray_mul_down(ltv, er * 10**9)
    w = max_withdraw_within_margin(c, nd, rate, spot, er, lt, margin)
    assert 0 <= w <= max_withdrawable_collateral(c, nd, rate, spot)
    if w > 0:
        assert passes_pool_check(c - w, nd, rate, spot)
        assert not breaches_margin(c - w, nd, rate, er, lt, margin)
    if w < c:
        left = c - w - 1
        assert not passes_pool_check(left, nd, rate, spot) or breaches_margin(
            left, nd, rate, er, lt, margin
        )
