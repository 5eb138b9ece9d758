"""One chain identity: what is kept per chain (the journal) is keyed by it, never by the chain id
alone. Every devnet is chain 31337 and a mainnet fork is chain 1 with mainnet's genesis, so the
identity is the chain id, the genesis block's hash and, on an anvil fork, the fork block's hash:
`31337-1a2b3c4d5e6f7a8b`, `1-d4e56740f876aef8-fork-0123456789abcdef`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from web3 import Web3

    from ion_cli.chain.rpc import Reader


def chain_identity(w3: Web3 | Reader, chain_id: int) -> tuple[str, str]:
    """(identity, genesis hash) of the chain `w3` talks to. Raises NodeError when the node
    cannot tell its genesis block."""
    from ion_cli.chain.node import as_web3
    from ion_cli.chain.reconcile import genesis_hash

    w3 = as_web3(w3)

    genesis = genesis_hash(w3)
    identity = f"{int(chain_id)}-{genesis.removeprefix('0x')[:16]}"
    fork = fork_block_hash(w3)
    if fork:
        identity += f"-fork-{fork.removeprefix('0x')[:16]}"
    return identity, genesis


def fork_block_hash(w3: Web3) -> str:
    """The hash of the block an anvil fork was made at, or "" (not anvil, or not a fork)."""
    from ion_cli.chain.client import rpc

    try:
        info: Any = rpc(w3, "anvil_nodeInfo", [], "asking whether the node is a fork")
    except Exception:  # another node: no such method, never a fork of ours
        return ""
    config = info.get("forkConfig") if isinstance(info, dict) else None
    number = config.get("forkBlockNumber") if isinstance(config, dict) else None
    if number is None:
        return ""
    try:
        block = w3.eth.get_block(int(number))
    except Exception:
        return ""
    value = block["hash"]
    return value.lower() if isinstance(value, str) else "0x" + bytes(value).hex()
