"""Lender flows: supply the base asset to a pool, redeem it (the rebasing lender token)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ion_cli import units
from ion_cli.chain.market_state import MarketState, read_market
from ion_cli.chain.plan import Plan
from ion_cli.errors import UsageError
from ion_cli.flows.figures import RAY, WAD, figure, text
from ion_cli.flows.installed import require_market
from ion_cli.flows.session import Session
from ion_cli.flows.writes import (
    WriteOptions,
    approval_calls,
    require_balance,
    result_document,
    run_plan,
)
from ion_cli.results import LenderPosition, WriteResult

if TYPE_CHECKING:
    from ion_cli.chain.execution import ExecutionResult
    from ion_cli.chain.rpc import Reader


def lender_position(reader: Reader, market: MarketState, address: str) -> LenderPosition:
    from ion_cli.chain.contracts import ERC20, IonPool

    pool = IonPool(market.pool)
    supplied, normalized, factor, wallet = reader.read(
        [
            pool.balanceOf(address),
            pool.normalizedBalanceOf(address),
            pool.supplyFactor(),
            ERC20(market.base_token).balanceOf(address),
        ],
        "latest",
        f"reading the {market.symbol} supply of {address}",
    )
    return LenderPosition(
        market=market.symbol,
        address=address,
        base=market.base_symbol,
        supplied=figure(supplied, WAD),
        normalized_balance=figure(normalized, WAD),
        supply_factor=figure(factor, RAY),
        wallet_base_balance=figure(wallet, WAD),
    )


def _require_mintable(reader: Reader, market: MarketState, amount: int) -> None:
    """The pool mints amount.rayDivDown(supplyFactor) lender units and refuses zero
    (InvalidMintAmount): say so in the user's terms before simulating."""
    from ion_cli.chain.contracts import IonPool

    factor = int(
        reader.read_one(
            IonPool(market.pool).supplyFactor(),
            "latest",
            f"reading the {market.symbol} supply factor",
        )
    )
    if units.supply_mint(units.Wad(amount), units.Ray(factor)).value == 0:
        raise UsageError(
            f"{text(amount, WAD)} {market.base_symbol} is too small to supply: it mints no "
            f"lender units at the supply factor {text(factor, RAY)}"
        )


def supply(session: Session, symbol: str, amount: int, options: WriteOptions) -> WriteResult:
    from ion_cli.chain.contracts import IonPool

    reader = session.reader()
    market = read_market(reader, session.profile, require_market(session, symbol))
    me = session.account().address
    if amount <= 0:
        raise UsageError("the amount to supply must be greater than zero")
    _require_mintable(reader, market, amount)
    require_balance(reader, market.base_token, me, amount, market.base_symbol)
    calls = approval_calls(
        reader,
        market.base_token,
        me,
        market.pool,
        amount,
        market.base_symbol,
        f"the {market.symbol} IonPool",
        options.approve_max,
    )
    calls.append(
        IonPool(market.pool).supply(
            me,
            amount,
            [],
            description=f"supply {text(amount, WAD)} {market.base_symbol} to the pool",
        )
    )
    plan = Plan(
        title=f"Supply {text(amount, WAD)} {market.base_symbol} to the {market.symbol} market",
        calls=calls,
        summary={"supply": f"{text(amount, WAD)} {market.base_symbol}", "from": me},
        json_summary={"action": "supply", "market": market.symbol, "amount": text(amount, WAD)},
    )
    result = run_plan(session, plan, options)
    return _finish(session, reader, market, me, plan, result, options)


def redeem(session: Session, symbol: str, amount: int | None, options: WriteOptions) -> WriteResult:
    """Withdraw supplied base asset; `amount=None` redeems the whole lender balance."""
    from ion_cli.chain.contracts import IonPool

    reader = session.reader()
    market = read_market(reader, session.profile, require_market(session, symbol))
    me = session.account().address
    balance = int(
        reader.read_one(
            IonPool(market.pool).balanceOf(me),
            market.block,
            f"reading the {market.symbol} supply of {me}",
        )
    )
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
            IonPool(market.pool).withdraw(
                me, amount, description=f"withdraw {text(amount, WAD)} {market.base_symbol}"
            )
        ],
        summary={"redeem": f"{text(amount, WAD)} {market.base_symbol}", "to": me},
        json_summary={"action": "redeem", "market": market.symbol, "amount": text(amount, WAD)},
    )
    result = run_plan(session, plan, options)
    return _finish(session, reader, market, me, plan, result, options)


def _finish(
    session: Session,
    reader: Reader,
    market: MarketState,
    me: str,
    plan: Plan,
    result: ExecutionResult,
    options: WriteOptions,
) -> WriteResult:
    return result_document(
        session, plan, result, options, lambda: lender_position(reader, market, me)
    )
