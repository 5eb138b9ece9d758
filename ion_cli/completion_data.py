"""Data for shell completion: answers from small local files, fast, never failing.

typer re-runs the whole program on every TAB press, so every function here must stay cheap:
standard library only (no keyring, no eth_account, no web3), no network, and any problem (a
missing or damaged file) simply yields no suggestions. Add one function per completed noun.
"""

from __future__ import annotations

import json
from typing import Any


def _read_json_object(path: Any) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


# --- accounts (owner: accounts) -------------------------------------------------------------------


def account_names() -> list[str]:
    """Registered account names from the registry file, plus `dev` (the devnet's account)."""
    from ion_cli.accounts.files import registry_path

    names = {name for name in _read_json_object(registry_path()) if isinstance(name, str)}
    # Literal rather than devnet_account.DEV_ACCOUNT_NAME: that module loads the devnet's
    # deployment module, which a TAB press should not pay for (tests keep the two equal).
    names.add("dev")
    return sorted(names)


# --- markets (owner: adapters/plugins) ------------------------------------------------------------


MARKETS_CACHE = "markets.json"  # under paths.cache_dir(): {"markets": [symbols]}


def market_names() -> list[str]:
    """Market symbols: from the small file the last read of the markets wrote (the names the
    network actually has), else from the installed adapters' entry-point files; imports no
    adapter, opens no connection."""
    from ion_cli.paths import cache_dir

    cached = _read_json_object(cache_dir() / MARKETS_CACHE).get("markets")
    if isinstance(cached, list) and cached and all(isinstance(m, str) for m in cached):
        return sorted(cached)
    try:
        from ion_cli.plugins_registry import fast_market_symbols

        return fast_market_symbols()
    except Exception:  # completion must never fail; no suggestions is the worst case
        return []


def remember_markets(symbols: list[str]) -> None:
    """Record the market symbols a read saw, for completion; best effort (a read never fails
    for its cache), rewritten only when the names change."""
    import os

    from ion_cli.paths import cache_dir

    names = sorted(set(symbols))
    path = cache_dir() / MARKETS_CACHE
    if not names or _read_json_object(path).get("markets") == names:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{MARKETS_CACHE}.{os.getpid()}")
        temporary.write_text(json.dumps({"markets": names}), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass
