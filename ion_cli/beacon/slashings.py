"""The state's `slashings` vector (Vector[uint64, 8192]: the effective balance slashed at each
epoch of the last 8192): its sum, and its non-zero chunks with the branch of the vector to the
state root, as the feed's network-input fraud proof takes them."""

from __future__ import annotations

from ion_cli.beacon.merkle import CHUNK
from ion_cli.beacon.proofs import StateTree, state_field_gindex

STATE_FIELD_SLASHINGS = 14  # of a Fulu BeaconState
SLASHINGS_DEPTH = 11  # 8192 uint64 = 2048 chunks


def total(raw: bytes) -> int:
    """The sum of a raw `slashings` vector (8192 little-endian uint64, Gwei)."""
    return sum(int.from_bytes(raw[i : i + 8], "little") for i in range(0, len(raw), 8))


def nonzero_chunks(raw: bytes) -> tuple[list[int], list[bytes]]:
    """The positions and bytes of a raw `slashings` vector's non-zero 32-byte chunks."""
    positions, chunks = [], []
    for p in range(0, len(raw), CHUNK):
        chunk = raw[p : p + CHUNK]
        if any(chunk):
            positions.append(p // CHUNK)
            chunks.append(chunk)
    return positions, chunks


def slashings_total(tree: StateTree) -> int:
    """The sum of the state's `slashings` vector (Gwei slashed in the last 8192 epochs)."""
    return total(bytes(tree.slashings))


def slashings_proof(tree: StateTree) -> tuple[list[int], list[bytes], list[bytes]]:
    """The positions and bytes of the vector's non-zero chunks, and the branch of the vector's
    root to the state root."""
    positions, chunks = nonzero_chunks(bytes(tree.slashings))
    return positions, chunks, tree.branch(state_field_gindex(STATE_FIELD_SLASHINGS))
