"""Leverage and deleverage targets of one vault, from plain ints (pure, no I/O).

Units follow ``position_math``: amounts in WAD (token base units), ``exchange_rate`` (the reserve
rate, collateral -> base) and prices in WAD, leverage, LTV and fractions in RAY (1e27 = 1.0).

Leverage is measured as ``ion position`` measures it: collateral value at the reserve rate over
equity, ``L = C*er / (C*er - debt)``. Levering up adds collateral ``X`` (the user's deposit ``D``
included) and pays for the part not deposited, ``X - D``, with new debt at ``cost`` base tokens
per collateral token (mint price times swap price, fees included). Solving
``(c0 + X)*er = L * ((c0 + X)*er - d0 - (X - D)*cost)`` for X gives

    X = L*(d0 - D*cost) ... rearranged:  X = (c0*er*(L-1) - L*d0 + L*D*cost) / (L*cost - er*(L-1))

When collateral is bought below its reserve value (``cost < er``) every purchase adds equity, and
leverage tends to ``er / (er - cost)`` without reaching it; at or above par any leverage is
reachable by the math (the pool's LTV stops it first).
Deleverage removes collateral ``X`` sold at ``proceeds`` base per collateral token and repays
``X*proceeds``: ``X = (L*d0 - c0*er*(L-1)) / (L*proceeds - er*(L-1))``.

Where the figure is a bound sent to a contract it rounds against the user's wish to succeed
(collateral down, debt bounds up); where it is shown it rounds towards risk (leverage up).
"""

from __future__ import annotations

from dataclasses import dataclass

from ion_cli.units import RAY, WAD, ceil_div, mul_div_up, wad_mul_up


class LeverageError(ValueError):
    """A target that cannot be reached with these inputs (said in words)."""


@dataclass(frozen=True, slots=True)
class Vault:
    collateral: int  # WAD
    debt: int  # WAD of the base asset (normalized debt * rate, rounded up)


@dataclass(frozen=True, slots=True)
class LeverTarget:
    """What a lever-up must do: the handler's arguments before slippage."""

    additional_collateral: int  # WAD, total added including the deposit
    deposit: int  # WAD, brought by the user
    expected_new_debt: int  # WAD of base, the cost of the collateral not deposited

    @property
    def bought_collateral(self) -> int:
        return self.additional_collateral - self.deposit


@dataclass(frozen=True, slots=True)
class UnwindTarget:
    """What a deleverage must do: collateral sold and the debt its proceeds repay."""

    collateral_to_remove: int  # WAD
    expected_repay: int  # WAD of base


def leverage_of(vault: Vault, exchange_rate: int) -> int | None:
    """Leverage at the reserve rate [RAY, rounded up]; RAY without debt, None without equity."""
    value = vault.collateral * exchange_rate  # WAD*WAD
    debt = vault.debt * WAD
    if debt == 0:
        return RAY
    if value <= debt:
        return None
    return ceil_div(value * RAY, value - debt)


def leverage_for_ltv(ltv: int) -> int:
    """The leverage [RAY] at which debt / collateral value equals ``ltv`` [RAY]: 1 / (1 - ltv)."""
    if not 0 <= ltv < RAY:
        raise LeverageError("an LTV must be at least 0 and below 1")
    return ceil_div(RAY * RAY, RAY - ltv)


def ltv_for_leverage(leverage: int) -> int:
    """Debt / collateral value [RAY] at ``leverage`` [RAY]: 1 - 1/L."""
    if leverage < RAY:
        raise LeverageError("leverage is at least 1x")
    return RAY - ceil_div(RAY * RAY, leverage)


def max_reachable_leverage(exchange_rate: int, cost: int) -> int | None:
    """The leverage [RAY] that no amount of bought collateral reaches; None when unbounded.

    Buying below the reserve value (``cost < er``) adds equity with every token, so leverage
    tends to ``er / (er - cost)``; at or above it the math has no ceiling (the LTV has).
    """
    if cost >= exchange_rate:
        return None
    return exchange_rate * RAY // (exchange_rate - cost)


def lever_up(
    vault: Vault, deposit: int, target_leverage: int, exchange_rate: int, cost: int
) -> LeverTarget:
    """Collateral to add (deposit included) and the debt it costs to reach ``target_leverage``.

    ``cost`` is the base asset paid per collateral token bought [WAD], fees included.
    """
    if deposit < 0 or cost <= 0 or exchange_rate <= 0:
        raise LeverageError("deposit, cost and exchange rate must be positive")
    if target_leverage < RAY:
        raise LeverageError("a leverage target is at least 1x")
    lm1 = target_leverage - RAY  # L - 1 [RAY]
    # Scale everything to WAD*WAD*RAY so the divisions happen once.
    numerator = (
        vault.collateral * exchange_rate * lm1
        - target_leverage * vault.debt * WAD
        + target_leverage * deposit * cost
    )
    denominator = target_leverage * cost - exchange_rate * lm1
    if denominator <= 0:
        limit = max_reachable_leverage(exchange_rate, cost)
        shown = f"{limit / RAY:.2f}x" if limit else "it"
        raise LeverageError(
            f"leverage {target_leverage / RAY:.2f}x is out of reach at this price: "
            f"collateral bought below its value adds equity as fast as debt (below {shown})"
        )
    if numerator <= 0:
        raise LeverageError(
            "the vault is already at or above that leverage (use deleverage to lower it)"
        )
    additional = numerator // denominator  # rounded down: never overshoot the target
    if additional < deposit:
        raise LeverageError(
            "the deposit alone already exceeds that leverage: deposit less or aim higher"
        )
    bought = additional - deposit
    return LeverTarget(
        additional_collateral=additional,
        deposit=deposit,
        expected_new_debt=wad_mul_up(bought, cost),
    )


def unwind_to(
    vault: Vault, target_leverage: int, exchange_rate: int, proceeds: int
) -> UnwindTarget:
    """Collateral to sell and debt to repay to bring the vault down to ``target_leverage``.

    ``proceeds`` is the base asset received per collateral token sold [WAD], fees included.
    """
    if proceeds <= 0 or exchange_rate <= 0:
        raise LeverageError("proceeds and exchange rate must be positive")
    if target_leverage < RAY:
        raise LeverageError("a leverage target is at least 1x")
    if target_leverage == RAY:
        return close(vault, proceeds)
    lm1 = target_leverage - RAY
    numerator = target_leverage * vault.debt * WAD - vault.collateral * exchange_rate * lm1
    denominator = target_leverage * proceeds - exchange_rate * lm1
    if numerator <= 0:
        raise LeverageError("the vault is already at or below that leverage")
    if denominator <= 0:
        raise LeverageError(
            "selling collateral at this price cannot lower the leverage that far: "
            "each token sold repays less than it removes"
        )
    remove = ceil_div(numerator, denominator)  # rounded up: end at or below the target
    remove = min(remove, vault.collateral)
    repay = min(vault.debt, remove * proceeds // WAD)
    return UnwindTarget(collateral_to_remove=remove, expected_repay=repay)


def close(vault: Vault, proceeds: int) -> UnwindTarget:
    """Sell just enough collateral to repay the whole debt."""
    if proceeds <= 0:
        raise LeverageError("proceeds must be positive")
    remove = ceil_div(vault.debt * WAD, proceeds)
    if remove > vault.collateral:
        raise LeverageError("the collateral does not cover the debt at this price")
    return UnwindTarget(collateral_to_remove=remove, expected_repay=vault.debt)


def with_slippage(amount: int, max_slippage: int) -> int:
    """An upper bound ``amount * (1 + max_slippage)`` [slippage in RAY], rounded up."""
    if max_slippage < 0:
        raise LeverageError("slippage cannot be negative")
    return mul_div_up(amount, RAY + max_slippage, RAY)


def at_least_after_slippage(amount: int, max_slippage: int) -> int:
    """A lower bound ``amount * (1 - max_slippage)``, rounded down."""
    if not 0 <= max_slippage < RAY:
        raise LeverageError("slippage must be at least 0 and below 100%")
    return amount * (RAY - max_slippage) // RAY


def net_yield(leverage: int, collateral_yield: int, borrow_rate: int) -> int:
    """Net yield on equity [RAY]: ``L*y - (L-1)*b`` (yields and rates as RAY fractions a year)."""
    return (leverage * collateral_yield - (leverage - RAY) * borrow_rate) // RAY


@dataclass(frozen=True, slots=True)
class LoopStep:
    borrow: int  # WAD of base borrowed this step
    collateral_in: int  # WAD of collateral deposited this step (bought with the borrow)


def loop_schedule(
    vault: Vault,
    deposit: int,
    target_leverage: int,
    exchange_rate: int,
    cost: int,
    max_ltv_per_step: int,
    max_steps: int = 32,
) -> list[LoopStep]:
    """Borrow -> buy -> deposit steps that reach the same end state as ``lever_up``.

    Each step borrows as much as the vault allows at ``max_ltv_per_step`` [RAY, of the reserve
    value], but never more than the target still needs; the last step lands on the target.
    Raises when ``max_steps`` are not enough (the LTV cap is too close to the target).
    """
    goal = lever_up(vault, deposit, target_leverage, exchange_rate, cost)
    goal_debt = vault.debt + goal.expected_new_debt
    collateral = vault.collateral + deposit
    debt = vault.debt
    steps: list[LoopStep] = []
    while debt < goal_debt:
        if len(steps) >= max_steps:
            raise LeverageError(f"loop mode needs more than {max_steps} steps to reach this target")
        room = collateral * exchange_rate // WAD * max_ltv_per_step // RAY - debt
        if room <= 0:
            raise LeverageError("the vault has no borrowing room left at the per-step LTV")
        borrow = min(room, goal_debt - debt)
        bought = borrow * WAD // cost
        steps.append(LoopStep(borrow=borrow, collateral_in=bought))
        collateral += bought
        debt += borrow
    return steps
