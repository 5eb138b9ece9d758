"""Synthetic validators behind each devnet LRT: deterministic withdrawal credentials.

Each LRT's recipe (adapter API v2, `DevnetMarket.validators`) says how many pods, which
credential prefixes and how many validators per credential. The devnet's beacon API server
(`ion_cli.devnet.beacon_server`) serves `validators_per_credential` validators for each of these
credentials, among unrelated ones. They only have to be stable
across deployments and look like the real thing: prefix 0x01 (or 0x02, compounding) + 11 zero
bytes + a 20-byte EigenPod-like address. Sizes are realistic: 2,000-3,200 validators per LRT.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ion_cli.adapter_api.devnet import DevnetValidators


def pod_address(token: str, index: int) -> bytes:
    """The 20-byte pod address: the last 20 bytes of keccak256("ion-devnet-pod:<token>:<i>")."""
    from eth_utils.crypto import keccak

    return keccak(text=f"ion-devnet-pod:{token}:{index}")[12:]


def devnet_sets() -> dict[str, DevnetValidators]:
    """The sets the installed adapters' devnet recipes bring, in their deployment order."""
    from ion_cli.devnet.recipe_adapters import recipe_adapters

    return {str(a.symbol): a.devnet.market.validators for a in recipe_adapters()}


def withdrawal_credentials(token: str) -> list[str]:
    spec = devnet_sets()[token]
    return credentials_of(token, spec.pods, tuple(spec.prefixes))


def credentials_of(token: str, pods: int, prefixes: tuple[int, ...]) -> list[str]:
    """One credential per pod (prefixes cycled over the pods), paying to the token's pods."""
    creds = []
    for i in range(pods):
        prefix = prefixes[i % len(prefixes)]
        creds.append("0x" + (bytes([prefix]) + bytes(11) + pod_address(token, i)).hex())
    return creds
