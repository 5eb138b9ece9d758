"""Lender flows: supply the base asset to a pool, redeem it (the rebasing lender token)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ion_cli.chain.plan import Call, Plan
from ion_cli.errors import UsageError
from ion_cli.flows.adapters import require_market
from ion_cli.flows.figures import WAD, text
from ion_cli.flows.market_state import MarketState, read_market
from ion_cli.flows.session import Session
from ion_cli.flows.writes import (
    WriteOptions,
    approval_calls,
    encode,
    require_balance,
    result_document,
    run_plan,
)
from ion_cli.results import LenderPosition, WriteResult

if TYPE_CHECKING:
    from ion_cli.chain.pipeline import ExecutionResult


def lender_position(session: Session, market: MarketState, address: str) -> LenderPosition:
    from ion_cli.chain.client import reading
    from ion_cli.chain.contracts import contract

    w3 = session.w3()
    pool = contract(w3, "IonPool", market.pool).functions
    with reading(w3, f"reading the {market.symbol} supply of {address}"):
        supplied = int(pool.balanceOf(address).call())
        normalized = int(pool.normalizedBalanceOf(address).call())
        factor = int(pool.supplyFactor().call())
    return LenderPosition(
        market=market.symbol,
        address=address,
        base=market.base_symbol,
        supplied=text(supplied, WAD),
        normalized_balance=text(normalized, WAD),
        supply_factor=text(factor, 10**27),
        wallet_base_balance=_wallet(session, market.base_token, address),
    )


def _wallet(session: Session, token: str, address: str) -> str | None:
    from ion_cli.flows.writes import token_balance

    return text(token_balance(session.w3(), token, address), WAD)


def _require_mintable(session: Session, market: MarketState, amount: int) -> None:
    """The pool mints amount.rayDivDown(supplyFactor) lender units and refuses zero
    (InvalidMintAmount): say so in the user's terms before simulating."""
    from ion_cli.chain.client import reading
    from ion_cli.chain.contracts import contract

    w3 = session.w3()
    with reading(w3, f"reading the {market.symbol} supply factor"):
        factor = int(contract(w3, "IonPool", market.pool).functions.supplyFactor().call())
    if amount * 10**27 // factor == 0:
        raise UsageError(
            f"{text(amount, WAD)} {market.base_symbol} is too small to supply: it mints no "
            f"lender units at the supply factor {text(factor, 10**27)}"
        )


def supply(session: Session, symbol: str, amount: int, options: WriteOptions) -> WriteResult:
    w3 = session.w3()
    market = read_market(w3, session.profile, require_market(session, symbol))
    me = session.account().address
    if amount <= 0:
        raise UsageError("the amount to supply must be greater than zero")
    _require_mintable(session, market, amount)
    require_balance(w3, market.base_token, me, amount, market.base_symbol)
    calls = approval_calls(
        w3,
        market.base_token,
        me,
        market.pool,
        amount,
        market.base_symbol,
        f"the {market.symbol} IonPool",
        options.approve_max,
    )
    calls.append(
        Call(
            to=market.pool,
            data=encode(w3, "IonPool", market.pool, "supply", [me, amount, []]),
            description=f"supply {text(amount, WAD)} {market.base_symbol} to the pool",
            method="IonPool.supply",
        )
    )
    plan = Plan(
        title=f"Supply {text(amount, WAD)} {market.base_symbol} to the {market.symbol} market",
        calls=calls,
        summary={"supply": f"{text(amount, WAD)} {market.base_symbol}", "from": me},
        json_summary={"action": "supply", "market": market.symbol, "amount": text(amount, WAD)},
    )
    result = run_plan(session, plan, options)
    return _finish(session, market, me, plan, result, options)


def redeem(session: Session, symbol: str, amount: int | None, options: WriteOptions) -> WriteResult:
    """Withdraw supplied base asset; `amount=None` redeems the whole lender balance."""
    from ion_cli.chain.contracts import contract

    w3 = session.w3()
    market = read_market(w3, session.profile, require_market(session, symbol))
    me = session.account().address
    from ion_cli.chain.client import reading

    with reading(w3, f"reading the {market.symbol} supply of {me}"):
        balance = int(contract(w3, "IonPool", market.pool).functions.balanceOf(me).call())
    if amount is None:
        amount = balance
        if amount == 0:
            raise UsageError(f"nothing to redeem: {me} has no supply in the {market.symbol} market")
    if amount <= 0:
        raise UsageError("the amount to redeem must be greater than zero")
    if amount > balance:
        raise UsageError(
            f"cannot redeem {text(amount, WAD)} {market.base_symbol}: supplied balance is "
            f"{text(balance, WAD)}"
        )
    if amount > market.liquidity:
        raise UsageError(
            f"the {market.symbol} pool has only {text(market.liquidity, WAD)} {market.base_symbol} "
            "available to withdraw"
        )
    plan = Plan(
        title=f"Redeem {text(amount, WAD)} {market.base_symbol} from the {market.symbol} market",
        calls=[
            Call(
                to=market.pool,
                data=encode(w3, "IonPool", market.pool, "withdraw", [me, amount]),
                description=f"withdraw {text(amount, WAD)} {market.base_symbol}",
                method="IonPool.withdraw",
            )
        ],
        summary={"redeem": f"{text(amount, WAD)} {market.base_symbol}", "to": me},
        json_summary={"action": "redeem", "market": market.symbol, "amount": text(amount, WAD)},
    )
    result = run_plan(session, plan, options)
    return _finish(session, market, me, plan, result, options)


def _finish(
    session: Session,
    market: MarketState,
    me: str,
    plan: Plan,
    result: ExecutionResult,
    options: WriteOptions,
) -> WriteResult:
    return result_document(
        session, plan, result, options, lambda: lender_position(session, market, me)
    )
