"""Reading the chain's EIP-4788 beacon roots contract (constants in ion_cli.beacon.eip4788)."""

from __future__ import annotations

from ion_cli.beacon import eip4788
from ion_cli.chain.client import RpcError
from ion_cli.chain.rpc import BlockId, Reader, block_param


def has_contract(reader: Reader, block: BlockId = "latest") -> bool:
    code = reader.request(
        "eth_getCode", [eip4788.ADDRESS, block_param(block)], "reading the beacon roots contract"
    )
    return bool(code) and str(code) not in ("0x", "0x0")


def root_at(reader: Reader, timestamp: int, block: BlockId = "latest") -> bytes | None:
    """The parent beacon block root the chain holds for the execution block at `timestamp`
    (None: the contract holds no entry for it: never fed, or overwritten by a newer block)."""
    try:
        raw = reader.eth_call(
            eip4788.ADDRESS,
            bytes.fromhex(eip4788.get_calldata(timestamp)[2:]),
            block,
            action="reading the beacon roots contract",
        )
    except RpcError:  # get() reverts for a timestamp it does not hold
        return None
    return raw if len(raw) == 32 else None
