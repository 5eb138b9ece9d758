"""The devnet's built-in account: anvil's account 0.

Its key is public knowledge (printed by every anvil at start), so it is no secret; ion only signs
with it on the local devnet (network "devnet", chain id 31337). The devnet package
(ion_cli.devnet.deployment) holds the same constants; the accounts layer does not import it (the
devnet is managed by the commands, not by the layers below them), and tests check that the two
agree.
"""

from __future__ import annotations

from ion_cli import chain_ids

_ANVIL_ACCOUNT_0_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
_ANVIL_ACCOUNT_0_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"

DEV_ACCOUNT_NAME = "dev"
DEV_ACCOUNT_KEY: str = _ANVIL_ACCOUNT_0_KEY
DEV_ACCOUNT_ADDRESS: str = _ANVIL_ACCOUNT_0_ADDRESS
DEVNET_NETWORK = "devnet"
DEVNET_CHAIN_ID = chain_ids.DEVNET


def is_devnet(network_name: str | None, chain_id: int | None) -> bool:
    """Both must match: a chain merely claiming id 31337 under another profile is not trusted."""
    return network_name == DEVNET_NETWORK and chain_id == DEVNET_CHAIN_ID
