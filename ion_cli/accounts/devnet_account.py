"""The devnet's built-in account: anvil's account 0.

Its key is public knowledge (printed by every anvil at start), so it is no secret; it only ever
signs on the local devnet (network "devnet", chain id 31337). ion_cli.devnet.deployment may expose
the same constants; tests check that the two agree.
"""

from __future__ import annotations

DEV_ACCOUNT_NAME = "dev"
DEV_ACCOUNT_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
DEV_ACCOUNT_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
DEVNET_NETWORK = "devnet"
DEVNET_CHAIN_ID = 31337


def is_devnet(network_name: str | None, chain_id: int | None) -> bool:
    """Both must match: a chain merely claiming id 31337 under another profile is not trusted."""
    return network_name == DEVNET_NETWORK and chain_id == DEVNET_CHAIN_ID
