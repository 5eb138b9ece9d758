"""Leverage targets: hand-computed cases and properties (the end state lands on the target)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ion_cli.leverage_math import (
    LeverageError,
    Vault,
    at_least_after_slippage,
    close,
    lever_up,
    leverage_for_ltv,
    leverage_of,
    loop_schedule,
    ltv_for_leverage,
    max_reachable_leverage,
    net_yield,
    unwind_to,
    with_slippage,
)
from ion_cli.units import RAY, WAD

EMPTY = Vault(collateral=0, debt=0)

tokens = st.integers(min_value=WAD // 100, max_value=10_000 * WAD)
rates = st.integers(min_value=WAD // 2, max_value=2 * WAD)
targets = st.integers(min_value=RAY + RAY // 10, max_value=6 * RAY)


def test_fresh_vault_at_par_buys_deposit_times_leverage_minus_one() -> None:
    t = lever_up(EMPTY, 10 * WAD, 3 * RAY, exchange_rate=WAD, cost=WAD)
    assert t.additional_collateral == 30 * WAD
    assert t.bought_collateral == 20 * WAD
    assert t.expected_new_debt == 20 * WAD
    end = Vault(t.additional_collateral, t.expected_new_debt)
    assert leverage_of(end, WAD) == 3 * RAY


def test_costly_collateral_needs_more_debt_and_caps_leverage() -> None:
    # Each token costs 0.99 and is worth 1.00: leverage tends to 100x without reaching it.
    assert max_reachable_leverage(WAD, WAD * 99 // 100) == 100 * RAY
    assert max_reachable_leverage(WAD, WAD * 101 // 100) is None
    with pytest.raises(LeverageError, match="out of reach"):
        lever_up(EMPTY, WAD, 150 * RAY, WAD, WAD * 99 // 100)
    dear = lever_up(EMPTY, 10 * WAD, 3 * RAY, WAD, WAD * 101 // 100)
    cheap = lever_up(EMPTY, 10 * WAD, 3 * RAY, WAD, WAD)
    assert dear.additional_collateral < cheap.additional_collateral


@given(deposit=tokens, target=targets, er=rates, premium=st.integers(-3 * 10**16, 3 * 10**16))
def test_lever_up_lands_on_target_from_below(
    deposit: int, target: int, er: int, premium: int
) -> None:
    cost = er + er * premium // WAD  # within 3% of its reserve value
    limit = max_reachable_leverage(er, cost)
    assume(limit is None or target < limit * 9 // 10)
    t = lever_up(EMPTY, deposit, target, er, cost)
    end = Vault(t.additional_collateral, t.expected_new_debt)
    reached = leverage_of(end, er)
    assert reached is not None
    # Never above the target by more than rounding, and within 1e-9 of it.
    assert reached <= target + RAY // 10**12
    assert reached >= target - target // 10**9


@given(c0=tokens, deposit=st.integers(0, 100 * WAD), target=targets, er=rates)
def test_lever_up_existing_vault(c0: int, deposit: int, target: int, er: int) -> None:
    vault = Vault(c0, c0 * er // WAD // 4)  # 1.33x
    start = leverage_of(vault, er)
    assert start is not None
    assume(target > start + RAY // 100)
    t = lever_up(vault, deposit, target, er, er)
    end = Vault(c0 + t.additional_collateral, vault.debt + t.expected_new_debt)
    reached = leverage_of(end, er)
    assert reached is not None
    assert abs(reached - target) <= target // 10**9 + RAY // 10**12


@given(c=tokens, target=st.integers(RAY + RAY // 20, 3 * RAY), er=rates)
def test_unwind_lands_at_or_below_target(c: int, target: int, er: int) -> None:
    vault = Vault(c, c * er // WAD * 3 // 4)  # 4x
    u = unwind_to(vault, target, er, proceeds=er)
    end = Vault(c - u.collateral_to_remove, vault.debt - u.expected_repay)
    reached = leverage_of(end, er)
    assert reached is not None
    assert reached <= target + target // 10**9
    assert reached >= target - target // 10**6


def test_close_repays_everything() -> None:
    vault = Vault(30 * WAD, 20 * WAD)
    u = close(vault, proceeds=WAD * 99 // 100)
    assert u.expected_repay == 20 * WAD
    assert u.collateral_to_remove * WAD * 99 // 100 // WAD >= 20 * WAD - 1
    with pytest.raises(LeverageError, match="does not cover"):
        close(Vault(WAD, 2 * WAD), WAD)


def test_ltv_and_leverage_are_inverse() -> None:
    assert leverage_for_ltv(RAY // 2) == 2 * RAY
    assert ltv_for_leverage(2 * RAY) == RAY // 2
    assert leverage_for_ltv(0) == RAY
    with pytest.raises(LeverageError):
        leverage_for_ltv(RAY)


def test_slippage_bounds_round_outward() -> None:
    assert with_slippage(1000, RAY // 200) == 1005
    assert with_slippage(1, RAY // 200) == 2
    assert at_least_after_slippage(1000, RAY // 200) == 995


def test_net_yield_formula() -> None:
    # 3x at 4% collateral yield, 3% borrow: 12% - 6% = 6%.
    assert net_yield(3 * RAY, RAY * 4 // 100, RAY * 3 // 100) == RAY * 6 // 100


@given(deposit=tokens, target=st.integers(RAY + RAY // 10, 4 * RAY), er=rates)
def test_loop_schedule_reaches_the_flash_end_state(deposit: int, target: int, er: int) -> None:
    steps = loop_schedule(
        EMPTY, deposit, target, er, er, max_ltv_per_step=RAY * 8 // 10, max_steps=64
    )
    flash = lever_up(EMPTY, deposit, target, er, er)
    assert sum(s.borrow for s in steps) == flash.expected_new_debt
    bought = sum(s.collateral_in for s in steps)
    # Rounding per step loses at most a wei per step against the one-shot figure.
    assert abs(bought - flash.bought_collateral) <= len(steps) + 2


def test_loop_schedule_refuses_when_ltv_cap_is_below_target() -> None:
    with pytest.raises(LeverageError):
        loop_schedule(EMPTY, WAD, 6 * RAY, WAD, WAD, max_ltv_per_step=RAY // 2)
