"""What one leverage flow reads at one block, and the checks and calls every kind of
leverage and deleverage shares (targets, safety, deadlines, approvals, the operator grant)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ion_cli import leverage_math as lm
from ion_cli import position_math as pm
from ion_cli.adapter_api.facts import FLASHSWAP_MINT, LeverageFacts, YieldFacts
from ion_cli.chain import venues as vn
from ion_cli.chain.common_calls import add_operator_call, approval_call
from ion_cli.chain.market_state import MarketState, VaultState, read_market, read_vault
from ion_cli.chain.plan import Call, Plan
from ion_cli.errors import RefusedError, UsageError
from ion_cli.flows.figures import RAD, RAY, WAD, exact, text
from ion_cli.flows.installed import require_market
from ion_cli.flows.leverage.requests import ACCRUAL_HORIZON_S
from ion_cli.flows.position import safety_check
from ion_cli.flows.session import Session
from ion_cli.units import Ray, accrue, ceil_div

# stETH's yield (the wstETH base's): a stated assumption, shown with its source. The LRT's
# own yield is its adapter's fact (`assumed_yield`); a caller may pass its own.
ASSUMED_STETH_YIELD = Decimal("0.029")


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
    facts: LeverageFacts  # the adapter's: the handler's interface, family and functions
    yield_facts: YieldFacts | None = None  # the adapter's: its yield, read or assumed

    @property
    def symbol(self) -> str:
        return self.market.symbol

    @property
    def base(self) -> str:
        return self.market.base_symbol

    @property
    def wsteth_market(self) -> bool:
        return self.facts.kind == FLASHSWAP_MINT and self.market.base_symbol == "wstETH"

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
    vault = read_vault(session.reader(), session.profile, market, me)
    addresses = session.profile.market(market.symbol)
    handler = session.profile.address(addresses, "handler")
    facts, yield_facts = leverage_facts(market.symbol)
    return Context(
        session=session,
        market=market,
        vault=vault,
        me=me,
        handler=handler,
        venues=vn.venues(session.profile, market.symbol),
        timestamp=market.timestamp,
        facts=facts,
        yield_facts=yield_facts,
    )


def leverage_facts(symbol: str) -> tuple[LeverageFacts, YieldFacts | None]:
    """The market's handler facts and the token's yield, from its adapter."""
    from ion_cli.plugins_registry import load

    adapter = load(symbol)
    facts = getattr(adapter, "leverage", None)
    if not isinstance(facts, LeverageFacts):
        raise UsageError(f"ion knows no leverage handler for the {symbol} market")
    found = getattr(adapter, "assumed_yield", None)
    return facts, found if isinstance(found, YieldFacts) else None


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


def times(value: int) -> str:
    return f"{exact(value, RAY):.4f}".rstrip("0").rstrip(".") + "x"


def percent(value: int) -> str:
    return f"{exact(value * 100, RAY):.2f}%"


def require_within_max_ltv(ctx: Context, target: int) -> None:
    limit = max_ltv(ctx.market)
    wanted = lm.ltv_for_leverage(target)
    if wanted >= limit:
        most = lm.leverage_for_ltv(limit) if limit < RAY else None
        reach = f" (at most {times(most)})" if most else ""
        raise RefusedError(
            f"{times(target)} means an LTV of {percent(wanted)}, beyond the {ctx.symbol} market's "
            f"maximum LTV of {percent(limit)}{reach}"
        )


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
            more = f"deposit at least {tokens(least)} {ctx.symbol} or aim higher"
        raise RefusedError(
            f"{what} would leave a debt of {tokens(debt)} {ctx.base}, under the {ctx.symbol} "
            f"market's dust of {text(m.dust, RAD)} {ctx.base} (the least a vault may owe): "
            f"{more}"
        )
    if not pm.passes_pool_check(after.collateral, after.normalized_debt, m.rate, m.spot):
        raise RefusedError(f"{what} would exceed the {ctx.symbol} vault's borrowing limit")
    if not force:
        safety_check(m, after, ctx.session.safety_margin, ctx.session.profile.name)


def tokens(amount: int) -> str:
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


def handler_of(ctx: Context) -> Any:
    from ion_cli.chain.contracts import handler

    return handler(ctx.handler, ctx.facts.handler, label=f"{ctx.symbol} handler")


def operator_calls(ctx: Context) -> list[Call]:
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


def approval(
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
    check: dict[str, Any] = field(default_factory=dict)  # re-quote bound (see plan_file.py)
    deadline: int | None = None
