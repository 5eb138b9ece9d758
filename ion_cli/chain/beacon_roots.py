"""Reading the chain's EIP-4788 beacon roots contract (constants in ion_cli.beacon.eip4788)."""

from __future__ import annotations

from collections.abc import Mapping

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


def first_block_at_or_after(
    reader: Reader, timestamp: int, latest: Mapping[str, int] | None = None
) -> tuple[int, int] | None:
    """(number, timestamp) of the first block whose timestamp is at least `timestamp` (binary
    search over block numbers up to `latest`, the head already read, else read here); None
    when the chain has no such block yet."""
    if latest is None:
        latest = reader.block("latest")
    if latest["timestamp"] < timestamp:
        return None
    lo, hi = 0, latest["number"]
    while lo < hi:
        mid = (lo + hi) // 2
        if reader.block(mid)["timestamp"] < timestamp:
            lo = mid + 1
        else:
            hi = mid
    found = reader.block(lo)
    return found["number"], found["timestamp"]


def find_anchor(
    reader: Reader, genesis_time: int, slot: int, seconds_per_slot: int = 12
) -> tuple[int, bytes | None] | None:
    """The execution block that holds the beacon root of the block at `slot`: the first one
    of a later slot (its parent beacon block is the latest block before its own slot).
    Returns (its timestamp, the root the 4788 contract holds for it, None if no entry); None
    when no execution block of a later slot exists yet."""
    found = first_block_at_or_after(reader, genesis_time + (slot + 1) * seconds_per_slot)
    if found is None:
        return None
    _, timestamp = found
    return timestamp, root_at(reader, timestamp)
