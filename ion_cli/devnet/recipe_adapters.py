"""The installed adapters that bring a devnet recipe: a leaf, so that the validator sets (which
the devnet's parameters read) can list the recipes' sets without importing the recipes' deploy
code (which imports the parameters)."""

from __future__ import annotations

from typing import Any


def recipe_adapters(skip: set[str]) -> list[Any]:
    """Installed adapters with a devnet recipe, except the markets in `skip`, by symbol."""
    from ion_cli.plugins_registry import adapters

    found = [
        a
        for a in adapters().values()
        if getattr(a, "devnet", None) is not None and str(a.symbol) not in skip
    ]
    return sorted(found, key=lambda a: str(a.symbol).lower())
