"""The Balancer-flash handler's own deleverage: one transaction that sells collateral for the
debt it repays."""

from __future__ import annotations

from ion_cli import leverage_math as lm
from ion_cli.chain import venues as vn
from ion_cli.chain.market_state import VaultState
from ion_cli.chain.plan import MAX_UINT256, Plan
from ion_cli.flows.figures import RAY, WAD, text
from ion_cli.flows.leverage.context import (
    Built,
    Context,
    check_after,
    handler_of,
    operator_calls,
    percent,
    tokens,
)
from ion_cli.flows.leverage.preview import preview_lines
from ion_cli.flows.leverage.quotes import solve_unwind_repay
from ion_cli.flows.leverage.requests import DeleverageRequest
from ion_cli.units import Ray, Wad, repay_in


def flash_deleverage(ctx: Context, request: DeleverageRequest, deadline: int, force: bool) -> Built:
    reader = ctx.session.reader()
    block = ctx.market.block
    flash_pool = vn.balancer_flash_pool(reader, ctx.handler, ctx.facts.handler, block)
    fee = vn.pool_fee(reader, flash_pool, block)

    def collateral_for(repay: int) -> int:
        return vn.balancer_given_out(
            reader,
            ctx.handler,
            ctx.facts.handler,
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
            repay = solve_unwind_repay(ctx, int(request.leverage or 0), collateral_for)
        nd_repaid = min(repay * RAY // m.rate, ctx.vault.normalized_debt)
        debt_arg = repay
    sold = collateral_for(repay)
    max_sold = min(lm.with_slippage(sold, request.max_slippage), ctx.vault.collateral)
    after = ctx.vault.changed(collateral=-sold, normalized_debt=-nd_repaid)
    if not request.close:
        check_after(ctx, after, force, "this deleverage")
    calls = operator_calls(ctx)
    assert ctx.facts.delever is not None  # chosen for handlers that have one
    calls.append(
        handler_of(ctx).function(ctx.facts.delever)(
            max_sold,
            debt_arg,
            deadline,
            description=(
                f"flash deleverage: repay {'all debt' if request.close else tokens(repay)} "
                f"{ctx.base}, selling at most {tokens(max_sold)} {ctx.symbol}"
            ),
        )
    )
    rest = ctx.vault.collateral - max_sold
    if request.close and rest > 0:
        # zero debt after the flash: the handler withdraws what surely remains
        calls.append(
            handler_of(ctx).repayFullAndWithdraw(
                rest, description=f"withdraw {tokens(rest)} {ctx.symbol} to the wallet"
            )
        )
        after = VaultState(ctx.me, ctx.vault.collateral - sold - rest, 0, ctx.vault.supplied)
    value_sold = sold * m.reserve_rate // WAD
    extra = {
        "mode": "flash deleverage (one transaction)",
        "collateral sold (quoted)": f"{tokens(sold)} {ctx.symbol}",
        "debt repaid": f"{tokens(repay)} {ctx.base}",
        "flash/swap fee": f"about {tokens(vn.flash_fee(repay, fee))} {ctx.base}",
        "slippage bound": (
            f"{percent(request.max_slippage)}: sell at most {tokens(max_sold)} {ctx.symbol}"
        ),
        "cost of unwinding": (
            f"{tokens(max(value_sold - repay, 0))} {ctx.base} at the reserve rate "
            f"(at most {tokens(max(max_sold * m.reserve_rate // WAD - repay, 0))})"
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
