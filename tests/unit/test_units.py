"""Units as types, the contracts' rounding rules, and the interest conventions (Appendix D)."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ion_cli.units import (
    MAINNET_CURVE,
    RAD,
    RAY,
    SECONDS_PER_YEAR,
    WAD,
    InterestRateCurve,
    Rad,
    Ray,
    Wad,
    accrue,
    apr,
    apy,
    borrow_out,
    debt_value,
    lender_balance,
    mul_div_up,
    normalized_debt_for_borrow,
    normalized_debt_for_repay,
    per_second_rate_from_apr,
    ray_div_up,
    ray_mul_down,
    ray_mul_up,
    repay_in,
    rpow,
    supply_mint,
    utilization,
    withdraw_burn,
)

amounts = st.integers(min_value=0, max_value=10**30)
# The debt accumulator starts at RAY and only grows; factors above ~10x are decades away.
rates = st.integers(min_value=RAY, max_value=10 * RAY)
per_second = st.integers(min_value=0, max_value=64 * 10**18)  # up to ~200% APR


# ---- the types -------------------------------------------------------------------------------


def test_scales_and_exact_conversions() -> None:
    one = Wad.from_decimal("1")
    assert one.value == WAD
    assert one.to_ray() == Ray(RAY)
    assert one.to_rad() == Rad(RAD)
    assert Ray(RAY).to_rad() == Rad(RAD)
    assert Ray(10**9 + 1).to_wad_down() == Wad(1)
    assert Ray(10**9 + 1).to_wad_up() == Wad(2)
    assert Rad(RAY + 1).to_wad_down() == Wad(1)
    assert Rad(RAY + 1).to_wad_up() == Wad(2)
    assert Rad(WAD * 3 - 1).to_ray_down() == Ray(2)
    assert Rad(WAD * 3 - 1).to_ray_up() == Ray(3)


def test_normalized_debt_times_rate_is_rad() -> None:
    nd = Wad.from_decimal("2")
    rate = Ray.from_decimal("1.05")
    assert nd * rate == Rad.from_decimal("2.1")
    assert rate * nd == nd * rate
    assert debt_value(nd, rate) == nd * rate


def test_same_unit_arithmetic_and_ordering() -> None:
    a, b = Wad(5), Wad(3)
    assert a + b == Wad(8)
    assert a - b == Wad(2)
    assert -a == Wad(-5)
    assert abs(Wad(-5)) == a
    assert b < a <= a and a > b >= b
    assert a.times(3) == Wad(15)
    assert int(a) == 5
    assert not Wad(0) and Wad(1)
    assert sorted([a, b]) == [b, a]


def test_mixing_units_is_a_type_error_at_runtime_too() -> None:
    with pytest.raises(TypeError):
        Wad(1) + Ray(1)  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = Wad(1) < Ray(1)  # type: ignore[operator]
    with pytest.raises(TypeError):
        Wad(1) * Wad(1)  # type: ignore[operator]
    with pytest.raises(TypeError):
        Wad(1).ray_mul_down(Wad(1))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        borrow_out(Ray(1), Wad(1))  # type: ignore[arg-type]
    assert Wad(1) != Ray(1)  # type: ignore[comparison-overlap]


@pytest.mark.parametrize("bad", [1.5, True, "1", Decimal(1)])
def test_only_ints_become_units(bad: object) -> None:
    with pytest.raises(TypeError):
        Wad(bad)  # type: ignore[arg-type]


def test_decimal_form() -> None:
    w = Wad(1_500_000_000_000_000_000)
    assert str(w) == "1.5"
    assert repr(w) == "Wad(1500000000000000000)"
    assert w.to_decimal() == Decimal("1.5")
    assert w.to_json() == "1.5"
    assert f"{w:.3f}" == "1.500"
    assert f"{w}" == "1.5"
    assert str(Wad(1)) == "0.000000000000000001"
    assert str(Wad(-WAD)) == "-1"
    assert str(Ray.from_decimal("0.83")) == "0.83"
    assert str(Rad(RAD * 4)) == "4"
    # RAD values have 45 decimals, past Decimal's default 28-digit context: still exact.
    assert Rad(RAD + 1).to_decimal() == Decimal("1." + "0" * 44 + "1")


def test_from_decimal_refuses_to_round() -> None:
    assert Wad.from_decimal(Decimal("1e-18")) == Wad(1)
    assert Wad.from_decimal(3) == Wad(3 * WAD)
    assert Wad.from_decimal("-2.5") == Wad(-25 * 10**17)
    with pytest.raises(ValueError, match="more than 18 decimals"):
        Wad.from_decimal("1e-19")
    with pytest.raises(ValueError):
        Wad.from_decimal("NaN")
    with pytest.raises(ValueError):
        Wad.from_decimal("Infinity")
    with pytest.raises(ValueError):
        Wad.from_decimal("abc")


@given(st.integers(min_value=-(2**256), max_value=2**256))
def test_decimal_round_trip(value: int) -> None:
    for cls in (Wad, Ray, Rad):
        x = cls(value)
        assert cls.from_decimal(x.to_decimal()) == x
        assert cls.from_decimal(str(x)) == x


# ---- WadRayMath mirrors ----------------------------------------------------------------------


def test_directed_rounding() -> None:
    third = Ray(RAY // 3)
    assert Wad(10).ray_mul_down(third) == Wad(3)
    assert Wad(10).ray_mul_up(third) == Wad(4)
    assert Wad(10).ray_div_down(Ray(3 * RAY)) == Wad(3)
    assert Wad(10).ray_div_up(Ray(3 * RAY)) == Wad(4)
    assert Wad(10).wad_mul_down(Wad(WAD // 3)) == Wad(3)
    assert Wad(10).wad_mul_up(Wad(WAD // 3)) == Wad(4)
    assert Wad(10).wad_div_down(Wad(3 * WAD)) == Wad(3)
    assert Wad(10).wad_div_up(Wad(3 * WAD)) == Wad(4)
    assert mul_div_up(0, 5, 7) == 0
    assert ray_mul_up(RAY, RAY) == RAY


def test_rpow_hand_figures() -> None:
    assert rpow(2 * RAY, 10) == 1024 * RAY
    assert rpow(3 * RAY, 5) == 243 * RAY
    assert rpow(RAY + 7, 1) == RAY + 7
    assert rpow(RAY + 7, 0) == RAY
    assert rpow(0, 0) == RAY  # x**0 is the base, also for x = 0 (as the Solidity)
    assert rpow(0, 5) == 0
    assert rpow(WAD // 2, 2, WAD) == WAD // 4
    # half-up rounding of each product: 1.5 wei rounds to 2
    assert rpow(3, 2, 6) == 2  # (3*3 + 3) // 6
    with pytest.raises(OverflowError):
        rpow(2**200, 4)
    with pytest.raises(ValueError):
        rpow(RAY, -1)


@settings(max_examples=200)
@given(per_second, st.integers(min_value=0, max_value=SECONDS_PER_YEAR))
def test_rpow_tracks_the_exact_power(r: int, n: int) -> None:
    # Each half-up step is off by at most half a unit of 1e-27, and every later squaring
    # doubles an earlier error, so the relative error grows like n units: n * 1e-27 of the
    # value (3e-20 after a year), far below a wei of any real debt.
    with localcontext() as ctx:
        ctx.prec = 80
        exact = (Decimal(RAY + r) / RAY) ** n * RAY
        assert abs(rpow(RAY + r, n) - exact) <= max(n, 1) * exact / RAY


# ---- the protocol's rounding rules -----------------------------------------------------------


def test_borrow_and_repay_hand_figures() -> None:
    rate = Ray.from_decimal("1.5")
    nd = normalized_debt_for_borrow(Wad(10), rate)  # ceil(10 / 1.5) = 7 (was floor: 6)
    assert nd == Wad(7)
    assert borrow_out(nd, rate) == Wad(10)  # floor(7 * 1.5): at least the ask (was 9)
    assert repay_in(Wad(7), rate) == Wad(11)  # ceil(10.5)
    assert normalized_debt_for_repay(Wad(11), rate) == Wad(7)


@settings(max_examples=200)
@given(amounts, rates)
def test_borrow_never_sends_less_than_asked_and_little_more(b: int, rate: int) -> None:
    amount, r = Wad(b), Ray(rate)
    nd = normalized_debt_for_borrow(amount, r)
    got = borrow_out(nd, r)
    assert got >= amount
    assert nd.value * rate >= b * RAY  # the debt is at least the ask: never under a dust of B
    # One normalized wei is worth rate/RAY wei: up to ceil(rate/RAY) wei more than asked.
    assert got.value - amount.value <= -(-rate // RAY)


@settings(max_examples=200)
@given(amounts, st.integers(min_value=1, max_value=10 * RAY))
def test_repay_pulls_at_least_what_borrow_sent(nd: int, rate: int) -> None:
    n, r = Wad(nd), Ray(rate)
    assert repay_in(n, r) >= borrow_out(n, r)
    assert repay_in(n, r).value - borrow_out(n, r).value <= 1


@settings(max_examples=200)
@given(amounts, rates)
def test_repay_of_an_amount_never_pulls_more_than_it(a: int, rate: int) -> None:
    amount, r = Wad(a), Ray(rate)
    nd = normalized_debt_for_repay(amount, r)
    assert repay_in(nd, r) <= amount
    assert repay_in(nd + Wad(1), r) > amount  # and it is the largest such


@settings(max_examples=200)
@given(amounts, rates)
def test_supply_then_withdraw_never_returns_more(a: int, factor: int) -> None:
    amount, f = Wad(a), Ray(factor)
    minted = supply_mint(amount, f)
    balance = lender_balance(minted, f)
    assert balance <= amount  # the lender sees at most what they paid in
    assert withdraw_burn(balance, f) <= minted  # and can take all of it back
    assert withdraw_burn(amount, f) >= minted  # withdrawing more than the balance needs more
    if withdraw_burn(amount, f) <= minted:
        assert balance == amount


# ---- interest --------------------------------------------------------------------------------


def test_accrue_hand_figures() -> None:
    rate = Ray(RAY)
    assert accrue(rate, Ray(0), 10**6) == rate
    assert accrue(rate, Ray(123), 0) == rate
    # one second at r adds rate * r / RAY, rounded up
    assert accrue(Ray(3 * RAY), Ray(10**18), 1) == Ray(3 * RAY + 3 * 10**18)
    assert accrue(Ray(RAY + 1), Ray(1), 1) == Ray(RAY + 1 + 2)  # ceil((RAY + 1) / RAY) = 2
    with pytest.raises(ValueError):
        accrue(rate, Ray(1), -1)


def test_mainnet_minimum_rate_is_567_apr_and_583_apy() -> None:
    r = MAINNET_CURVE.minimum_base_rate
    assert apr(r).quantize(Decimal("0.0001")) == Decimal("0.0567")
    assert apy(r).quantize(Decimal("0.0001")) == Decimal("0.0583")
    # a year of accrual from RAY lands on the same 5.83%
    year = accrue(Ray(RAY), r, SECONDS_PER_YEAR)
    assert (year.to_decimal() - 1).quantize(Decimal("0.0001")) == Decimal("0.0583")


def test_apr_of_567_percent() -> None:
    r = per_second_rate_from_apr("0.0567")
    assert r == Ray(1_797_945_205_479_452_054)  # floor(0.0567e27 / 31,536,000)
    assert Decimal("0.0567") - apr(r) < Decimal("1e-19")
    assert apy(r).quantize(Decimal("0.0001")) == Decimal("0.0583")  # e^0.0567 - 1 = 5.834%


def test_interest_curve_mainnet_figures() -> None:
    c = MAINNET_CURVE
    assert c.per_second_rate(Ray(0)) == c.minimum_base_rate
    assert c.per_second_rate(Ray(9 * RAY // 10)) == c.rate_at_kink
    assert c.per_second_rate(Ray(RAY)) == Ray(c.rate_at_kink.value + c.slope_above_kink.value)
    assert apr(c.rate_at_kink).quantize(Decimal("0.001")) == Decimal("0.125")
    assert apr(c.slope_above_kink).quantize(Decimal("0.01")) == Decimal("2.02")
    # halfway to the kink: halfway between the minimum and the kink rate (floored)
    half = c.per_second_rate(Ray(45 * RAY // 100))
    assert half == Ray((c.minimum_base_rate.value + c.rate_at_kink.value) // 2)
    assert c.reserve_factor == Ray(0)


@given(st.integers(min_value=0, max_value=2 * RAY), st.integers(min_value=0, max_value=2 * RAY))
def test_interest_curve_is_monotonic(u1: int, u2: int) -> None:
    lo, hi = sorted((u1, u2))
    assert MAINNET_CURVE.per_second_rate(Ray(lo)) <= MAINNET_CURVE.per_second_rate(Ray(hi))


def test_custom_curve() -> None:
    c = InterestRateCurve(Ray(0), Ray(100), Ray(RAY // 2), Ray(1000))
    assert c.per_second_rate(Ray(RAY // 4)) == Ray(50)
    assert c.per_second_rate(Ray(3 * RAY // 4)) == Ray(600)


def test_utilization() -> None:
    assert utilization(Rad(0), Wad(0)) == Ray(0)
    assert utilization(Rad.from_decimal("90"), Wad.from_decimal("100")) == Ray(9 * RAY // 10)
    assert utilization(Rad(5), Wad(0)) == Ray(0)


@given(amounts, rates, per_second, st.integers(min_value=0, max_value=10**6))
def test_accrual_only_grows(nd: int, rate: int, r: int, dt: int) -> None:
    after = accrue(Ray(rate), Ray(r), dt)
    assert after >= Ray(rate)
    assert accrue(after, Ray(r), 1) >= after
    assert repay_in(Wad(nd), after) >= repay_in(Wad(nd), Ray(rate))


def test_plain_int_helpers_agree_with_methods() -> None:
    assert ray_mul_down(7, RAY // 2) == Wad(7).ray_mul_down(Ray(RAY // 2)).value
    assert ray_div_up(7, 2 * RAY) == Wad(7).ray_div_up(Ray(2 * RAY)).value
