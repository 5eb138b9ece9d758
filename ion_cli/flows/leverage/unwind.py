"""The multi-step unwind of the markets whose handler has no deleverage: withdraw a slice that
keeps the vault safe, sell it through the router, repay; repeat."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ion_cli import leverage_math as lm
from ion_cli import position_math as pm
from ion_cli.chain import venues as vn
from ion_cli.chain.market_state import VaultState
from ion_cli.chain.plan import Call, Plan
from ion_cli.errors import RefusedError
from ion_cli.flows.figures import RAY, WAD, text
from ion_cli.flows.leverage.close import close_refused
from ion_cli.flows.leverage.context import (
    Built,
    Context,
    approval,
    check_after,
    handler_of,
    operator_calls,
    percent,
    tokens,
)
from ion_cli.flows.leverage.preview import preview_lines
from ion_cli.flows.leverage.quotes import unwind_fee, unwind_quoter
from ion_cli.flows.leverage.requests import MAX_UNWIND_ROUNDS, DeleverageRequest
from ion_cli.units import Ray, Wad, ceil_div, repay_in


@dataclass(frozen=True)
class Round:
    sell: int  # WAD of collateral withdrawn and sold
    out: int  # WAD of base the swap gives (quoted)
    min_out: int
    repay_nd: int  # normalized debt repaid (0 on the closing round)


def unwind(
    ctx: Context,
    request: DeleverageRequest,
    deadline: int,
    force: bool,
    prepay_nd: int = 0,
    wallet: int = 0,
) -> Built:
    """wstETH markets: withdraw a slice that keeps the vault safe, sell it for wstETH through the
    router, repay; repeat. --close ends with the handler's repayFullAndWithdraw. `prepay_nd`:
    normalized debt repaid from the wallet before the first round (a --close that the wallet
    can pay only in part: the swaps then cover the rest); `wallet`: base the wallet still holds
    after that, which the closing step's repayment counts on besides the swaps' proceeds."""
    start = ctx
    if prepay_nd:
        left = ctx.vault.normalized_debt - prepay_nd
        ctx = replace(ctx, vault=replace(ctx.vault, normalized_debt=left))
    m = ctx.market
    quote = unwind_quoter(ctx)
    fee = unwind_fee(ctx)
    future = ctx.future_rate()
    probe = min(WAD, ctx.vault.collateral)
    proceeds = quote(probe) * WAD // probe
    slip = request.max_slippage
    if request.close:
        owed = repay_in(Wad(ctx.vault.normalized_debt), Ray(future)).value
        # sell enough that even the worst accepted price covers the debt (less what the wallet
        # brings to the closing step)
        total = ceil_div(max(owed - wallet, 0) * WAD, lm.at_least_after_slippage(proceeds, slip))
        if total > ctx.vault.collateral:
            raise close_refused(ctx, owed, "the collateral does not cover the debt at this price")
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
            raise close_refused(
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
                    f"the market's dust ({tokens(ceil_div(m.dust, RAY))} {ctx.base}) forbids "
                    f"repaying the debt in parts below it, and {reason}"
                )
            raise close_refused(ctx, ceil_div(nd * future, RAY), reason)
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
    calls += approval(
        ctx,
        m.collateral_token,
        vn.require(ctx.venues.router, "router", ""),
        total_sold,
        ctx.symbol,
        "the swap router",
    )
    repay_total = sum(repay_in(Wad(r.repay_nd), Ray(future)).value for r in rounds)
    prepay = repay_in(Wad(prepay_nd), Ray(future)).value if prepay_nd else 0
    calls += approval(
        ctx, m.base_token, m.pool, repay_total + prepay, ctx.base, f"the {ctx.symbol} IonPool"
    )
    if request.close:
        owed = repay_in(
            Wad(ctx.vault.normalized_debt - sum(r.repay_nd for r in rounds)), Ray(future)
        ).value
        calls += approval(
            ctx, m.base_token, ctx.handler, owed, ctx.base, f"the {ctx.symbol} handler"
        )
        calls += operator_calls(ctx)
    if prepay_nd:
        from ion_cli.chain.contracts import IonPool

        calls.append(
            IonPool(m.pool).repay(
                m.ilk_index,
                ctx.me,
                ctx.me,
                prepay_nd,
                description=f"repay about {tokens(prepay)} {ctx.base} from the wallet first",
            )
        )
    calls += round_calls(ctx, rounds, fee, request.close, c)
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
        "collateral sold": f"{tokens(total_sold)} {ctx.symbol} for {tokens(got)} {ctx.base}",
        "slippage bound": f"{percent(slip)}: each swap gives at least its quote less that",
        "cost of unwinding": (
            f"{tokens(max(value_sold - got, 0))} {ctx.base} at the reserve rate "
            f"(at most {tokens(max(value_sold - worst, 0))} at the slippage bound)"
        ),
        "transactions": str(len(calls)),
    }
    if prepay_nd:
        extra["repaid from the wallet"] = (
            f"about {tokens(prepay)} {ctx.base} first (the wallet holds part of the debt)"
        )
    if request.close:
        extra["close"] = (
            f"ends at exactly zero debt (repayFullAndWithdraw); {tokens(c)} {ctx.symbol} "
            f"return to you, and about {tokens(max(got - ctx.debt(), 0))} "
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
    return Built(plan, start, after, check, deadline)


def round_calls(ctx: Context, rounds: list[Round], fee: int, close: bool, rest: int) -> list[Call]:
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
                description=f"{tag}withdraw {tokens(r.sell)} {ctx.symbol}",
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
                f"{tag}swap it for at least {tokens(r.min_out)} {ctx.base}",
            )
        )
        if r.repay_nd:
            calls.append(
                pool.repay(
                    m.ilk_index,
                    ctx.me,
                    ctx.me,
                    r.repay_nd,
                    description=f"{tag}repay about {tokens(r.out)} {ctx.base}",
                )
            )
    if close:
        calls.append(
            handler_of(ctx).repayFullAndWithdraw(
                rest,
                description=(
                    f"repay all remaining debt and withdraw the last {tokens(rest)} {ctx.symbol}"
                ),
            )
        )
    return calls
