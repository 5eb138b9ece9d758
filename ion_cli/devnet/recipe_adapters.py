"""The installed adapters that bring a devnet recipe: a leaf, so that the validator sets (which
the devnet's parameters read) can list the recipes' sets without importing the recipes' deploy
code (which imports the parameters)."""

from __future__ import annotations

from typing import Any


def recipe_adapters() -> list[Any]:
    """Installed adapters with a devnet recipe, in the order the devnet deploys their markets:
    by the recipe's `market.deploy_order`, then by symbol."""
    from ion_cli.plugins_registry import adapters

    found = [a for a in adapters().values() if getattr(a, "devnet", None) is not None]
    return sorted(found, key=_order)


def _order(adapter: Any) -> tuple[int, str]:
    return int(getattr(adapter.devnet.market, "deploy_order", 100)), str(adapter.symbol).lower()
