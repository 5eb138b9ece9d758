"""Leverage and deleverage of one vault: flash leverage through the market's handler, an honest
multi-step unwind on the wstETH-base markets (whose handlers have no deleverage), the ezETH/WETH
handler's flash deleverage, and the preview a user sees before anything is signed.

Every figure starts from live quotes read at one block (the market, the vault, the LRT's mint
rate, the venue's price and fee); the pure math (ion_cli.leverage_math) turns a target leverage
into the handler's arguments; the slippage bound becomes the handler's own cap
(`maxResultingDebt`, `maxCollateralToRemove`) or the router's `amountOutMinimum`, so a price that
moved beyond it fails in simulation, before anything is sent. A plan is one pipeline run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ion_cli import leverage_math as lm
from ion_cli import position_math as pm
from ion_cli.chain import venues as vn
from ion_cli.chain.plan import MAX_UINT256, Call, Plan, add_operator_call, approval_call
from ion_cli.errors import RefusedError, UsageError
from ion_cli.flows.adapters import mint_cost, require_market
from ion_cli.flows.figures import RAD, RAY, WAD, exact, text
from ion_cli.flows.market_state import MarketState, read_market
from ion_cli.flows.position import VaultState, position_figures, read_vault, safety_check
from ion_cli.flows.session import Session
from ion_cli.flows.writes import WriteOptions, result_document, run_plan, token_balance
from ion_cli.results import Position, WriteResult
from ion_cli.units import Ray, Wad, accrue, ceil_div, normalized_debt_for_borrow, repay_in

DEFAULT_SLIPPAGE = RAY // 200  # 0.5%
DEFAULT_DEADLINE_S = 600
# Interest accrues between the quote and the mined block: repayments are sized for this long.
ACCRUAL_HORIZON_S = 900
MAX_UNWIND_ROUNDS = 12

HANDLER_INTERFACES = {
    "weETH": "WeEthHandler",
    "rsETH": "RsEthHandler",
    "rswETH": "RswEthHandler",
    "ezETH": "EzEthWethHandler",
}

# Yields are not on chain: these are stated assumptions (APR, in ETH terms), shown with their
# source, and a caller may pass its own.
ASSUMED_YIELDS = {
    "weETH": Decimal("0.031"),
    "rsETH": Decimal("0.032"),
    "rswETH": Decimal("0.033"),
    "ezETH": Decimal("0.034"),
}
ASSUMED_STETH_YIELD = Decimal("0.029")
YIELD_SOURCE = "assumed (ion's table of typical LRT and stETH APRs; not read from chain)"


@dataclass(frozen=True)
class LeverageRequest:
    market: str
    deposit: int = 0  # WAD of collateral brought from the wallet
    leverage: int | None = None  # RAY target
    ltv: int | None = None  # RAY target (instead of leverage)
    max_slippage: int = DEFAULT_SLIPPAGE  # RAY
    deadline_s: int = DEFAULT_DEADLINE_S
    mode: str = "flash"  # flash | loop
    collateral_yield: Decimal | None = None  # APR in the base asset; None: assumed
    deadline_at: int | None = None  # an absolute deadline (a plan file's) instead of deadline_s


@dataclass(frozen=True)
class DeleverageRequest:
    market: str
    leverage: int | None = None  # RAY target
    repay: int | None = None  # WAD of base to repay
    close: bool = False
    max_slippage: int = DEFAULT_SLIPPAGE
    deadline_s: int = DEFAULT_DEADLINE_S
    deadline_at: int | None = None  # an absolute deadline (a plan file's) instead of deadline_s


@dataclass
class Context:
    """What one leverage flow reads, at one block."""

    session: Session
    market: MarketState
    vault: VaultState
    me: str
    handler: str
    venues: vn.Venues
    timestamp: int

    @property
    def symbol(self) -> str:
        return self.market.symbol

    @property
    def base(self) -> str:
        return self.market.base_symbol

    @property
    def wsteth_market(self) -> bool:
        return self.symbol != "ezETH" and self.market.base_symbol == "wstETH"

    def debt(self, vault: VaultState | None = None) -> int:
        v = vault or self.vault
        return ceil_div(v.normalized_debt * self.market.rate, RAY)

    def model(self) -> lm.Vault:
        return lm.Vault(collateral=self.vault.collateral, debt=self.debt())

    def future_rate(self) -> int:
        m = self.market
        return accrue(Ray(m.rate), Ray(m.borrow_rate - RAY), ACCRUAL_HORIZON_S).value


def read_context(session: Session, symbol: str) -> Context:
    reader = session.reader()
    market = read_market(reader, session.profile, require_market(session, symbol))
    me = session.account().address
    vault = read_vault(session, market, me)
    addresses = session.profile.market(market.symbol)
    handler = session.profile.address(addresses, "handler")
    if market.symbol not in HANDLER_INTERFACES:
        raise UsageError(f"ion knows no leverage handler for the {market.symbol} market")
    return Context(
        session=session,
        market=market,
        vault=vault,
        me=me,
        handler=handler,
        venues=vn.venues(session.profile, market.symbol),
        timestamp=market.timestamp,
    )


# ---- quotes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    """What buying `bought` collateral costs in base (the new debt) and the venue fee in it."""

    bought: int
    debt: int
    fee: int


def lever_quoter(ctx: Context) -> Callable[[int], Quote]:
    """bought collateral -> its cost in base, as the market's flash leverage pays it."""
    reader = ctx.session.reader()
    block = ctx.market.block
    network = ctx.session.profile.name
    if ctx.symbol == "ezETH":
        flash_pool = vn.ezeth_flash_pool(reader, ctx.handler, block)
        fee = vn.pool_fee(reader, flash_pool, block)
        weth = ctx.market.base_token

        def quote_ez(bought: int) -> Quote:
            if bought == 0:
                return Quote(0, 0, 0)
            needed = vn.balancer_given_out(
                reader, ctx.handler, weth, ctx.market.collateral_token, bought, block
            )
            flash = vn.flash_fee(needed, fee)
            return Quote(bought, needed + flash, flash)

        return quote_ez
    quoter = vn.require(ctx.venues.quoter, "Uniswap quoter", network)
    flash_pool = vn.require(ctx.venues.flash_pool, "Uniswap wstETH/WETH pool", network)
    fee = vn.pool_fee(reader, flash_pool, block)
    # The ETH the handler's own mint arithmetic asks for `bought` (the adapter's mint_cost:
    # ether.fi's share math, Swell's inverse rate; else ceil(bought * rate)).
    eth_for = mint_cost(ctx.session, ctx.symbol, block)
    weth = vn.require(ctx.venues.weth, "WETH", network)

    def quote_mint(bought: int) -> Quote:
        if bought == 0:
            return Quote(0, 0, 0)
        eth = eth_for(bought)
        cost = vn.quote_exact_output(reader, quoter, ctx.market.base_token, weth, fee, eth, block)
        return Quote(bought, cost, vn.flash_fee(cost, fee))

    return quote_mint


def unwind_quoter(ctx: Context) -> Callable[[int], int]:
    """collateral sold -> base received, through the market's LRT/base pool (wstETH markets)."""
    reader = ctx.session.reader()
    block = ctx.market.block
    network = ctx.session.profile.name
    quoter = vn.require(ctx.venues.quoter, "Uniswap quoter", network)
    pool = vn.require(ctx.venues.unwind_pool, f"{ctx.symbol}/{ctx.base} unwind pool", network)
    fee = vn.pool_fee(reader, pool, block)

    def quote(sold: int) -> int:
        if sold == 0:
            return 0
        return vn.quote_exact_input(
            reader, quoter, ctx.market.collateral_token, ctx.market.base_token, fee, sold, block
        )

    return quote


def unwind_fee(ctx: Context) -> int:
    pool = vn.require(ctx.venues.unwind_pool, "unwind pool", ctx.session.profile.name)
    return vn.pool_fee(ctx.session.reader(), pool, ctx.market.block)


# ---- targets --------------------------------------------------------------------------------


def target_leverage(ctx: Context, leverage: int | None, ltv: int | None) -> int:
    if (leverage is None) == (ltv is None):
        raise UsageError("give one target: --to (leverage, e.g. 3x) or --ltv (e.g. 0.7)")
    try:
        target = lm.leverage_for_ltv(ltv) if ltv is not None else int(leverage or 0)
    except lm.LeverageError as exc:
        raise UsageError(str(exc)) from None
    if target < RAY:
        raise UsageError("a leverage target is at least 1x")
    return target


def max_ltv(market: MarketState) -> int:
    """The highest debt / (collateral at the reserve rate) the pool lets a vault reach [RAY]."""
    if market.reserve_rate == 0:
        return 0
    return market.spot * WAD // market.reserve_rate


def _x(value: int) -> str:
    return f"{exact(value, RAY):.4f}".rstrip("0").rstrip(".") + "x"


def _pct(value: int) -> str:
    return f"{exact(value * 100, RAY):.2f}%"


def require_within_max_ltv(ctx: Context, target: int) -> None:
    limit = max_ltv(ctx.market)
    wanted = lm.ltv_for_leverage(target)
    if wanted >= limit:
        most = lm.leverage_for_ltv(limit) if limit < RAY else None
        reach = f" (at most {_x(most)})" if most else ""
        raise RefusedError(
            f"{_x(target)} means an LTV of {_pct(wanted)}, beyond the {ctx.symbol} market's "
            f"maximum LTV of {_pct(limit)}{reach}"
        )


def solve_lever(
    ctx: Context, deposit: int, target: int, quote: Callable[[int], Quote]
) -> tuple[lm.LeverTarget, Quote]:
    """The collateral to add for `target`, from the venue's actual prices: the cost per token
    is measured, the target solved, and the cost measured again at the solved size until the
    size stops moving (the venues price linearly, so two passes settle it)."""
    er = ctx.market.reserve_rate
    model = ctx.model()
    probe = max(deposit, WAD)
    sample = quote(probe)
    cost = ceil_div(sample.debt * WAD, probe)
    try:
        goal = lm.lever_up(model, deposit, target, er, cost)
        for _ in range(3):
            bought = goal.bought_collateral
            if bought == 0:
                break
            q = quote(bought)
            cost = ceil_div(q.debt * WAD, bought)
            nxt = lm.lever_up(model, deposit, target, er, cost)
            if nxt.additional_collateral == goal.additional_collateral:
                break
            goal = nxt
    except lm.LeverageError as exc:
        raise RefusedError(str(exc)) from None
    return goal, quote(goal.bought_collateral)


# ---- preview --------------------------------------------------------------------------------


def _assumed_yield(ctx: Context, override: Decimal | None) -> tuple[Decimal, str]:
    if override is not None:
        return override, "given by the caller"
    lrt = ASSUMED_YIELDS.get(ctx.symbol, Decimal(0))
    if ctx.base == "wstETH":
        # the collateral's yield measured in the base asset: the LRT's minus stETH's
        return lrt - ASSUMED_STETH_YIELD, (
            f"{YIELD_SOURCE}: {ctx.symbol} {lrt * 100:.1f}% minus stETH "
            f"{ASSUMED_STETH_YIELD * 100:.1f}%"
        )
    return lrt, f"{YIELD_SOURCE}: {ctx.symbol} {lrt * 100:.1f}%"


def preview_lines(
    ctx: Context,
    after: VaultState,
    extra: dict[str, str],
    collateral_yield: Decimal | None = None,
) -> tuple[dict[str, str], dict[str, Any], Position]:
    """The human preview and its JSON twin for the vault `after` the plan."""
    session = ctx.session
    projected = position_figures(ctx.market, after, session.safety_margin, session.profile.name)
    m = ctx.market
    lev = pm.leverage(after.collateral, after.normalized_debt, m.rate, m.reserve_rate)
    y, source = _assumed_yield(ctx, collateral_yield)
    b = Decimal(m.borrow_apr_ray) / Decimal(RAY)
    lines: dict[str, str] = {}
    lines["collateral after"] = f"{projected.collateral} {ctx.symbol}"
    lines["debt after"] = f"{projected.debt} {ctx.base}"
    lines["leverage after"] = _x(lev) if lev else "-"
    ltv = pm.loan_to_value(after.collateral, after.normalized_debt, m.rate, m.reserve_rate)
    lines["LTV after"] = _pct(ltv) if ltv is not None else "-"
    lines["health after (liquidation)"] = _short(projected.health)
    lines["health after (borrow limit)"] = _short(projected.health_spot)
    lines["reserve rate now"] = f"{text(m.reserve_rate, WAD)} {ctx.base} per {ctx.symbol}"
    if after.normalized_debt:
        lines["liquidated at reserve rate"] = (
            f"{_short(projected.liquidation_exchange_rate)} "
            f"({_pct_text(projected.drop_to_liquidation)} drop)"
        )
        lines["borrowing stops at price"] = (
            f"{_short(projected.min_safe_price)} "
            f"({_pct_text(projected.price_drop_to_borrow_limit)} drop of the market price)"
        )
    net: Decimal | None = None
    if lev:
        lev_d = Decimal(lev) / Decimal(RAY)
        net = lev_d * y - (lev_d - 1) * b
        lines["net yield (estimate)"] = (
            f"{net * 100:.2f}% a year on equity = L*y - (L-1)*b with y {y * 100:.2f}% "
            f"({source}), b {b * 100:.2f}% (borrow APR now)"
        )
    lines.update(extra)
    doc: dict[str, Any] = {
        "leverage_after": text(lev, RAY),
        "ltv_after": text(ltv, RAY),
        "projected_position": projected,
        "net_yield": None if net is None else format(net, "f"),
        "collateral_yield": format(y, "f"),
        "collateral_yield_source": source,
        "borrow_apr": format(b, "f"),
    }
    return lines, doc, projected


def _short(value: Any) -> str:
    if value is None:
        return "-"
    try:
        return f"{Decimal(str(value)):.4f}"
    except Exception:
        return str(value)


def _pct_text(value: Any) -> str:
    if value is None:
        return "-"
    try:
        return f"{Decimal(str(value)) * 100:.2f}%"
    except Exception:
        return str(value)


# ---- checks ---------------------------------------------------------------------------------


def check_after(
    ctx: Context, after: VaultState, force: bool, what: str, deposit: int | None = None
) -> None:
    m = ctx.market
    if after.normalized_debt and pm.is_dusty(after.normalized_debt, m.rate, m.dust):
        debt = ceil_div(after.normalized_debt * m.rate, RAY)
        more = "deposit more or aim higher"
        if deposit and ctx.vault.normalized_debt == 0 and ctx.vault.collateral == 0:
            # from an empty vault the debt grows in proportion to the deposit
            least = ceil_div(deposit * ceil_div(m.dust, RAY), debt)
            more = f"deposit at least {_tokens(least)} {ctx.symbol} or aim higher"
        raise RefusedError(
            f"{what} would leave a debt of {_tokens(debt)} {ctx.base}, under the {ctx.symbol} "
            f"market's dust of {text(m.dust, RAD)} {ctx.base} (the least a vault may owe): "
            f"{more}"
        )
    if not pm.passes_pool_check(after.collateral, after.normalized_debt, m.rate, m.spot):
        raise RefusedError(f"{what} would exceed the {ctx.symbol} vault's borrowing limit")
    if not force:
        safety_check(m, after, ctx.session.safety_margin, ctx.session.profile.name)


def _tokens(amount: int) -> str:
    return f"{exact(amount, WAD):.4f}"


def next_block_time(ctx: Context) -> int:
    """The earliest timestamp the next block can carry (`ion_cli.chain.clock`): a quiet
    chain's last block can be many minutes old; the next one is mined now."""
    from ion_cli.chain.clock import next_block_time as at

    return at(ctx.timestamp)


def deadline_of(ctx: Context, seconds: int, at: int | None = None) -> int:
    """A deadline `seconds` after the next block's time, or the absolute `at` (a plan file's),
    refused when the next block could not meet it."""
    if at is not None:
        if at <= next_block_time(ctx):
            raise RefusedError(
                "the plan's deadline has passed (the next block is mined after it): "
                "nothing was sent; plan again"
            )
        return at
    if seconds <= 0:
        raise UsageError("the deadline has already passed: give a duration such as 10m")
    return next_block_time(ctx) + seconds


def _handler(ctx: Context) -> Any:
    from ion_cli.chain.contracts import handler

    return handler(ctx.handler, HANDLER_INTERFACES[ctx.symbol], label=f"{ctx.symbol} handler")


def _operator_calls(ctx: Context) -> list[Call]:
    from ion_cli.chain.contracts import IonPool

    allowed = ctx.session.reader().read_one(
        IonPool(ctx.market.pool).isAllowed(ctx.me, ctx.handler),
        ctx.market.block,
        "reading the handler's operator grant",
    )
    if allowed:
        return []
    return [
        add_operator_call(ctx.market.pool, ctx.handler, operator_name=f"the {ctx.symbol} handler")
    ]


def _approval(
    ctx: Context, token: str, spender: str, amount: int, symbol: str, name: str
) -> list[Call]:
    from ion_cli.chain.contracts import ERC20

    if amount <= 0:
        return []
    allowance = int(
        ctx.session.reader().read_one(
            ERC20(token).allowance(ctx.me, spender),
            ctx.market.block,
            f"reading the {symbol} allowance",
        )
    )
    if allowance >= amount:
        return []
    return [approval_call(token, spender, amount, symbol, spender_name=name)]


# ---- leverage -------------------------------------------------------------------------------


@dataclass
class Built:
    """A plan with what `ion apply` must re-check before sending it."""

    plan: Plan
    ctx: Context
    after: VaultState
    check: dict[str, Any] = field(default_factory=dict)  # re-quote bound (see flows/plan.py)
    deadline: int | None = None


def build_leverage(session: Session, request: LeverageRequest, force: bool) -> Built:
    ctx = read_context(session, request.market)
    if request.mode not in ("flash", "loop"):
        raise UsageError(f"unknown mode {request.mode!r}: flash or loop")
    if request.deposit < 0:
        raise UsageError("the deposit cannot be negative")
    if not 0 <= request.max_slippage < RAY // 2:
        raise UsageError("--max-slippage must be between 0% and 50%")
    target = target_leverage(ctx, request.leverage, request.ltv)
    require_within_max_ltv(ctx, target)
    if request.deposit:
        have = token_balance(session.reader(), ctx.market.collateral_token, ctx.me)
        if have < request.deposit:
            raise UsageError(
                f"insufficient {ctx.symbol} balance: {ctx.me} has {text(have, WAD)}, "
                f"the deposit needs {text(request.deposit, WAD)}"
            )
    if request.mode == "loop":
        from ion_cli.flows.leverage_loop import build_loop

        return build_loop(ctx, request, target, force)
    deadline = deadline_of(ctx, request.deadline_s, request.deadline_at)
    goal, quote = solve_lever(ctx, request.deposit, target, lever_quoter(ctx))
    if quote.debt > ctx.market.liquidity:
        raise RefusedError(
            f"the {ctx.symbol} pool has only {text(ctx.market.liquidity, WAD)} {ctx.base} "
            f"to lend; this leverage borrows {_tokens(quote.debt)}"
        )
    nd = normalized_debt_for_borrow(Wad(quote.debt), Ray(ctx.market.rate)).value
    after = ctx.vault.changed(collateral=goal.additional_collateral, normalized_debt=nd)
    what = f"{_x(target)} on a deposit of {_tokens(request.deposit)} {ctx.symbol}"
    check_after(ctx, after, force, what, request.deposit)
    max_debt = lm.with_slippage(quote.debt, request.max_slippage)
    calls = _approval(
        ctx,
        ctx.market.collateral_token,
        ctx.handler,
        request.deposit,
        ctx.symbol,
        f"the {ctx.symbol} handler",
    )
    calls += _operator_calls(ctx)
    h = _handler(ctx)
    args = [request.deposit, goal.additional_collateral, max_debt, deadline, []]
    description = (
        f"flash leverage: add {_tokens(goal.additional_collateral)} {ctx.symbol} "
        f"(deposit {_tokens(request.deposit)}), borrow at most {_tokens(max_debt)} {ctx.base}"
    )
    if ctx.symbol == "ezETH":
        calls.append(h.flashLeverageWethAndSwap(*args, description=description))
    else:
        calls.append(h.flashswapAndMint(*args, description=description))
    extra = {
        "mode": "flash (one transaction for the leverage)",
        "collateral bought": f"{_tokens(goal.bought_collateral)} {ctx.symbol}",
        "new debt (quoted)": f"{_tokens(quote.debt)} {ctx.base}",
        "flash/swap fee": f"about {_tokens(quote.fee)} {ctx.base}",
        "slippage bound": (
            f"{_pct(request.max_slippage)}: debt at most {_tokens(max_debt)} {ctx.base} "
            f"(+{_tokens(max_debt - quote.debt)})"
        ),
        "transactions": str(len(calls)),
    }
    lines, doc, _ = preview_lines(ctx, after, extra, request.collateral_yield)
    plan = Plan(
        title=f"Leverage {ctx.symbol} to {_x(target)}",
        calls=calls,
        summary=lines,
        json_summary={
            "action": "leverage",
            "mode": "flash",
            "market": ctx.symbol,
            "deposit": text(request.deposit, WAD),
            "target_leverage": text(target, RAY),
            "additional_collateral": text(goal.additional_collateral, WAD),
            "expected_new_debt": text(quote.debt, WAD),
            "max_new_debt": text(max_debt, WAD),
            "flash_fee": text(quote.fee, WAD),
            "max_slippage": text(request.max_slippage, RAY),
            "deadline": deadline,
            "transactions": len(calls),
            **doc,
        },
    )
    check = {"kind": "flash_cost", "bought": str(goal.bought_collateral), "max": str(max_debt)}
    return Built(plan, ctx, after, check, deadline)


# ---- deleverage -----------------------------------------------------------------------------


def build_deleverage(session: Session, request: DeleverageRequest, force: bool) -> Built:
    ctx = read_context(session, request.market)
    chosen = sum(x is not None and x is not False for x in (request.leverage, request.repay))
    chosen += 1 if request.close else 0
    if chosen != 1:
        raise UsageError("give one of --to (leverage), --repay AMOUNT or --close")
    if not 0 <= request.max_slippage < RAY // 2:
        raise UsageError("--max-slippage must be between 0% and 50%")
    if ctx.vault.normalized_debt == 0:
        raise UsageError(f"the {ctx.symbol} vault of {ctx.me} has no debt to unwind")
    deadline = deadline_of(ctx, request.deadline_s, request.deadline_at)
    if request.leverage is not None and request.leverage < RAY:
        raise UsageError("a leverage target is at least 1x")
    if request.repay is not None:
        if request.repay <= 0:
            raise UsageError("the amount to repay must be greater than zero")
        if request.repay >= ctx.debt():
            raise UsageError(
                f"the vault owes {_tokens(ctx.debt())} {ctx.base}: use --close to repay it all"
            )
    try:
        if ctx.symbol == "ezETH":
            return _flash_deleverage(ctx, request, deadline, force)
        return _unwind(ctx, request, deadline, force)
    except RefusedError:
        if not request.close:
            raise
        owed, held = _owed_and_held(ctx)
        if held < owed:
            raise
        # Selling the collateral cannot close it, but the wallet holds the debt: what `repay
        # all` then `withdraw all` would do, in one plan (no swap, no slippage, no safety
        # margin to cross on the way: the debt goes first).
        return _close_from_wallet(ctx, owed, deadline)


def _owed_and_held(ctx: Context) -> tuple[int, int]:
    """The base that repaying all the debt may pull (at the rate it may be mined at), and the
    base the wallet holds."""
    from ion_cli.chain.contracts import ERC20

    owed = repay_in(Wad(ctx.vault.normalized_debt), Ray(ctx.future_rate())).value
    held = int(
        ctx.session.reader().read_one(
            ERC20(ctx.market.base_token).balanceOf(ctx.me),
            ctx.market.block,
            f"reading the {ctx.base} balance",
        )
    )
    return owed, held


def _close_from_wallet(ctx: Context, owed: int, deadline: int) -> Built:
    """--close when the wallet holds the debt: the handler repays it all from the wallet and
    withdraws all the collateral (repayFullAndWithdraw), in one transaction after approvals."""
    calls = _approval(ctx, ctx.market.base_token, ctx.handler, owed, ctx.base, "the handler")
    calls += _operator_calls(ctx)
    calls.append(
        _handler(ctx).repayFullAndWithdraw(
            ctx.vault.collateral,
            description=(
                f"repay all the debt (about {_tokens(ctx.debt())} {ctx.base}) from the wallet "
                f"and withdraw all {_tokens(ctx.vault.collateral)} {ctx.symbol}"
            ),
        )
    )
    after = VaultState(ctx.me, 0, 0, ctx.vault.supplied)
    extra = {
        "mode": "repay from the wallet and withdraw (no swap)",
        "close": f"ends at exactly zero debt; {_tokens(ctx.vault.collateral)} {ctx.symbol} "
        "return to you",
        "transactions": str(len(calls)),
    }
    lines, doc, _ = preview_lines(ctx, after, extra)
    plan = Plan(
        title=f"Close the {ctx.symbol} vault",
        calls=calls,
        summary=lines,
        json_summary={
            "action": "close",
            "mode": "wallet",
            "market": ctx.symbol,
            "repay": text(owed, WAD),
            "collateral_withdrawn": text(ctx.vault.collateral, WAD),
            "deadline": deadline,
            "transactions": len(calls),
            **doc,
        },
    )
    return Built(plan, ctx, after, {"kind": "wallet_close", "owed": str(owed)}, deadline)


def _close_refused(ctx: Context, debt_left: int, reason: str) -> RefusedError:
    """Why --close cannot sell its way out, and what does work: the wallet holding the debt."""
    owed, held = _owed_and_held(ctx)
    return RefusedError(
        f"cannot close the {ctx.symbol} vault by selling collateral: {reason} "
        f"({_tokens(debt_left)} {ctx.base} of debt would be left to repay at once). Hold "
        f"{_tokens(owed)} {ctx.base} in the wallet (it has {_tokens(held)}) and run it again: "
        f"--close then repays from the wallet and withdraws everything, as `ion repay "
        f"{ctx.symbol} all` then `ion withdraw {ctx.symbol} all` would"
    )


def _flash_deleverage(
    ctx: Context, request: DeleverageRequest, deadline: int, force: bool
) -> Built:
    reader = ctx.session.reader()
    block = ctx.market.block
    flash_pool = vn.ezeth_flash_pool(reader, ctx.handler, block)
    fee = vn.pool_fee(reader, flash_pool, block)

    def collateral_for(repay: int) -> int:
        return vn.balancer_given_out(
            reader,
            ctx.handler,
            ctx.market.collateral_token,
            ctx.market.base_token,
            repay + vn.flash_fee(repay, fee),
            block,
        )

    m = ctx.market
    if request.close:
        repay = repay_in(Wad(ctx.vault.normalized_debt), Ray(ctx.future_rate())).value
        debt_arg = MAX_UINT256
        nd_repaid = ctx.vault.normalized_debt
    else:
        if request.repay is not None:
            repay = request.repay
        else:
            repay = _solve_unwind_repay(ctx, int(request.leverage or 0), collateral_for)
        nd_repaid = min(repay * RAY // m.rate, ctx.vault.normalized_debt)
        debt_arg = repay
    sold = collateral_for(repay)
    max_sold = min(lm.with_slippage(sold, request.max_slippage), ctx.vault.collateral)
    after = ctx.vault.changed(collateral=-sold, normalized_debt=-nd_repaid)
    if not request.close:
        check_after(ctx, after, force, "this deleverage")
    calls = _operator_calls(ctx)
    calls.append(
        _handler(ctx).flashDeleverageWethAndSwap(
            max_sold,
            debt_arg,
            deadline,
            description=(
                f"flash deleverage: repay {'all debt' if request.close else _tokens(repay)} "
                f"{ctx.base}, selling at most {_tokens(max_sold)} {ctx.symbol}"
            ),
        )
    )
    rest = ctx.vault.collateral - max_sold
    if request.close and rest > 0:
        # zero debt after the flash: the handler withdraws what surely remains
        calls.append(
            _handler(ctx).repayFullAndWithdraw(
                rest, description=f"withdraw {_tokens(rest)} {ctx.symbol} to the wallet"
            )
        )
        after = VaultState(ctx.me, ctx.vault.collateral - sold - rest, 0, ctx.vault.supplied)
    value_sold = sold * m.reserve_rate // WAD
    extra = {
        "mode": "flash deleverage (one transaction)",
        "collateral sold (quoted)": f"{_tokens(sold)} {ctx.symbol}",
        "debt repaid": f"{_tokens(repay)} {ctx.base}",
        "flash/swap fee": f"about {_tokens(vn.flash_fee(repay, fee))} {ctx.base}",
        "slippage bound": (
            f"{_pct(request.max_slippage)}: sell at most {_tokens(max_sold)} {ctx.symbol}"
        ),
        "cost of unwinding": (
            f"{_tokens(max(value_sold - repay, 0))} {ctx.base} at the reserve rate "
            f"(at most {_tokens(max(max_sold * m.reserve_rate // WAD - repay, 0))})"
        ),
        "transactions": str(len(calls)),
    }
    if request.close:
        extra["close"] = "ends at exactly zero debt; the rest of the collateral returns to you"
    lines, doc, _ = preview_lines(ctx, after, extra)
    plan = Plan(
        title=f"{'Close' if request.close else 'Deleverage'} the {ctx.symbol} vault",
        calls=calls,
        summary=lines,
        json_summary={
            "action": "close" if request.close else "deleverage",
            "mode": "flash",
            "market": ctx.symbol,
            "repay": text(repay, WAD),
            "collateral_sold": text(sold, WAD),
            "max_collateral_sold": text(max_sold, WAD),
            "deadline": deadline,
            "transactions": len(calls),
            **doc,
        },
    )
    check = {"kind": "balancer_unwind", "repay": str(repay), "max": str(max_sold)}
    return Built(plan, ctx, after, check, deadline)


def _solve_unwind_repay(ctx: Context, target: int, collateral_for: Callable[[int], int]) -> int:
    """The debt to repay so that selling what it costs leaves the vault at `target`."""
    er = ctx.market.reserve_rate
    model = ctx.model()
    probe = min(WAD, model.debt)
    proceeds = probe * WAD // collateral_for(probe)
    try:
        goal = lm.unwind_to(model, target, er, proceeds)
        repay = goal.expected_repay
        for _ in range(3):
            proceeds = repay * WAD // max(collateral_for(repay), 1)
            goal = lm.unwind_to(model, target, er, proceeds)
            if goal.expected_repay == repay:
                break
            repay = goal.expected_repay
    except lm.LeverageError as exc:
        raise RefusedError(str(exc)) from None
    return repay


@dataclass(frozen=True)
class Round:
    sell: int  # WAD of collateral withdrawn and sold
    out: int  # WAD of base the swap gives (quoted)
    min_out: int
    repay_nd: int  # normalized debt repaid (0 on the closing round)


def _unwind(ctx: Context, request: DeleverageRequest, deadline: int, force: bool) -> Built:
    """wstETH markets: withdraw a slice that keeps the vault safe, sell it for wstETH through the
    router, repay; repeat. --close ends with the handler's repayFullAndWithdraw."""
    m = ctx.market
    quote = unwind_quoter(ctx)
    fee = unwind_fee(ctx)
    future = ctx.future_rate()
    probe = min(WAD, ctx.vault.collateral)
    proceeds = quote(probe) * WAD // probe
    slip = request.max_slippage
    if request.close:
        owed = repay_in(Wad(ctx.vault.normalized_debt), Ray(future)).value
        # sell enough that even the worst accepted price covers the debt
        total = ceil_div(owed * WAD, lm.at_least_after_slippage(proceeds, slip))
        if total > ctx.vault.collateral:
            raise _close_refused(ctx, owed, "the collateral does not cover the debt at this price")
    elif request.repay is not None:
        total = ceil_div(request.repay * WAD, proceeds)
    else:
        try:
            goal = lm.unwind_to(ctx.model(), int(request.leverage or 0), m.reserve_rate, proceeds)
        except lm.LeverageError as exc:
            raise RefusedError(str(exc)) from None
        total = goal.collateral_to_remove
    margin = int(ctx.session.safety_margin * RAY)
    c, nd = ctx.vault.collateral, ctx.vault.normalized_debt
    lt = m.liquidation_threshold
    if lt is None and not force:
        raise RefusedError(
            "cannot check each step's safety: the market's Liquidation address is unknown; "
            "pass --force to go by the pool's own limit"
        )
    rounds: list[Round] = []
    remaining = total
    dust_held = False  # a round's repay was cut to keep the debt at the dust floor
    while remaining > 0:
        if len(rounds) >= MAX_UNWIND_ROUNDS and request.close:
            raise _close_refused(
                ctx, ceil_div(nd * future, RAY), f"it needs more than {MAX_UNWIND_ROUNDS} rounds"
            )
        if len(rounds) >= MAX_UNWIND_ROUNDS:
            raise RefusedError(
                f"unwinding this vault needs more than {MAX_UNWIND_ROUNDS} rounds of withdraw, "
                "swap and repay: repay some debt from the wallet first (`ion repay`)"
            )
        if force or lt is None:
            room = pm.max_withdrawable_collateral(c, nd, future, m.spot)
        else:
            # at the rate the step may be mined at: interest accrues between the steps
            room = pm.max_withdraw_within_margin(c, nd, future, m.spot, m.reserve_rate, lt, margin)
        sell = min(room, remaining)
        if sell <= 0 and request.close:
            where = "unsafe" if force or lt is None else "within the safety margin"
            reason = f"withdrawing the collateral a swap needs would leave the vault {where}"
            if dust_held:
                reason = (
                    f"the market's dust ({_tokens(ceil_div(m.dust, RAY))} {ctx.base}) forbids "
                    f"repaying the debt in parts below it, and {reason}"
                )
            raise _close_refused(ctx, ceil_div(nd * future, RAY), reason)
        if sell <= 0:
            raise RefusedError(
                "no collateral can be withdrawn without leaving the vault within the safety "
                "margin: repay some debt from the wallet first (`ion repay`), or pass --force"
            )
        out = quote(sell)
        last = request.close and sell == remaining
        repay_nd = 0 if last else min(out * RAY // future, nd)
        left = nd - repay_nd
        if request.close and left and pm.is_dusty(left, m.rate, m.dust):
            # a partial repay may not leave dust: keep the dust for the closing step
            repay_nd = max(nd - ceil_div(m.dust, m.rate), 0)
            dust_held = True
        rounds.append(Round(sell, out, lm.at_least_after_slippage(out, slip), repay_nd))
        c -= sell
        nd -= repay_nd
        remaining -= sell
    calls: list[Call] = []
    total_sold = sum(r.sell for r in rounds)
    calls += _approval(
        ctx,
        m.collateral_token,
        vn.require(ctx.venues.router, "router", ""),
        total_sold,
        ctx.symbol,
        "the swap router",
    )
    repay_total = sum(repay_in(Wad(r.repay_nd), Ray(future)).value for r in rounds)
    calls += _approval(
        ctx, m.base_token, m.pool, repay_total, ctx.base, f"the {ctx.symbol} IonPool"
    )
    if request.close:
        owed = repay_in(
            Wad(ctx.vault.normalized_debt - sum(r.repay_nd for r in rounds)), Ray(future)
        ).value
        calls += _approval(
            ctx, m.base_token, ctx.handler, owed, ctx.base, f"the {ctx.symbol} handler"
        )
        calls += _operator_calls(ctx)
    calls += _round_calls(ctx, rounds, fee, request.close, c)
    if request.close:
        after = VaultState(ctx.me, 0, 0, ctx.vault.supplied)
    else:
        after = VaultState(ctx.me, c, nd, ctx.vault.supplied)
        check_after(ctx, after, force, "this deleverage")
    got = sum(r.out for r in rounds)
    value_sold = total_sold * m.reserve_rate // WAD
    worst = sum(r.min_out for r in rounds)
    extra = {
        "mode": f"unwind: {len(rounds)} round(s) of withdraw, swap through the router, repay",
        "collateral sold": f"{_tokens(total_sold)} {ctx.symbol} for {_tokens(got)} {ctx.base}",
        "slippage bound": f"{_pct(slip)}: each swap gives at least its quote less that",
        "cost of unwinding": (
            f"{_tokens(max(value_sold - got, 0))} {ctx.base} at the reserve rate "
            f"(at most {_tokens(max(value_sold - worst, 0))} at the slippage bound)"
        ),
        "transactions": str(len(calls)),
    }
    if request.close:
        extra["close"] = (
            f"ends at exactly zero debt (repayFullAndWithdraw); {_tokens(c)} {ctx.symbol} "
            f"return to you, and about {_tokens(max(got - ctx.debt(), 0))} "
            f"{ctx.base} left from the swaps"
        )
    lines, doc, _ = preview_lines(ctx, after, extra)
    plan = Plan(
        title=f"{'Close' if request.close else 'Deleverage'} the {ctx.symbol} vault",
        calls=calls,
        summary=lines,
        json_summary={
            "action": "close" if request.close else "deleverage",
            "mode": "unwind",
            "market": ctx.symbol,
            "rounds": len(rounds),
            "collateral_sold": text(total_sold, WAD),
            "expected_proceeds": text(got, WAD),
            "min_proceeds": text(worst, WAD),
            "deadline": deadline,
            "transactions": len(calls),
            **doc,
        },
    )
    check = {
        "kind": "router_unwind",
        "sells": [str(r.sell) for r in rounds],
        "min": [str(r.min_out) for r in rounds],
    }
    return Built(plan, ctx, after, check, deadline)


def _round_calls(ctx: Context, rounds: list[Round], fee: int, close: bool, rest: int) -> list[Call]:
    from ion_cli.chain.contracts import GemJoin, IonPool

    m = ctx.market
    pool = IonPool(m.pool)
    join_address = ctx.session.profile.address(ctx.session.profile.market(m.symbol), "gem_join")
    join = GemJoin(join_address)
    router = vn.require(ctx.venues.router, "router", ctx.session.profile.name)
    calls: list[Call] = []
    n = len(rounds)
    for i, r in enumerate(rounds, 1):
        tag = f"round {i}/{n}: "
        calls.append(
            pool.withdrawCollateral(
                m.ilk_index,
                ctx.me,
                ctx.me,
                r.sell,
                description=f"{tag}withdraw {_tokens(r.sell)} {ctx.symbol}",
            )
        )
        calls.append(join.exit(ctx.me, r.sell, description=f"{tag}take it out of the GemJoin"))
        calls.append(
            vn.exact_input_call(
                router,
                m.collateral_token,
                m.base_token,
                fee,
                ctx.me,
                r.sell,
                r.min_out,
                f"{tag}swap it for at least {_tokens(r.min_out)} {ctx.base}",
            )
        )
        if r.repay_nd:
            calls.append(
                pool.repay(
                    m.ilk_index,
                    ctx.me,
                    ctx.me,
                    r.repay_nd,
                    description=f"{tag}repay about {_tokens(r.out)} {ctx.base}",
                )
            )
    if close:
        calls.append(
            _handler(ctx).repayFullAndWithdraw(
                rest,
                description=(
                    f"repay all remaining debt and withdraw the last {_tokens(rest)} {ctx.symbol}"
                ),
            )
        )
    return calls


# ---- running --------------------------------------------------------------------------------


def run_built(
    session: Session,
    built: Built,
    options: WriteOptions,
    plan_out: Any = None,
    request: LeverageRequest | DeleverageRequest | None = None,
) -> WriteResult:
    """Write the plan file (simulating, nothing sent), or run the plan and read the vault back."""
    if plan_out is not None:
        from dataclasses import replace

        from ion_cli.flows.plan import save_plan

        dry = replace(options, dry_run=True)
        result = run_plan(session, built.plan, dry)
        assert request is not None  # a plan file holds the inputs it is rebuilt from
        save_plan(plan_out, built, request)
        return WriteResult(plan=built.plan.to_json(), dry_run=True, execution=result, position=None)
    result = run_plan(session, built.plan, options)
    ctx = built.ctx

    def read_back() -> Position:
        if options.dry_run:  # nothing was sent: the position is the one the plan was built on
            return position_figures(
                ctx.market, ctx.vault, session.safety_margin, session.profile.name
            )
        fresh = read_market(session.reader(), session.profile, require_market(session, ctx.symbol))
        return position_figures(
            fresh, read_vault(session, fresh, ctx.me), session.safety_margin, session.profile.name
        )

    return result_document(session, built.plan, result, options, read_back)


def _check_plan_out(plan_out: Any) -> None:
    """--plan-out is checked before anything is read: a device, FIFO or directory is refused."""
    if plan_out is not None:
        from pathlib import Path

        from ion_cli.atomic import check_output

        check_output(Path(plan_out), "plan file")


def leverage(
    session: Session, request: LeverageRequest, options: WriteOptions, plan_out: Any = None
) -> WriteResult:
    _check_plan_out(plan_out)
    built = build_leverage(session, request, options.force)
    return run_built(session, built, options, plan_out, request)


def deleverage(
    session: Session, request: DeleverageRequest, options: WriteOptions, plan_out: Any = None
) -> WriteResult:
    _check_plan_out(plan_out)
    built = build_deleverage(session, request, options.force)
    result = run_built(session, built, options, plan_out, request)
    if plan_out is None and request.close and not options.dry_run:
        result = _sweep(session, built, options, result)
    return result


def _sweep(
    session: Session, built: Built, options: WriteOptions, result: WriteResult
) -> WriteResult:
    """After a close: collateral the slippage bound kept back goes to the wallet too."""
    position = result.position
    if not isinstance(position, Position) or position.collateral in ("0", None):
        return result
    if position.debt not in ("0", None):
        return result
    from ion_cli.flows import vault

    swept = vault.withdraw(session, built.ctx.symbol, None, options)
    return WriteResult(
        plan=result.plan,
        dry_run=result.dry_run,
        execution=result.execution,
        position=swept.position,
        followups=[swept.execution] if swept.execution is not None else [],
    )
