"""Loop mode: leverage without a flash source, one round at a time.

Each round borrows what the vault can carry within the safety margin (never more than the
target still needs), turns it into ETH (wstETH markets: swap wstETH -> WETH through the router,
then unwrap; WETH markets: unwrap), mints the LRT through its adapter (the LRT's own deposit
contract) and deposits it. The rounds are one plan: the pipeline simulates them all before the
first is signed, sends them in order, and stops at the first failure with every vault state in
between safe (a round only ever borrows within the margin). Rerunning the same command finishes
the plan from its first unmined step (the journal, ion_cli.flows.tx).
"""

from __future__ import annotations

from dataclasses import replace

from ion_cli import leverage_math as lm
from ion_cli import position_math as pm
from ion_cli.chain import venues as vn
from ion_cli.chain.market_state import VaultState
from ion_cli.chain.plan import Call, Plan
from ion_cli.errors import RefusedError
from ion_cli.flows.figures import RAY, WAD, text
from ion_cli.flows.leverage.context import (
    Built,
    Context,
    approval,
    check_after,
    deadline_of,
    percent,
    times,
    tokens,
)
from ion_cli.flows.leverage.preview import preview_lines
from ion_cli.flows.leverage.requests import LeverageRequest
from ion_cli.units import Ray, Wad, ceil_div, normalized_debt_for_borrow

MAX_ROUNDS = 16
MINT_ROUNDING_WEI = 16


def _mint(ctx: Context, eth: int) -> tuple[list[Call], int]:
    """The adapter's mint of `eth` ETH into the LRT: its calls and the LRT expected."""
    from ion_cli.chain.adapter_context import adapter_context
    from ion_cli.chain.plan import planned_call
    from ion_cli.plugins_registry import load

    adapter_ctx = adapter_context(
        ctx.session.reader(),
        ctx.session.profile,
        block=ctx.market.block,
        action=f"planning the {ctx.symbol} mint",
    )
    plan = load(ctx.symbol).mint_plan(adapter_ctx, eth, ctx.me)
    calls = [planned_call(c, method=f"{ctx.symbol} mint") for c in plan.calls]
    return calls, int(plan.expected_out)


def build_loop(ctx: Context, request: LeverageRequest, target: int, force: bool) -> Built:
    from ion_cli.chain.contracts import WETH, GemJoin, IonPool

    m = ctx.market
    session = ctx.session
    network = session.profile.name
    reader = session.reader()
    weth = vn.require(ctx.venues.weth, "WETH", network)
    wsteth_base = m.base_token.lower() != weth.lower()
    router = quoter = None
    fee = 0
    if wsteth_base:
        router = vn.require(ctx.venues.router, "Uniswap router", network)
        quoter = vn.require(ctx.venues.quoter, "Uniswap quoter", network)
        fee = vn.pool_fee(
            reader, vn.require(ctx.venues.flash_pool, "wstETH/WETH pool", network), m.block
        )

    def to_eth(borrowed: int) -> int:
        if not wsteth_base:
            return borrowed
        assert quoter is not None
        return vn.quote_exact_input(reader, quoter, m.base_token, weth, fee, borrowed, m.block)

    # the cost of one LRT in base, measured on a probe round
    probe = WAD
    _, probe_out = _mint(ctx, to_eth(probe))
    cost = ceil_div(probe * WAD, probe_out)
    try:
        goal = lm.lever_up(ctx.model(), request.deposit, target, m.reserve_rate, cost)
    except lm.LeverageError as exc:
        raise RefusedError(str(exc)) from None
    goal_debt = ctx.debt() + goal.expected_new_debt
    future = ctx.future_rate()
    margin = int(session.safety_margin * RAY)
    lt = m.liquidation_threshold
    if lt is None and not force:
        raise RefusedError(
            "cannot keep each round within the safety margin: the market's Liquidation "
            "address is unknown; pass --force to go by the pool's own limit"
        )
    profile_market = session.profile.market(m.symbol)
    join_address = session.profile.address(profile_market, "gem_join")
    pool, join = IonPool(m.pool), GemJoin(join_address)

    c = ctx.vault.collateral + request.deposit
    nd = ctx.vault.normalized_debt
    rounds: list[tuple[int, int, int, int]] = []  # (borrow nd, borrowed, eth, minted)
    round_calls: list[list[Call]] = []
    while ceil_div(nd * future, RAY) < goal_debt:
        if len(rounds) >= MAX_ROUNDS:
            raise RefusedError(
                f"loop mode needs more than {MAX_ROUNDS} rounds for {times(target)}: use flash mode"
            )
        if force or lt is None:
            room = pm.max_extra_borrow(c, nd, future, m.spot)
        else:
            room = pm.max_extra_borrow_within_margin(
                c, nd, future, m.spot, m.reserve_rate, lt, margin
            )
        borrow = min(room, goal_debt - ceil_div(nd * future, RAY))
        if borrow <= 0:
            raise RefusedError(
                "the vault has no borrowing room within the safety margin for another round"
            )
        step_nd = normalized_debt_for_borrow(Wad(borrow), Ray(m.rate)).value
        eth = to_eth(borrow)
        mint_calls, expected = _mint(ctx, eth)
        # quoted at the planning block: the earlier rounds' mints move the LRT's supply and
        # backing, and its rounding may give a few wei less; those few wei stay in the wallet
        minted = expected - expected // 10**9 - MINT_ROUNDING_WEI
        tag = f"round {len(rounds) + 1}: "
        calls = [
            pool.borrow(
                m.ilk_index,
                ctx.me,
                ctx.me,
                step_nd,
                [],
                description=f"{tag}borrow {tokens(borrow)} {ctx.base}",
            )
        ]
        if wsteth_base:
            assert router is not None
            least = lm.at_least_after_slippage(eth, request.max_slippage)
            calls.append(
                vn.exact_input_call(
                    router,
                    m.base_token,
                    weth,
                    fee,
                    ctx.me,
                    borrow,
                    least,
                    f"{tag}swap it for about {tokens(eth)} WETH",
                )
            )
        calls.append(WETH(weth).withdraw(eth, description=f"{tag}unwrap {tokens(eth)} WETH"))
        calls += [replace(mc, description=f"{tag}{mc.description}") for mc in mint_calls]
        calls.append(
            join.join(ctx.me, minted, description=f"{tag}move {tokens(minted)} {ctx.symbol} in")
        )
        calls.append(
            pool.depositCollateral(
                m.ilk_index,
                ctx.me,
                ctx.me,
                minted,
                [],
                description=f"{tag}deposit {tokens(minted)} {ctx.symbol}",
            )
        )
        rounds.append((step_nd, borrow, eth, minted))
        round_calls.append(calls)
        c += minted
        nd += step_nd
    after = VaultState(ctx.me, c, nd, ctx.vault.supplied)
    check_after(ctx, after, force, f"{times(target)} in loop mode")
    total_in = request.deposit + sum(r[3] for r in rounds)
    calls = approval(
        ctx, m.collateral_token, join_address, total_in, ctx.symbol, f"the {ctx.symbol} GemJoin"
    )
    if wsteth_base:
        assert router is not None
        calls += approval(
            ctx, m.base_token, router, sum(r[1] for r in rounds), ctx.base, "the swap router"
        )
    if request.deposit:
        calls += [
            join.join(ctx.me, request.deposit, description="move the deposit into the GemJoin"),
            pool.depositCollateral(
                m.ilk_index,
                ctx.me,
                ctx.me,
                request.deposit,
                [],
                description=f"deposit {tokens(request.deposit)} {ctx.symbol}",
            ),
        ]
    for rc in round_calls:
        calls += rc
    borrowed = sum(r[1] for r in rounds)
    extra = {
        "mode": f"loop: {len(rounds)} round(s) of borrow, "
        + ("swap, " if wsteth_base else "")
        + "unwrap, mint, deposit",
        "new debt": f"{tokens(borrowed)} {ctx.base}",
        "collateral minted": f"{tokens(sum(r[3] for r in rounds))} {ctx.symbol}",
        "slippage bound": f"{percent(request.max_slippage)} on each swap"
        if wsteth_base
        else "none (no swap: WETH unwraps 1:1)",
        "transactions": str(len(calls)),
    }
    lines, doc, _ = preview_lines(ctx, after, extra, request.collateral_yield)
    plan = Plan(
        title=f"Leverage {ctx.symbol} to {times(target)} (loop)",
        calls=calls,
        summary=lines,
        json_summary={
            "action": "leverage",
            "mode": "loop",
            "market": ctx.symbol,
            "deposit": text(request.deposit, WAD),
            "target_leverage": text(target, RAY),
            "rounds": len(rounds),
            "expected_new_debt": text(borrowed, WAD),
            "transactions": len(calls),
            **doc,
        },
    )
    deadline = deadline_of(ctx, max(request.deadline_s, 1), request.deadline_at)
    return Built(plan, ctx, after, {"kind": "loop"}, deadline)
