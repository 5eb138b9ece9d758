"""The preview a user sees before anything is signed, and its JSON twin."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ion_cli import position_math as pm
from ion_cli.chain.market_state import VaultState
from ion_cli.flows.figures import RAY, WAD, text
from ion_cli.flows.leverage.context import (
    ASSUMED_STETH_YIELD,
    Context,
    percent,
    times,
)
from ion_cli.flows.position import position_figures
from ion_cli.results import Position

# ---- preview --------------------------------------------------------------------------------


NO_YIELD = "unknown (the token's adapter states no yield): counted as 0"


def _assumed_yield(ctx: Context, override: Decimal | None) -> tuple[Decimal, str]:
    if override is not None:
        return override, "given by the caller"
    lrt, label = _lrt_yield(ctx)
    if ctx.base == "wstETH":
        # the collateral's yield measured in the base asset: the LRT's minus stETH's
        return lrt - ASSUMED_STETH_YIELD, (
            f"{label}: {ctx.symbol} {lrt * 100:.1f}% minus stETH {ASSUMED_STETH_YIELD * 100:.1f}%"
        )
    return lrt, f"{label}: {ctx.symbol} {lrt * 100:.1f}%"


def _lrt_yield(ctx: Context) -> tuple[Decimal, str]:
    """The adapter's yield: read from its source when it has one (its assumption if that
    fails), else its assumption."""
    facts = ctx.yield_facts
    if facts is None:
        return Decimal(0), NO_YIELD
    if facts.source is not None:
        from ion_cli.flows.installed import adapter_context

        try:
            read = facts.source(adapter_context(ctx.session, ctx.symbol, ctx.market.block))
            return Decimal(read), f"read by the {ctx.symbol} adapter"
        except Exception:  # an adapter's failure: its stated assumption, labelled as such
            pass
    return facts.apr, facts.label


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
    lines["leverage after"] = times(lev) if lev else "-"
    ltv = pm.loan_to_value(after.collateral, after.normalized_debt, m.rate, m.reserve_rate)
    lines["LTV after"] = percent(ltv) if ltv is not None else "-"
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
