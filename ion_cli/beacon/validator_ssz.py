"""A Validator's SSZ encoding: its layout (written once), encoding and decoding, and its
hash_tree_root, one at a time or for a whole registry in batches (stdlib only)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from ion_cli.beacon.merkle import CHUNK, ProofError, hash_layer, sha

# The SSZ layout of a Validator, written once: its fields in order and their sizes in bytes (the
# container of ion_cli.beacon.ssz has the same fields; a test holds the two together). Decoding
# (`validator_fields`), encoding (`validator_to_bytes`) and hashing read it.
VALIDATOR_FIELDS: tuple[tuple[str, int], ...] = (
    ("pubkey", 48),
    ("withdrawal_credentials", 32),
    ("effective_balance", 8),
    ("slashed", 1),
    ("activation_eligibility_epoch", 8),
    ("activation_epoch", 8),
    ("exit_epoch", 8),
    ("withdrawable_epoch", 8),
)
_BYTES_FIELDS = ("pubkey", "withdrawal_credentials")
_BOOL_FIELDS = ("slashed",)
# name -> where the field lies in the encoding
VALIDATOR_SPANS: dict[str, slice] = {}
_at = 0
for _name, _size in VALIDATOR_FIELDS:
    VALIDATOR_SPANS[_name] = slice(_at, _at + _size)
    _at += _size
VALIDATOR_BYTES = _at  # 121
del _at, _name, _size


def validator_chunks(raw: bytes) -> bytes:
    """The 8 field chunks of one SSZ-encoded Validator (121 bytes), pubkey already hashed."""
    return b"".join(_chunks(raw, sha, bytes(16)))


def _chunks(raw: bytes, sha: Any, z16: bytes) -> tuple[bytes, ...]:
    # One field a chunk: the pubkey (48 bytes) hashed with its padding, the rest padded to 32.
    return (sha(raw[_PK] + z16), *(raw[span] + pad for span, pad in _PADDED))


_PK = VALIDATOR_SPANS["pubkey"]
_PADDED = tuple(
    (span, bytes(CHUNK - (span.stop - span.start)))
    for name, span in VALIDATOR_SPANS.items()
    if name != "pubkey"
)


def validator_root(raw: bytes) -> bytes:
    """hash_tree_root of one SSZ-encoded Validator."""
    if len(raw) != VALIDATOR_BYTES:
        raise ProofError(f"a Validator is {VALIDATOR_BYTES} bytes, got {len(raw)}")
    level = validator_chunks(raw)
    for _ in range(3):
        level = hash_layer(level)
    return level


def validator_roots(registry: bytes | memoryview, batch: int = 16384) -> bytes:
    """The roots of every Validator in an SSZ-encoded registry, concatenated (batched so the
    field chunks of only `batch` validators exist at once)."""
    if len(registry) % VALIDATOR_BYTES:
        raise ProofError("the validator registry is not a whole number of Validators")
    count = len(registry) // VALIDATOR_BYTES
    sha = hashlib.sha256
    z16 = bytes(16)
    # the layout's seven other fields, unrolled: this loop hashes a million validators
    (s1, p1), (s2, p2), (s3, p3), (s4, p4), (s5, p5), (s6, p6), (s7, p7) = _PADDED
    out: list[bytes] = []
    view = memoryview(registry)
    for first in range(0, count, batch):
        parts: list[bytes] = []
        for i in range(first, min(first + batch, count)):
            o = i * VALIDATOR_BYTES
            r = view[o : o + VALIDATOR_BYTES].tobytes()
            parts += (
                sha(r[_PK] + z16).digest(),
                r[s1] + p1,
                r[s2] + p2,
                r[s3] + p3,
                r[s4] + p4,
                r[s5] + p5,
                r[s6] + p6,
                r[s7] + p7,
            )
        level = b"".join(parts)
        for _ in range(3):
            level = hash_layer(level)
        out.append(level)
    return b"".join(out)


def validator_to_bytes(v: Mapping[str, Any]) -> bytes:
    """The SSZ encoding of a Validator given as a mapping (snapshot JSON field names)."""
    out = []
    for name, size in VALIDATOR_FIELDS:
        value = v[name]
        if name in _BYTES_FIELDS:
            raw = bytes.fromhex(str(value).removeprefix("0x"))
            if len(raw) != size:
                raise ProofError(f"expected {size} bytes, got {len(raw)}")
            out.append(raw)
        elif name in _BOOL_FIELDS:
            out.append(b"\x01" if value else b"\x00")
        else:
            out.append(int(value).to_bytes(size, "little"))
    return b"".join(out)


def validator_fields(raw: bytes) -> dict[str, Any]:
    """The fields of one SSZ-encoded Validator under the snapshot's names: 0x-hex for the
    byte fields, a bool for `slashed`, ints for the rest (the inverse of validator_to_bytes)."""
    out: dict[str, Any] = {}
    for name, span in VALIDATOR_SPANS.items():
        part = raw[span]
        if name in _BYTES_FIELDS:
            out[name] = "0x" + part.hex()
        elif name in _BOOL_FIELDS:
            out[name] = part[0] == 1
        else:
            out[name] = int.from_bytes(part, "little")
    return out


def validator_u64(registry: bytes | memoryview, index: int, name: str) -> int:
    """One uint64 field of the `index`-th Validator of an SSZ-encoded registry."""
    span = VALIDATOR_SPANS[name]
    at = index * VALIDATOR_BYTES
    return int.from_bytes(registry[at + span.start : at + span.stop], "little")
