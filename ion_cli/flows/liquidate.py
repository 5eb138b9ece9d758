"""`ion liquidate MARKET VAULT`: preview what the Liquidation contract would do, then do it.

The preview is `position_math.preview_liquidation` (the contract's `_amounts`, same rounding and
branches, checked against the contract in tests/integration/test_liquidation_boundary.py) on
the vault and market read at one block. A vault that is not liquidatable (safe, no debt, a zero
reserve rate) is refused before anything is sent. The write is one plan through the same
pipeline as every other: an approval of the base asset to the Liquidation contract (when the
allowance is short), then `liquidate(ilk, vault, kpr)` with the sender as keeper.

Branches, as the contract has them:
- normal (partial): the keeper repays enough debt to bring the vault to the target health and
  receives collateral at the discounted price;
- dust: what the partial repay would leave is below the market's dust, so the keeper repays
  all the debt (and receives collateral for all of it, at most the whole vault);
- confiscation: no partial repay reaches the target (the discount is too deep, or the repay
  would exceed the debt): the protocol takes the whole vault as bad debt, the keeper pays
  nothing and receives nothing (`liquidate` returns (0, 0)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ion_cli import position_math as pm
from ion_cli.chain.market_state import MarketState, read_market, read_vault
from ion_cli.chain.plan import Call, Plan
from ion_cli.errors import RefusedError, UsageError
from ion_cli.flows.figures import RAY, WAD, text
from ion_cli.flows.installed import require_market
from ion_cli.flows.position import position_figures
from ion_cli.flows.session import Session
from ion_cli.flows.vaults import require_terms
from ion_cli.flows.writes import (
    WriteOptions,
    approval_calls,
    require_balance,
    result_document,
    run_plan,
)
from ion_cli.results import Position, WriteResult
from ion_cli.units import Ray, accrue

# Interest accrues between the preview and the block that includes the liquidation: the
# approval covers the repay at the rate this many seconds later (the contract pulls only what
# it computes then).
APPROVAL_HORIZON_S = 900

BRANCH_TEXT = {
    "partial": (
        "normal: the repay brings the vault back to the target health; you receive collateral "
        "at the discounted price"
    ),
    "dust": (
        "dust: a partial repay would leave less debt than the market's dust, so you repay all "
        "of the vault's debt and receive collateral for it (at most the whole vault)"
    ),
    "confiscate": (
        "confiscation: no partial repay can restore the target health, so the protocol takes "
        "the whole vault as bad debt; you pay nothing and receive nothing"
    ),
}
BRANCH_NAME = {"partial": "normal", "dust": "dust", "confiscate": "confiscation"}


@dataclass(frozen=True)
class LiquidationQuote:
    """What `liquidate` would do to the vault at the block read, and what it earns the keeper."""

    market: str
    base: str
    vault: str
    preview: pm.LiquidationPreview
    market_price: int  # WAD base per collateral (0: stale, profit unknown)
    block: int

    @property
    def branch(self) -> str:
        return BRANCH_NAME.get(self.preview.outcome, self.preview.outcome)

    @property
    def profit(self) -> int | None:
        """Collateral received valued at the market price, less the repay (WAD), or None."""
        if self.market_price == 0:
            return None
        return self.preview.gem_out * self.market_price // WAD - self.preview.repay_amount

    def to_json(self) -> dict[str, Any]:
        profit = self.profit
        return {
            "market": self.market,
            "vault": self.vault,
            "branch": self.branch,
            "explanation": BRANCH_TEXT.get(self.preview.outcome, ""),
            "health": text(self.preview.health, RAY),
            "repay": text(self.preview.repay_amount, WAD),
            "collateral_received": text(self.preview.gem_out, WAD),
            "discount": text(self.preview.discount, RAY),
            "normalized_debt_removed": text(self.preview.normalized_debt_removed, WAD),
            "market_price": text(self.market_price, WAD) if self.market_price else None,
            "profit": None if profit is None else _signed(profit),
            "block": self.block,
        }


def _health(value: int | None) -> str:
    """Four decimals, rounded down (a health shown as 1.0000 is at least 1)."""
    return "-" if value is None else f"{value * 10_000 // RAY / 10_000:.4f}"


def _signed(value: int) -> str:
    return ("-" if value < 0 else "") + (text(abs(value), WAD) or "0")


def _terms(market: MarketState) -> pm.LiquidationTerms:
    assert market.liquidation_threshold is not None
    return pm.LiquidationTerms(
        liquidation_threshold=market.liquidation_threshold,
        target_health=market.target_health or RAY,
        base_discount=market.base_discount or 0,
        max_discount=market.max_discount or 0,
    )


def quote(session: Session, symbol: str, vault: str) -> tuple[MarketState, LiquidationQuote]:
    """The market and the liquidation preview of `vault`, read at one block."""
    address = session.address_of(vault)  # an address, or an account name
    reader = session.reader()
    market = read_market(reader, session.profile, require_market(session, symbol))
    require_terms(session, market)
    state = read_vault(reader, session.profile, market, address)
    preview = pm.preview_liquidation(
        state.collateral,
        state.normalized_debt,
        market.rate,
        market.reserve_rate,
        market.dust,
        _terms(market),
    )
    return market, LiquidationQuote(
        market=market.symbol,
        base=market.base_symbol,
        vault=address,
        preview=preview,
        market_price=market.price,
        block=market.block,
    )


def _refuse_unless_liquidatable(q: LiquidationQuote) -> None:
    p = q.preview
    if p.outcome == "no_debt":
        raise RefusedError(f"the {q.market} vault of {q.vault} has no debt: nothing to liquidate")
    if p.outcome == "zero_rate":
        raise RefusedError(
            f"the {q.market} reserve exchange rate is zero: the Liquidation contract refuses"
        )
    if p.outcome == "safe":
        raise RefusedError(
            f"the {q.market} vault of {q.vault} is safe (health {_health(p.health)} >= 1): "
            "it cannot be liquidated; nothing was sent"
        )


def liquidate(
    session: Session,
    symbol: str,
    vault: str,
    max_repay: int | None,
    options: WriteOptions,
) -> WriteResult:
    if max_repay is not None and max_repay < 0:  # bad input is named before anything is read
        raise UsageError("`max_repay` must not be negative", params=("max_repay",))
    market, q = quote(session, symbol, vault)
    _refuse_unless_liquidatable(q)
    p = q.preview
    if max_repay is not None and p.repay_amount > max_repay:
        raise RefusedError(
            f"the liquidation repays {text(p.repay_amount, WAD)} {q.base}, more than `max_repay` "
            f"{text(max_repay, WAD)}: nothing was sent",
            params=("max_repay",),
        )
    from ion_cli.chain.contracts import Liquidation

    reader = session.reader()
    me = session.account().address
    liquidation = session.profile.address(session.profile.market(market.symbol), "liquidation")
    calls: list[Call] = []
    if p.repay_amount > 0:
        # the repay at the rate a little later: interest accrues before the block
        later = accrue(Ray(market.rate), Ray(market.borrow_rate - RAY), APPROVAL_HORIZON_S).value
        state = read_vault(reader, session.profile, market, q.vault)
        later_preview = pm.preview_liquidation(
            state.collateral,
            state.normalized_debt,
            later,
            market.reserve_rate,
            market.dust,
            _terms(market),
        )
        allowance = max(p.repay_amount, later_preview.repay_amount)
        if max_repay is not None:
            allowance = min(allowance, max_repay)
        require_balance(reader, market.base_token, me, p.repay_amount, market.base_symbol)
        calls += approval_calls(
            reader,
            market.base_token,
            me,
            liquidation,
            allowance,
            market.base_symbol,
            f"the {market.symbol} Liquidation contract",
            options.approve_max,
        )
    calls.append(
        Liquidation(liquidation).liquidate(
            market.ilk_index,
            q.vault,
            me,
            description=(
                f"liquidate the {market.symbol} vault of {q.vault} ({q.branch}): repay about "
                f"{text(p.repay_amount, WAD)} {market.base_symbol}"
            ),
        )
    )
    profit = q.profit
    plan = Plan(
        title=f"Liquidate the {market.symbol} vault of {q.vault}",
        calls=calls,
        summary={
            "vault health": _health(p.health),
            "branch": BRANCH_TEXT[p.outcome],
            "repay": f"{text(p.repay_amount, WAD)} {market.base_symbol}",
            "collateral received": (
                f"{text(p.gem_out, WAD)} {market.symbol} (credited as gem in the pool; "
                "take it out with the GemJoin's exit)"
            ),
            "discount": f"{text(p.discount * 100, RAY)}%",
            "profit at the market price": (
                f"{_signed(profit)} {market.base_symbol}"
                if profit is not None
                else "unknown (the market price is stale)"
            ),
        },
        json_summary={"action": "liquidate", "market": market.symbol, "liquidation": q.to_json()},
    )
    result = run_plan(session, plan, options)

    def read_back() -> Position:
        fresh = read_market(reader, session.profile, require_market(session, market.symbol))
        return position_figures(
            fresh,
            read_vault(reader, session.profile, fresh, q.vault),
            session.safety_margin,
            session.profile.name,
        )

    return result_document(session, plan, result, options, read_back)
