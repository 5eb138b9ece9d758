"""Flash leverage through the market's handler (one transaction after approvals); loop mode
lives in `loop`."""

from __future__ import annotations

from ion_cli import leverage_math as lm
from ion_cli.chain.plan import Plan
from ion_cli.errors import RefusedError, UsageError
from ion_cli.flows.figures import RAY, WAD, text
from ion_cli.flows.leverage.context import (
    Built,
    approval,
    check_after,
    deadline_of,
    handler_of,
    operator_calls,
    percent,
    read_context,
    require_within_max_ltv,
    target_leverage,
    times,
    tokens,
)
from ion_cli.flows.leverage.loop import build_loop
from ion_cli.flows.leverage.preview import preview_lines
from ion_cli.flows.leverage.quotes import lever_quoter, solve_lever
from ion_cli.flows.leverage.requests import LeverageRequest
from ion_cli.flows.session import Session
from ion_cli.flows.writes import token_balance
from ion_cli.units import Ray, Wad, normalized_debt_for_borrow


def build_leverage(session: Session, request: LeverageRequest, force: bool) -> Built:
    # the request's own checks first: bad input is named before anything is read
    if request.mode not in ("flash", "loop"):
        raise UsageError(f"`mode` {request.mode!r} is unknown: flash or loop", params=("mode",))
    if request.deposit.value < 0:
        raise UsageError("the deposit cannot be negative")
    if not 0 <= request.max_slippage.value < RAY // 2:
        raise UsageError("`max_slippage` must be between 0% and 50%", params=("max_slippage",))
    target = target_leverage(request.leverage, request.ltv)
    ctx = read_context(session, request.market)
    require_within_max_ltv(ctx, target)
    if request.deposit.value:
        have = token_balance(session.reader(), ctx.market.collateral_token, ctx.me)
        if have < request.deposit.value:
            raise UsageError(
                f"insufficient {ctx.symbol} balance: {ctx.me} has {text(have, WAD)}, "
                f"the deposit needs {text(request.deposit.value, WAD)}"
            )
    if request.mode == "loop":
        return build_loop(ctx, request, target, force)
    deadline = deadline_of(ctx, request.deadline_s, request.deadline_at)
    goal, quote = solve_lever(ctx, request.deposit.value, target, lever_quoter(ctx))
    if quote.debt > ctx.market.liquidity:
        raise RefusedError(
            f"the {ctx.symbol} pool has only {text(ctx.market.liquidity, WAD)} {ctx.base} "
            f"to lend; this leverage borrows {tokens(quote.debt)}"
        )
    nd = normalized_debt_for_borrow(Wad(quote.debt), Ray(ctx.market.rate)).value
    after = ctx.vault.changed(collateral=goal.additional_collateral, normalized_debt=nd)
    what = f"{times(target)} on a deposit of {tokens(request.deposit.value)} {ctx.symbol}"
    check_after(ctx, after, force, what, request.deposit.value)
    max_debt = lm.with_slippage(quote.debt, request.max_slippage.value)
    calls = approval(
        ctx,
        ctx.market.collateral_token,
        ctx.handler,
        request.deposit.value,
        ctx.symbol,
        f"the {ctx.symbol} handler",
    )
    calls += operator_calls(ctx)
    h = handler_of(ctx)
    args = [request.deposit.value, goal.additional_collateral, max_debt, deadline, []]
    description = (
        f"flash leverage: add {tokens(goal.additional_collateral)} {ctx.symbol} "
        f"(deposit {tokens(request.deposit.value)}), borrow at most {tokens(max_debt)} {ctx.base}"
    )
    # the family's flash leverage (flashswapAndMint, flashLeverageWethAndSwap): same arguments
    calls.append(h.function(ctx.facts.lever)(*args, description=description))
    extra = {
        "mode": "flash (one transaction for the leverage)",
        "collateral bought": f"{tokens(goal.bought_collateral)} {ctx.symbol}",
        "new debt (quoted)": f"{tokens(quote.debt)} {ctx.base}",
        "flash/swap fee": f"about {tokens(quote.fee)} {ctx.base}",
        "slippage bound": (
            f"{percent(request.max_slippage.value)}: debt at most {tokens(max_debt)} {ctx.base} "
            f"(+{tokens(max_debt - quote.debt)})"
        ),
        "transactions": str(len(calls)),
    }
    lines, doc, _ = preview_lines(ctx, after, extra, request.collateral_yield)
    plan = Plan(
        title=f"Leverage {ctx.symbol} to {times(target)}",
        calls=calls,
        summary=lines,
        json_summary={
            "action": "leverage",
            "mode": "flash",
            "market": ctx.symbol,
            "deposit": text(request.deposit.value, WAD),
            "target_leverage": text(target, RAY),
            "additional_collateral": text(goal.additional_collateral, WAD),
            "expected_new_debt": text(quote.debt, WAD),
            "max_new_debt": text(max_debt, WAD),
            "flash_fee": text(quote.fee, WAD),
            "max_slippage": text(request.max_slippage.value, RAY),
            "deadline": deadline,
            "transactions": len(calls),
            **doc,
        },
    )
    check = {"kind": "flash_cost", "bought": str(goal.bought_collateral), "max": str(max_debt)}
    return Built(plan, ctx, after, check, deadline)
