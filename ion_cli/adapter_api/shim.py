"""API v1 adapters, kept working: a wrapper that answers the facts v2 added as "none".

A v1 adapter gets no leverage, no assumed yield, no mainnet market, no contracts of its own and
no devnet market (the core hard-coded those for the four tokens it shipped with; a third-party
v1 adapter never had them). Everything else is the adapter's own. Loading one warns once with a
DeprecationWarning naming the adapter.
"""

from __future__ import annotations

import warnings
from typing import Any

from ion_cli.adapter_api.base import API_VERSION, FACTS_V2


class V1Adapter:
    """A v1 adapter seen through API v2 (`unwrap` is the adapter itself)."""

    def __init__(self, adapter: Any) -> None:
        self.unwrap = adapter

    api_version = API_VERSION
    leverage = None
    assumed_yield = None
    mainnet_market = None
    contracts = None
    devnet = None
    conformance = None

    def __getattr__(self, name: str) -> Any:
        # only what the class does not define: the v1 adapter's own members
        return getattr(self.unwrap, name)

    def __repr__(self) -> str:
        return f"V1Adapter({self.unwrap!r})"


def from_v1(adapter: Any, name: str) -> V1Adapter:
    """Wrap a v1 adapter, warning that API v1 is deprecated."""
    warnings.warn(
        f"adapter '{name}' speaks adapter API v1, which is deprecated: declare api_version = "
        f"{API_VERSION} and its facts ({', '.join(FACTS_V2)}; None where the token has none)",
        DeprecationWarning,
        stacklevel=2,
    )
    return V1Adapter(adapter)
