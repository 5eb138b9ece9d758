"""The contracts a network profile names: address -> (label, published interface), so that a
preview names the target of each call from the profile, not from the plan's own words."""

from __future__ import annotations

from ion_cli.networks import NetworkProfile

_FIELDS = {
    "pool": ("IonPool", "IonPool"),
    "gem_join": ("GemJoin", "GemJoin"),
    "reserve_oracle": ("reserve oracle", "ReserveOracle"),
    "spot_oracle": ("spot oracle", "SpotOracle"),
    "liquidation": ("Liquidation", "Liquidation"),
    "risk_feed": ("RiskFeed", "RiskFeed"),
}


def target_names(profile: NetworkProfile) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for symbol, market in profile.markets.items():
        for field_name, (label, interface) in _FIELDS.items():
            address = getattr(market, field_name, None)
            if address:
                found[str(address).lower()] = (f"the {symbol} {label}", interface)
        if market.handler:
            interface = _handler_interface(symbol)
            found[str(market.handler).lower()] = (f"the {symbol} handler", interface)
    if profile.lens:
        found[profile.lens.lower()] = ("IonLens", "IonLens")
    if profile.whitelist:
        found[profile.whitelist.lower()] = ("Whitelist", "Whitelist")
    return found


def _handler_interface(symbol: str) -> str:
    """The handler's published interface, as the market's adapter says (else the base every
    handler shares)."""
    from ion_cli.plugins_registry import installed_adapter

    facts = getattr(installed_adapter(symbol), "leverage", None)
    return str(getattr(facts, "handler", None) or "IonHandlerBase")
