"""Venue quotes at the context's block: what buying collateral costs in base (flash
leverage) and what selling it gives (unwinds), and the sizes solved from them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ion_cli import leverage_math as lm
from ion_cli.adapter_api.facts import BALANCER_FLASH
from ion_cli.chain import venues as vn
from ion_cli.errors import RefusedError
from ion_cli.flows.figures import WAD
from ion_cli.flows.installed import mint_cost
from ion_cli.flows.leverage.context import Context
from ion_cli.units import ceil_div

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
    if ctx.facts.kind == BALANCER_FLASH:
        flash_pool = vn.balancer_flash_pool(reader, ctx.handler, ctx.facts.handler, block)
        fee = vn.pool_fee(reader, flash_pool, block)
        weth = ctx.market.base_token

        def quote_balancer(bought: int) -> Quote:
            if bought == 0:
                return Quote(0, 0, 0)
            needed = vn.balancer_given_out(
                reader,
                ctx.handler,
                ctx.facts.handler,
                weth,
                ctx.market.collateral_token,
                bought,
                block,
            )
            flash = vn.flash_fee(needed, fee)
            return Quote(bought, needed + flash, flash)

        return quote_balancer
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


def solve_unwind_repay(ctx: Context, target: int, collateral_for: Callable[[int], int]) -> int:
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
