"""--close when selling collateral cannot close the vault: the wallet repays the debt, or a
refusal that names the cause and a remedy that works."""

from __future__ import annotations

from ion_cli.chain.market_state import VaultState
from ion_cli.chain.plan import Plan
from ion_cli.errors import RefusedError
from ion_cli.flows.figures import WAD, text
from ion_cli.flows.leverage.context import (
    Built,
    Context,
    approval,
    handler_of,
    operator_calls,
    tokens,
)
from ion_cli.flows.leverage.preview import preview_lines
from ion_cli.units import Ray, Wad, repay_in


def owed_and_held(ctx: Context) -> tuple[int, int]:
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


def close_from_wallet(ctx: Context, owed: int, deadline: int) -> Built:
    """--close when the wallet holds the debt: the handler repays it all from the wallet and
    withdraws all the collateral (repayFullAndWithdraw), in one transaction after approvals."""
    calls = approval(ctx, ctx.market.base_token, ctx.handler, owed, ctx.base, "the handler")
    calls += operator_calls(ctx)
    calls.append(
        handler_of(ctx).repayFullAndWithdraw(
            ctx.vault.collateral,
            description=(
                f"repay all the debt (about {tokens(ctx.debt())} {ctx.base}) from the wallet "
                f"and withdraw all {tokens(ctx.vault.collateral)} {ctx.symbol}"
            ),
        )
    )
    after = VaultState(ctx.me, 0, 0, ctx.vault.supplied)
    extra = {
        "mode": "repay from the wallet and withdraw (no swap)",
        "close": f"ends at exactly zero debt; {tokens(ctx.vault.collateral)} {ctx.symbol} "
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


def close_refused(ctx: Context, debt_left: int, reason: str) -> RefusedError:
    """Why --close cannot sell its way out, and what does work: the wallet holding the debt."""
    owed, held = owed_and_held(ctx)
    return RefusedError(
        f"cannot close the {ctx.symbol} vault by selling collateral: {reason} "
        f"({tokens(debt_left)} {ctx.base} of debt would be left to repay at once). Hold "
        f"{tokens(owed)} {ctx.base} in the wallet (it has {tokens(held)}) and run it again: "
        f"--close then repays from the wallet and withdraws everything, as `ion repay "
        f"{ctx.symbol} all` then `ion withdraw {ctx.symbol} all` would"
    )
