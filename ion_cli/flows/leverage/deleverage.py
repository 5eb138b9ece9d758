"""Deleverage or close one vault: the market's flash deleverage where its handler has one,
else the router unwind; --close falls back to the wallet when selling cannot close."""

from __future__ import annotations

from ion_cli.errors import RefusedError, UsageError
from ion_cli.flows.figures import RAY
from ion_cli.flows.leverage.close import close_from_wallet, owed_and_held
from ion_cli.flows.leverage.context import Built, Context, deadline_of, read_context, tokens
from ion_cli.flows.leverage.flash_deleverage import flash_deleverage
from ion_cli.flows.leverage.requests import DeleverageRequest
from ion_cli.flows.leverage.unwind import unwind
from ion_cli.flows.session import Session
from ion_cli.units import Ray, Wad, ceil_div, repay_in


def build_deleverage(session: Session, request: DeleverageRequest, force: bool) -> Built:
    # the request's own checks first: bad input is named before anything is read
    chosen = (request.leverage is not None) + (request.repay is not None) + request.close
    if chosen != 1:
        raise UsageError(
            "give one of `to` (leverage), `repay` (an amount) or `close`",
            params=("to", "repay", "close"),
        )
    if not 0 <= request.max_slippage.value < RAY // 2:
        raise UsageError("`max_slippage` must be between 0% and 50%", params=("max_slippage",))
    ctx = read_context(session, request.market)
    if ctx.vault.normalized_debt == 0:
        raise UsageError(f"the {ctx.symbol} vault of {ctx.me} has no debt to unwind")
    deadline = deadline_of(ctx, request.deadline_s, request.deadline_at)
    if request.leverage is not None and request.leverage < Ray(RAY):
        raise UsageError("a leverage target is at least 1x")
    if request.repay is not None:
        if request.repay <= Wad(0):
            raise UsageError("the amount to repay must be greater than zero")
        if request.repay.value >= ctx.debt():
            raise UsageError(
                f"the vault owes {tokens(ctx.debt())} {ctx.base}: use `close` to repay it all",
                params=("close",),
            )
    try:
        if ctx.facts.delever is not None:  # the handler's own flash deleverage
            return flash_deleverage(ctx, request, deadline, force)
        return unwind(ctx, request, deadline, force)
    except RefusedError as refused:
        if not request.close:
            raise
        owed, held = owed_and_held(ctx)
        if held >= owed:
            # Selling the collateral cannot close it, but the wallet holds the debt: what
            # `repay all` then `withdraw all` would do, in one plan (no swap, no slippage, no
            # safety margin to cross on the way: the debt goes first).
            return close_from_wallet(ctx, owed, deadline)
        if held > 0 and ctx.facts.delever is None:
            # The wallet holds part of the debt: repay what the market's dust allows first, sell
            # collateral for the rest, and let the closing step count on what the wallet keeps.
            prepay_nd = _wallet_part(ctx, held)
            prepaid = repay_in(Wad(prepay_nd), Ray(ctx.future_rate())).value if prepay_nd else 0
            try:
                return unwind(ctx, request, deadline, force, prepay_nd, max(held - prepaid, 0))
            except RefusedError:
                pass
        raise refused from None


def _wallet_part(ctx: Context, held: int) -> int:
    """The normalized debt `held` base repays at the rate the plan may be mined at, leaving at
    least the market's dust (a repay may not leave less, other than nothing)."""
    m = ctx.market
    nd = ctx.vault.normalized_debt
    part = held * RAY // ctx.future_rate()
    return max(min(part, nd - ceil_div(m.dust, m.rate)), 0)
