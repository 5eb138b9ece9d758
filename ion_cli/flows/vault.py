"""Borrower flows: deposit collateral, borrow, repay (all: exactly zero debt), withdraw.

Each flow reads the market and the vault, checks what the contracts would refuse (to say it in
the user's terms before anything is simulated), refuses positions that end within the safety
margin of liquidation unless forced, then hands one plan to the transaction pipeline and ends
by reading the resulting position."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ion_cli import position_math as pm
from ion_cli.chain.contracts import GemJoin, IonPool
from ion_cli.chain.market_state import MarketState, VaultState, read_market, read_vault
from ion_cli.chain.plan import Call, Plan
from ion_cli.errors import RefusedError, UsageError
from ion_cli.flows.figures import RAD, RAY, WAD, text
from ion_cli.flows.installed import require_market
from ion_cli.flows.position import position_figures, safety_check
from ion_cli.flows.session import Session
from ion_cli.flows.writes import (
    WriteOptions,
    approval_calls,
    require_balance,
    result_document,
    run_plan,
)
from ion_cli.render import fmt_amount
from ion_cli.results import Position, Unknown, WriteResult
from ion_cli.units import (
    Ray,
    Wad,
    accrue,
    normalized_debt_for_borrow,
    normalized_debt_for_repay,
    repay_in,
)

if TYPE_CHECKING:
    from ion_cli.chain.rpc import Reader

# Interest accrues every second between the preview and the block that includes the repay:
# the approval covers this much time of accrual (the pool pulls only what is owed).
REPAY_ALLOWANCE_HORIZON_S = 900


def _context(session: Session, symbol: str) -> tuple[Reader, MarketState, VaultState, str]:
    """The run's reader, the market, the account's vault in it, and the account."""
    reader = session.reader()
    market = read_market(reader, session.profile, require_market(session, symbol))
    me = session.account().address
    return reader, market, read_vault(reader, session.profile, market, me), me


def _gem_join(session: Session, market: MarketState) -> str:
    return session.profile.address(session.profile.market(market.symbol), "gem_join")


def deposit(session: Session, symbol: str, amount: int, options: WriteOptions) -> WriteResult:
    reader, market, vault, me = _context(session, symbol)
    if amount <= 0:
        raise UsageError("the amount to deposit must be greater than zero")
    join = _gem_join(session, market)
    require_balance(reader, market.collateral_token, me, amount, market.symbol)
    calls = approval_calls(
        reader,
        market.collateral_token,
        me,
        join,
        amount,
        market.symbol,
        f"the {market.symbol} GemJoin",
        options.approve_max,
    )
    calls += [
        GemJoin(join).join(
            me,
            amount,
            description=f"move {text(amount, WAD)} {market.symbol} into the pool's GemJoin",
        ),
        IonPool(market.pool).depositCollateral(
            market.ilk_index,
            me,
            me,
            amount,
            [],
            description=f"deposit {text(amount, WAD)} {market.symbol} as collateral",
        ),
    ]
    after = vault.changed(collateral=amount)
    change = VaultChange("deposit", amount, market.symbol, after, False)
    return _run_change(session, market, change, calls, options)


def borrow(session: Session, symbol: str, amount: int, options: WriteOptions) -> WriteResult:
    _, market, vault, me = _context(session, symbol)
    if amount <= 0:
        raise UsageError("the amount to borrow must be greater than zero")
    if amount > market.liquidity:
        raise UsageError(
            f"the {market.symbol} pool has only {text(market.liquidity, WAD)} "
            f"{market.base_symbol} available to borrow"
        )
    nd = normalized_debt_for_borrow(Wad(amount), Ray(market.rate)).value
    after = vault.changed(normalized_debt=nd)
    new_total = (market.total_normalized_debt + nd) * market.rate
    if new_total > market.debt_ceiling:
        raise RefusedError(
            f"borrowing {text(amount, WAD)} {market.base_symbol} would exceed the market's debt "
            f"ceiling of {text(market.debt_ceiling, RAD)}"
        )
    if not pm.passes_pool_check(after.collateral, after.normalized_debt, market.rate, market.spot):
        limits = position_figures(market, vault, session.safety_margin, session.profile.name)
        raise RefusedError(
            f"unsafe: borrowing {text(amount, WAD)} {market.base_symbol} exceeds the borrowing "
            f"limit of this vault (at most {limits.max_borrow} {market.base_symbol} more"
            f"{_within_margin(limits.max_borrow_safe)})"
        )
    if pm.is_dusty(after.normalized_debt, market.rate, market.dust):
        raise RefusedError(
            f"the vault's debt would be {text(after.normalized_debt * market.rate, RAD)}, "
            "below the "
            f"market's dust of {text(market.dust, RAD)} {market.base_symbol}: borrow more"
        )
    call = IonPool(market.pool).borrow(
        market.ilk_index,
        me,
        me,
        nd,
        [],
        description=f"borrow {text(amount, WAD)} {market.base_symbol}",
    )
    change = VaultChange("borrow", amount, market.base_symbol, after, True)
    return _run_change(session, market, change, [call], options)


def repay(session: Session, symbol: str, amount: int | None, options: WriteOptions) -> WriteResult:
    """Repay `amount` of base asset, or everything (`None`): repaying the vault's whole
    normalized debt leaves exactly zero, whatever interest accrued before the block."""
    reader, market, vault, me = _context(session, symbol)
    if vault.normalized_debt == 0:
        raise UsageError(f"the {market.symbol} vault of {me} has no debt to repay")
    if amount is not None and amount <= 0:
        raise UsageError("the amount to repay must be greater than zero")
    rate = market.rate
    if amount is None:
        nd = vault.normalized_debt
    else:
        # floor: never pulls more than asked at today's rate
        nd = normalized_debt_for_repay(Wad(amount), Ray(rate)).value
        if nd == 0:
            raise UsageError(
                f"{text(amount, WAD)} {market.base_symbol} is too small to repay: it clears no "
                f"unit of debt at the rate {text(rate, RAY)}"
            )
        if nd >= vault.normalized_debt:
            raise UsageError(
                f"{text(amount, WAD)} {market.base_symbol} covers the whole debt: use `ion repay "
                f"{market.symbol} all` to repay exactly what is owed"
            )
        left = (vault.normalized_debt - nd) * rate
        if pm.is_dusty(vault.normalized_debt - nd, rate, market.dust):
            raise RefusedError(
                f"repaying {text(amount, WAD)} would leave {text(left, RAD)} {market.base_symbol} "
                f"of debt, below the dust of {text(market.dust, RAD)}: repay all, or at most "
                f"{text((vault.normalized_debt * rate - market.dust) // RAY, WAD)}"
            )
    owed_now = repay_in(Wad(nd), Ray(rate)).value
    later_rate = accrue(Ray(rate), Ray(market.borrow_rate - RAY), REPAY_ALLOWANCE_HORIZON_S).value
    owed_max = repay_in(Wad(nd), Ray(later_rate)).value
    # The balance must cover today's debt; the approval also covers interest that accrues
    # before the transaction is mined (the pool pulls only what is owed then).
    require_balance(reader, market.base_token, me, owed_now, market.base_symbol)
    calls = approval_calls(
        reader,
        market.base_token,
        me,
        market.pool,
        owed_max,
        market.base_symbol,
        f"the {market.symbol} IonPool",
        options.approve_max,
    )
    calls.append(
        IonPool(market.pool).repay(
            market.ilk_index,
            me,
            me,
            nd,
            description=(
                f"repay {'all debt' if amount is None else 'debt'}: about "
                f"{text(owed_now, WAD)} {market.base_symbol}"
            ),
        )
    )
    after = vault.changed(normalized_debt=-nd)
    change = VaultChange(
        "repay", owed_now, market.base_symbol, after, False, extra={"repay_all": amount is None}
    )
    return _run_change(session, market, change, calls, options)


def withdraw(
    session: Session, symbol: str, amount: int | None, options: WriteOptions
) -> WriteResult:
    _, market, vault, me = _context(session, symbol)
    if amount is None:
        if vault.normalized_debt > 0:
            raise RefusedError(
                f"the vault still has debt: repay it first (`ion repay {market.symbol} all`), "
                "or withdraw a safe amount"
            )
        amount = vault.collateral
        if amount == 0:
            raise UsageError(f"the {market.symbol} vault of {me} holds no collateral")
    if amount <= 0:
        raise UsageError("the amount to withdraw must be greater than zero")
    if amount > vault.collateral:
        raise UsageError(
            f"cannot withdraw {text(amount, WAD)} {market.symbol}: the vault holds "
            f"{text(vault.collateral, WAD)}"
        )
    after = vault.changed(collateral=-amount)
    if not pm.passes_pool_check(after.collateral, after.normalized_debt, market.rate, market.spot):
        limits = position_figures(market, vault, session.safety_margin, session.profile.name)
        raise RefusedError(
            f"unsafe: withdrawing {text(amount, WAD)} {market.symbol} would put the debt above the "
            f"borrowing limit (at most {limits.max_withdraw} can go"
            f"{_within_margin(limits.max_withdraw_safe)})"
        )
    join = _gem_join(session, market)
    calls = [
        IonPool(market.pool).withdrawCollateral(
            market.ilk_index,
            me,
            me,
            amount,
            description=f"withdraw {text(amount, WAD)} {market.symbol} from the vault",
        ),
        GemJoin(join).exit(
            me, amount, description=f"take {text(amount, WAD)} {market.symbol} out of the GemJoin"
        ),
    ]
    change = VaultChange("withdraw", amount, market.symbol, after, True)
    return _run_change(session, market, change, calls, options)


def finish_deposit(session: Session, symbol: str, options: WriteOptions) -> WriteResult:
    """Deposit the tokens waiting in the GemJoin (gem: a deposit that stopped between its join
    and depositCollateral steps) into the vault as collateral: IonPool.depositCollateral."""
    _, market, vault, me = _context(session, symbol)
    if vault.gem == 0:
        raise UsageError(f"the {market.symbol} GemJoin holds no tokens of {me}: nothing to finish")
    call = IonPool(market.pool).depositCollateral(
        market.ilk_index,
        me,
        me,
        vault.gem,
        [],
        description=f"deposit the {text(vault.gem, WAD)} {market.symbol} waiting in the GemJoin",
    )
    after = replace(vault.changed(collateral=vault.gem), gem=0)
    change = VaultChange("deposit", vault.gem, market.symbol, after, False, {"from_gem": True})
    return _run_change(session, market, change, [call], options)


def return_gem(session: Session, symbol: str, options: WriteOptions) -> WriteResult:
    """Return the tokens waiting in the GemJoin (gem) to the wallet: GemJoin.exit."""
    _, market, vault, me = _context(session, symbol)
    if vault.gem == 0:
        raise UsageError(f"the {market.symbol} GemJoin holds no tokens of {me}: nothing to return")
    join = _gem_join(session, market)
    call = GemJoin(join).exit(
        me,
        vault.gem,
        description=f"return the {text(vault.gem, WAD)} {market.symbol} in the GemJoin to {me}",
    )
    change = VaultChange(
        "return", vault.gem, market.symbol, replace(vault, gem=0), False, {"from_gem": True}
    )
    return _run_change(session, market, change, [call], options)


def _within_margin(amount: Decimal | Unknown | None) -> str:
    """ "; X within the safety margin", or nothing when that limit is unknown."""
    return f"; {amount} within the safety margin" if isinstance(amount, Decimal) else ""


@dataclass(frozen=True)
class VaultChange:
    """What a vault write does, for its plan's title, preview and safety check."""

    action: str  # "deposit", "borrow", "repay", "withdraw", "return" (gem to the wallet)
    amount: int  # WAD, in `unit`
    unit: str
    after: VaultState  # the vault once the plan is mined
    check_safety: bool  # borrow and withdraw must keep the safety margin (unless forced)
    extra: dict[str, Any] = field(default_factory=dict)  # more JSON summary


def _run_change(
    session: Session,
    market: MarketState,
    change: VaultChange,
    calls: list[Call],
    options: WriteOptions,
) -> WriteResult:
    margin, network = session.safety_margin, session.profile.name
    projected = position_figures(market, change.after, margin, network)
    if change.check_safety and not options.force:
        safety_check(market, change.after, margin, network)
    amount = f"{text(change.amount, WAD)} {change.unit}"
    health = projected.health
    plan = Plan(
        title=f"{change.action.capitalize()} {amount} ({market.symbol} market)",
        calls=calls,
        summary={
            change.action: amount,
            "collateral after": f"{projected.collateral} {market.symbol}",
            "debt after": f"{projected.debt} {market.base_symbol}",
            "health after": (fmt_amount(health, 4, down=True) if health is not None else "no debt"),
            "liquidation rate after": str(projected.liquidation_exchange_rate or "-"),
        },
        json_summary={
            "action": change.action,
            "market": market.symbol,
            "amount": text(change.amount, WAD),
            "projected_position": projected,
            **change.extra,
        },
    )
    result = run_plan(session, plan, options)

    def read_back() -> Position:
        reader = session.reader()
        fresh = read_market(reader, session.profile, require_market(session, market.symbol))
        return position_figures(
            fresh, read_vault(reader, session.profile, fresh, change.after.address), margin, network
        )

    return result_document(session, plan, result, options, read_back)
