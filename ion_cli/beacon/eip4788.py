"""EIP-4788: the beacon roots contract, as the chain exposes it (pure; stdlib only).

`get(timestamp)` (a call with the timestamp as one 32-byte word) answers the parent beacon
block root of the execution block with that timestamp, and reverts for a timestamp it does not
hold. The roots live in a ring of HISTORY_BUFFER_LENGTH entries keyed by `timestamp % 8191`:
slot `ts % 8191` holds ts, slot `ts % 8191 + 8191` the root. An entry is overwritten by the
next block whose timestamp has the same residue, so any block less than 8191 seconds older than
the newest is guaranteed to be there (on mainnet, 12 s blocks: about 27 hours).
"""

from __future__ import annotations

ADDRESS = "0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02"
SYSTEM_ADDRESS = "0xfffffffffffffffffffffffffffffffffffffffe"
HISTORY_BUFFER_LENGTH = 8191
# The runtime code the EIP publishes (deployed by its keyless transaction on every chain).
CODE = (
    "0x3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f358015604957"
    "62001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42064281555f35"
    "9062001fff015500"
)


def storage_slots(timestamp: int) -> tuple[int, int]:
    """(the slot holding the timestamp, the slot holding the root) of `timestamp`'s entry."""
    position = timestamp % HISTORY_BUFFER_LENGTH
    return position, position + HISTORY_BUFFER_LENGTH


def word(value: int | bytes) -> str:
    raw = value.to_bytes(32, "big") if isinstance(value, int) else value.rjust(32, b"\0")
    return "0x" + raw.hex()


def get_calldata(timestamp: int) -> str:
    return word(timestamp)
