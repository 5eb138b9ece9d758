"""The core's view of the installed adapters: which markets exist for this user, and the
token facts (the LRT's own ETH exchange rate) that only an adapter knows how to read."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ion_cli.errors import UsageError
from ion_cli.networks import MarketAddresses

if TYPE_CHECKING:
    from ion_cli.flows.session import Session


def installed_names() -> set[str]:
    """Lower-case market names with an installed, enabled adapter (metadata only, no import)."""
    from ion_cli.plugins_registry import discover

    return {info.name for info in discover()}


def available_markets(session: Session) -> list[MarketAddresses]:
    """The profile's markets that have a working adapter, in the profile's order. Loads every
    enabled adapter (they are light): a broken one is reported once on stderr and skipped."""
    from ion_cli.plugins_registry import adapters

    usable = set(adapters())
    markets = [m for m in session.profile.markets.values() if m.symbol.lower() in usable]
    if not markets:
        from ion_cli.plugins_registry import ENV_VAR, enabled_names

        limit = enabled_names()
        why = (
            f"{ENV_VAR}={','.join(sorted(limit))!s} enables none of them"
            if limit is not None
            else "no adapter for them is installed"
        )
        session.warn(
            f"no markets to show on {session.profile.name}: {why} (see `ion plugins list`)"
        )
    return markets


def require_market(session: Session, symbol: str) -> MarketAddresses:
    market = session.profile.market(symbol)
    if market.symbol.lower() not in installed_names():
        raise UsageError(
            f"no adapter is installed (or enabled by ION_ADAPTERS) for the {market.symbol} "
            "market: see `ion plugins list`"
        )
    return market


def adapter_context(session: Session, symbol: str, block: int | None, action: str = "") -> Any:
    """The AdapterContext of `session` at `block`: chain reads through the session's reader."""
    from ion_cli.chain.adapter_context import adapter_context as context_over

    return context_over(
        session.reader(),
        session.profile,
        block="latest" if block is None else block,
        action=action or f"reading the {symbol} adapter's facts",
    )


def lrt_eth_rate(session: Session, symbol: str, block: int | None = None) -> int | None:
    """The LRT's own ETH exchange rate (1e18-scaled) as its adapter reads it, or None when the
    adapter cannot say (a broken plugin is reported once by the registry)."""
    from ion_cli.plugins_registry import load

    context = adapter_context(session, symbol, block, f"reading the {symbol} exchange rate")
    try:
        return int(load(symbol).exchange_rate(context))
    except Exception:  # AdapterError, PluginError, or an adapter's bug: never breaks `ion markets`
        return None


def mint_cost(session: Session, symbol: str, block: int | None = None) -> Callable[[int], int]:
    """token amount -> the ETH its mint path takes for at least that amount: the adapter's
    `mint_cost` (the protocol's own rounding, as Ion's direct-mint handlers ask), else
    ceil(amount * rate / 1e18) from the adapter's rate."""
    from ion_cli.chain.venues import eth_for_lrt
    from ion_cli.plugins_registry import load

    adapter = load(symbol)
    exact = getattr(adapter, "mint_cost", None)
    if callable(exact):
        context = adapter_context(session, symbol, block, f"reading the {symbol} mint's state")
        cost: Callable[[int], int] = exact(context)
        return cost
    rate = lrt_eth_rate(session, symbol, block)
    if not rate:
        raise UsageError(f"the {symbol} mint rate cannot be read (its adapter failed)")
    return lambda amount: eth_for_lrt(amount, rate)
