"""Offline checks of the facts an API v2 adapter states (`ion plugins check`, the conformance
kit): each fact is None or of its type, the interfaces it names are published (by the core or
the plugin's own `abi/`), the handler has the functions it names, the mainnet market's
addresses are checksummed. No chain is read."""

from __future__ import annotations

from typing import Any

from ion_cli.adapter_api.facts import (
    ConformanceHooks,
    ContractFiles,
    LeverageFacts,
    MarketFacts,
    YieldFacts,
)

FACT_TYPES: dict[str, type] = {
    "leverage": LeverageFacts,
    "assumed_yield": YieldFacts,
    "mainnet_market": MarketFacts,
    "contracts": ContractFiles,
    "conformance": ConformanceHooks,
}
RECIPE_MEMBERS = ("market", "stand_ins", "reserve_oracle", "handler")
MARKET_ADDRESSES = ("pool", "gem_join", "handler", "reserve_oracle", "spot_oracle", "liquidation")


def fact_problems(adapter: Any) -> list[str]:
    """What is wrong with the adapter's v2 facts (empty when nothing is)."""
    problems: list[str] = []
    for name, kind in FACT_TYPES.items():
        value = getattr(adapter, name, None)
        if value is not None and not isinstance(value, kind):
            problems.append(f"{name} must be {kind.__name__} or None, not {type(value).__name__}")
    recipe = getattr(adapter, "devnet", None)
    if recipe is not None:
        missing = [m for m in RECIPE_MEMBERS if not hasattr(recipe, m)]
        if missing:
            problems.append(f"devnet recipe lacks {', '.join(missing)}")
    leverage = getattr(adapter, "leverage", None)
    if isinstance(leverage, LeverageFacts):
        functions = [leverage.lever, leverage.close, leverage.delever]
        problems += _interface_problems(leverage.handler, [f for f in functions if f])
    files = getattr(adapter, "contracts", None)
    if isinstance(files, ContractFiles) and files.token_interface:
        problems += _interface_problems(files.token_interface, [])
    market = getattr(adapter, "mainnet_market", None)
    if isinstance(market, MarketFacts):
        from ion_cli.addresses import is_checksummed

        for key in MARKET_ADDRESSES:
            address = getattr(market, key)
            if address is not None and not is_checksummed(address):
                problems.append(f"mainnet market {key} address {address} is not checksummed")
    return problems


def _interface_problems(name: str, functions: list[str]) -> list[str]:
    from ion_cli.abi import published

    try:
        interface = published.interface(name)
    except published.UnknownInterface:
        return [f"no published interface {name!r} (the core's or the plugin's abi/)"]
    return [
        f"{name} publishes no function {function!r}"
        for function in functions
        if not interface.functions(function)
    ]
