"""SSZ Merkle primitives over bytes: sha256 pairs, the zero hashes, a tree's layers built level
by level, roots, length mix-ins and branches (stdlib only; the trees of `ion_cli.beacon.proofs`
and the Validator roots of `ion_cli.beacon.validator_ssz` are built from these)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

CHUNK = 32


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def hash_pair(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(left + right).digest()


def _zero_hashes(depth: int) -> list[bytes]:
    out = [bytes(CHUNK)]
    for _ in range(depth):
        out.append(hash_pair(out[-1], out[-1]))
    return out


ZERO_HASHES = _zero_hashes(64)


class ProofError(ValueError):
    """SSZ bytes that do not parse, or a branch/index that does not fit the tree."""


# ---------------------------------------------------------------- layers


def hash_layer(level: bytes) -> bytes:
    """Hash each 64-byte pair of a level into the 32-byte nodes of the level above."""
    sha = hashlib.sha256
    view = memoryview(level)
    return b"".join([sha(view[i : i + 64]).digest() for i in range(0, len(level), 64)])


def layers(chunks: bytes, depth: int) -> list[bytes]:
    """Every level of a depth-`depth` tree over `chunks` (level 0 = the chunks, level depth =
    the root), each level cut where only zero subtrees follow: node p of level d is
    level[d][32p:32p+32] when present, else ZERO_HASHES[d]."""
    if len(chunks) % CHUNK:
        chunks += bytes(CHUNK - len(chunks) % CHUNK)
    if len(chunks) // CHUNK > 1 << depth:
        raise ProofError(f"{len(chunks) // CHUNK} chunks do not fit a tree of depth {depth}")
    out = [chunks]
    level = chunks
    for d in range(depth):
        if not level:
            out.append(b"")
            continue
        if (len(level) // CHUNK) % 2:
            level += ZERO_HASHES[d]
        level = hash_layer(level)
        out.append(level)
    return out


def top(levels: Sequence[bytes]) -> bytes:
    """The root of a tree given by `layers`."""
    return levels[-1][:CHUNK] if levels[-1] else ZERO_HASHES[len(levels) - 1]


def merkleize(chunks: bytes, depth: int) -> bytes:
    """hash_tree_root of packed chunks under a limit of 2**depth chunks (no length mix-in)."""
    if len(chunks) % CHUNK:
        chunks += bytes(CHUNK - len(chunks) % CHUNK)
    level = chunks
    if len(level) // CHUNK > 1 << depth:
        raise ProofError(f"{len(level) // CHUNK} chunks do not fit a tree of depth {depth}")
    for d in range(depth):
        if not level:
            return ZERO_HASHES[depth]
        if (len(level) // CHUNK) % 2:
            level += ZERO_HASHES[d]
        level = hash_layer(level)
    return level[:CHUNK] if level else ZERO_HASHES[depth]


def mix_in_length(root: bytes, length: int) -> bytes:
    return hash_pair(root, length.to_bytes(CHUNK, "little"))


def node_at(levels: Sequence[bytes], height: int, position: int) -> bytes:
    """Node `position` of the level `height` above the chunks (zero subtrees past the data)."""
    level = levels[height]
    start = position * CHUNK
    return level[start : start + CHUNK] if start < len(level) else ZERO_HASHES[height]


def branch_of(levels: Sequence[bytes], position: int) -> list[bytes]:
    """The siblings of chunk `position` from the bottom up (len(levels) - 1 of them)."""
    return [node_at(levels, h, (position >> h) ^ 1) for h in range(len(levels) - 1)]
