"""SSZ Merkle trees straight from SSZ bytes: state roots, branches, multiproofs and their checks.

Stdlib only (the Merkle primitives of ion_cli.beacon.merkle, the Validator roots of
ion_cli.beacon.validator_ssz) apart from `state_tree`, which reads the BeaconState field layout
from `ion_cli.beacon.ssz` (remerkleable) and hands the small, odd-shaped fields to remerkleable.
What is large in a mainnet state (2M+ validators: the registry, balances, participation,
inactivity scores) is merkleized here, layer by layer over `bytes`, never as a tree of objects:
remerkleable decodes 50,000 validators in about 28 s, this path hashes 2M in seconds (see
tests/bench/bench_ssz_proofs.py and the README for the figures and the choice of hasher).

Generalized indices follow the consensus specs (root = 1, children of g are 2g and 2g+1). A
branch is the list of sibling nodes from the leaf up; `is_valid_merkle_branch` is written from
the spec's definition (phase0 `is_valid_merkle_branch`), independent of the builder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ion_cli.beacon.merkle import (
    CHUNK,
    branch_of,
    hash_pair,
    layers,
    merkleize,
    mix_in_length,
    node_at,
    top,
)
from ion_cli.beacon.merkle import (
    ProofError as ProofError,
)
from ion_cli.beacon.validator_ssz import VALIDATOR_BYTES, validator_roots

VALIDATOR_REGISTRY_DEPTH = 40  # List[Validator, 2**40]
BALANCES_DEPTH = 38  # List[uint64, 2**40]: 4 balances a chunk
STATE_DEPTH = 6  # BeaconState (Electra, Fulu): 37-38 fields, padded to 64
STATE_FIELD_SLOT = 2
STATE_FIELD_VALIDATORS = 11
STATE_FIELD_BALANCES = 12
HEADER_DEPTH = 3  # BeaconBlockHeader: 5 fields, padded to 8
HEADER_SLOT = 0
HEADER_STATE_ROOT = 3


# ---------------------------------------------------------------- headers


@dataclass(frozen=True)
class Header:
    """BeaconBlockHeader (the message, without signature)."""

    slot: int
    proposer_index: int
    parent_root: bytes
    state_root: bytes
    body_root: bytes

    def chunks(self) -> bytes:
        return b"".join(
            (
                self.slot.to_bytes(CHUNK, "little"),
                self.proposer_index.to_bytes(CHUNK, "little"),
                self.parent_root,
                self.state_root,
                self.body_root,
                bytes(3 * CHUNK),
            )
        )

    def root(self) -> bytes:
        return merkleize(self.chunks(), HEADER_DEPTH)

    def branch(self, leaf: int) -> list[bytes]:
        return branch_of(layers(self.chunks(), HEADER_DEPTH), leaf)

    def to_json(self) -> dict[str, Any]:
        return {
            "slot": str(self.slot),
            "proposer_index": str(self.proposer_index),
            "parent_root": "0x" + self.parent_root.hex(),
            "state_root": "0x" + self.state_root.hex(),
            "body_root": "0x" + self.body_root.hex(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Header:
        def root(key: str) -> bytes:
            raw = bytes.fromhex(str(data[key]).removeprefix("0x"))
            if len(raw) != CHUNK:
                raise ProofError(f"header {key} is not 32 bytes")
            return raw

        try:
            return cls(
                slot=int(data["slot"]),
                proposer_index=int(data["proposer_index"]),
                parent_root=root("parent_root"),
                state_root=root("state_root"),
                body_root=root("body_root"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ProofError):
                raise
            raise ProofError(f"malformed beacon block header: {exc}") from None

    def encode(self) -> bytes:
        """The SSZ encoding (112 bytes), as the feed contract takes it."""
        return (
            self.slot.to_bytes(8, "little")
            + self.proposer_index.to_bytes(8, "little")
            + self.parent_root
            + self.state_root
            + self.body_root
        )


# ---------------------------------------------------------------- the spec's checks


def is_valid_merkle_branch(
    leaf: bytes, branch: Sequence[bytes], depth: int, index: int, root: bytes
) -> bool:
    """The consensus specs' check, from its definition: fold the branch from the leaf up,
    the index's bit at each height saying on which side the sibling sits."""
    value = leaf
    for i in range(depth):
        right = (index >> i) & 1  # the node is its parent's right child: sibling on the left
        value = hash_pair(branch[i], value) if right else hash_pair(value, branch[i])
    return value == root


def gindex_depth(gindex: int) -> int:
    return gindex.bit_length() - 1


def gindex_concat(*gindices: int) -> int:
    """The generalized index of a path through nested trees (spec `concat_generalized_indices`)."""
    out = 1
    for g in gindices:
        out = out << gindex_depth(g) | (g ^ (1 << gindex_depth(g)))
    return out


def state_field_gindex(field_index: int) -> int:
    return (1 << STATE_DEPTH) + field_index


def validator_gindex(index: int) -> int:
    """The Validator container `index` in a BeaconState (75 * 2**41 + index in Electra/Fulu)."""
    return gindex_concat(
        state_field_gindex(STATE_FIELD_VALIDATORS),
        2,  # the list's data root (3 is its length)
        (1 << VALIDATOR_REGISTRY_DEPTH) + index,
    )


def balance_gindex(index: int) -> int:
    """The balances chunk holding `index`'s balance (4 per chunk)."""
    return gindex_concat(
        state_field_gindex(STATE_FIELD_BALANCES), 2, (1 << BALANCES_DEPTH) + index // 4
    )


def state_slot_gindex() -> int:
    return state_field_gindex(STATE_FIELD_SLOT)  # 66 at depth 6 (34 in a 32-leaf state)


def _helper_indices(indices: Iterable[int]) -> list[int]:
    """The sibling nodes a multiproof of `indices` needs (spec `get_helper_indices`)."""
    wanted = set(indices)
    branch: set[int] = set()
    path: set[int] = set()
    for g in wanted:
        while g > 1:
            branch.add(g ^ 1)
            path.add(g)
            g >>= 1
    return sorted(branch - path - wanted, reverse=True)


def multi_root(nodes: Mapping[int, bytes]) -> bytes:
    """The root of a multiproof: leaves and helper nodes by generalized index (spec
    `calculate_multi_merkle_root`); raises ProofError when the nodes do not reach the root."""
    known = dict(nodes)
    pending = sorted(known, reverse=True)
    pos = 0
    while pos < len(pending):
        g = pending[pos]
        pos += 1
        if g > 1 and g ^ 1 in known and g >> 1 not in known:
            left, right = (g & ~1), (g | 1)
            known[g >> 1] = hash_pair(known[left], known[right])
            pending.append(g >> 1)
    if 1 not in known:
        raise ProofError("the proof's nodes do not reach the root")
    return known[1]


# ---------------------------------------------------------------- the state


@dataclass
class StateTree:
    """A BeaconState's Merkle tree from its SSZ bytes, kept only where branches start: the
    field roots, the validator registry and the balances (levels as flat bytes)."""

    field_roots: list[bytes]
    validators: list[bytes]  # layers over the Validator roots (depth 40)
    balances: list[bytes]  # layers over the balance chunks (depth 38)
    count: int
    # Views into the SSZ bytes (no copies: a mainnet registry is 250 MB).
    registry: bytes | memoryview = field(repr=False)
    balances_raw: bytes | memoryview = field(repr=False)
    slot: int = 0
    _top: list[bytes] | None = field(default=None, repr=False)
    # The `slashings` vector (8192 little-endian uint64): the feed's network-level input
    # otherSlashed is its sum less the set's own (ion_cli.zk.feed_proofs.honest_other_slashed).
    slashings: bytes | memoryview = field(default=b"", repr=False)

    def root(self) -> bytes:
        return merkleize(b"".join(self.field_roots), STATE_DEPTH)

    def validator_bytes(self, index: int) -> bytes:
        self._in_range(index)
        o = index * VALIDATOR_BYTES
        return bytes(self.registry[o : o + VALIDATOR_BYTES])

    def balance(self, index: int) -> int:
        self._in_range(index)
        return int.from_bytes(self.balances_raw[index * 8 : index * 8 + 8], "little")

    def _in_range(self, index: int) -> None:
        if not 0 <= index < self.count:
            raise ProofError(f"validator {index} is not in a state of {self.count}")

    def node(self, gindex: int) -> bytes:
        """Any node of the state tree under the validators or balances field, or above."""
        depth = gindex_depth(gindex)
        if depth <= STATE_DEPTH:
            if self._top is None:  # the 64-leaf field tree, hashed once
                self._top = layers(b"".join(self.field_roots), STATE_DEPTH)
            return node_at(self._top, STATE_DEPTH - depth, gindex - (1 << depth))
        below = depth - STATE_DEPTH
        field_index = (gindex >> below) - (1 << STATE_DEPTH)
        rel = (gindex & ((1 << below) - 1)) | (1 << below)
        if field_index == STATE_FIELD_VALIDATORS:
            levels, data_depth, length = self.validators, VALIDATOR_REGISTRY_DEPTH, self.count
        elif field_index == STATE_FIELD_BALANCES:
            levels, data_depth, length = self.balances, BALANCES_DEPTH, self.count
        else:
            raise ProofError(f"no branches into state field {field_index}")
        if rel == 3:
            return length.to_bytes(CHUNK, "little")
        if rel == 1:
            return self.field_roots[field_index]
        d = gindex_depth(rel) - 1  # depth below the data root
        if rel >> d != 2 or d > data_depth:
            raise ProofError(f"generalized index {gindex} is outside the field's data")
        return node_at(levels, data_depth - d, rel - (2 << d))

    def branch(self, gindex: int) -> list[bytes]:
        out = []
        g = gindex
        while g > 1:
            out.append(self.node(g ^ 1))
            g >>= 1
        return out

    def _field_branch(
        self, field_index: int, levels: Sequence[bytes], position: int, length: int
    ) -> list[bytes]:
        """The branch of a list field's chunk: its data tree, the length, the field tree (the
        same nodes `branch(gindex)` finds, without walking generalized indices)."""
        if self._top is None:
            self._top = layers(b"".join(self.field_roots), STATE_DEPTH)
        out = branch_of(levels, position)
        out.append(length.to_bytes(CHUNK, "little"))
        out += branch_of(self._top, field_index)
        return out

    def validator_branch(self, index: int) -> list[bytes]:
        self._in_range(index)
        return self._field_branch(STATE_FIELD_VALIDATORS, self.validators, index, self.count)

    def balance_branch(self, index: int) -> list[bytes]:
        self._in_range(index)
        return self._field_branch(STATE_FIELD_BALANCES, self.balances, index // 4, self.count)

    def multiproof(self, gindices: Iterable[int]) -> dict[int, bytes]:
        """The helper nodes that, with the leaves at `gindices`, reach the state root."""
        return {g: self.node(g) for g in _helper_indices(gindices)}


def _split_container(data: bytes | memoryview, types: Sequence[Any]) -> list[memoryview]:
    """The serialized bytes of each field of an SSZ container (fixed parts and offsets)."""
    fixed_sizes: list[int | None] = []
    for t in types:
        fixed_sizes.append(t.type_byte_length() if t.is_fixed_byte_length() else None)
    pos = 0
    offsets: list[tuple[int, int]] = []  # (field, offset) of the variable fields
    data = memoryview(data)  # slices are views: no copy of a 250 MB registry
    parts: list[memoryview | None] = []
    for i, size in enumerate(fixed_sizes):
        if size is None:
            if pos + 4 > len(data):
                raise ProofError("SSZ state truncated in its fixed part")
            offsets.append((i, int.from_bytes(data[pos : pos + 4], "little")))
            parts.append(None)
            pos += 4
        else:
            if pos + size > len(data):
                raise ProofError("SSZ state truncated in its fixed part")
            parts.append(data[pos : pos + size])
            pos += size
    if offsets and offsets[0][1] != pos:
        raise ProofError("SSZ state: the first offset does not follow the fixed part")
    for k, (i, start) in enumerate(offsets):
        end = offsets[k + 1][1] if k + 1 < len(offsets) else len(data)
        if not start <= end <= len(data):
            raise ProofError("SSZ state: offsets out of order")
        parts[i] = data[start:end]
    if not offsets and pos != len(data):
        raise ProofError("SSZ state: trailing bytes")
    return [p if p is not None else memoryview(b"") for p in parts]


def _packed_root(t: Any, raw: bytes) -> bytes | None:
    """Fast root of a list or vector of uint or Bytes32 elements (None: not such a type)."""
    from remerkleable.basic import uint
    from remerkleable.byte_arrays import Bytes32
    from remerkleable.complex import List, Vector

    if not (isinstance(t, type) and issubclass(t, List | Vector)):
        return None
    kind: Any = t  # remerkleable's class methods are untyped
    elem = kind.element_cls()
    if not (issubclass(elem, uint) or issubclass(elem, Bytes32)):
        return None
    size = elem.type_byte_length()
    if issubclass(t, List):
        limit = kind.limit()
        if len(raw) % size or len(raw) // size > limit:
            raise ProofError(f"a list field of {len(raw)} bytes does not fit {kind.type_repr()}")
        depth = ((limit * size + CHUNK - 1) // CHUNK - 1).bit_length()
        return mix_in_length(merkleize(raw, depth), len(raw) // size)
    length = kind.vector_length()
    if len(raw) != length * size:
        raise ProofError(f"a vector field of {len(raw)} bytes does not fit {kind.type_repr()}")
    return merkleize(raw, ((length * size + CHUNK - 1) // CHUNK - 1).bit_length())


def state_tree(data: bytes | memoryview) -> StateTree:
    """Parse a Fulu BeaconState's SSZ bytes and build its tree (see the module docstring)."""
    from ion_cli.beacon import ssz

    fields = ssz.BeaconState.fields()
    names = list(fields)
    types = [fields[n] for n in names]
    parts = _split_container(data, types)
    roots: list[bytes] = []
    tree_validators: list[bytes] = []
    tree_balances: list[bytes] = []
    registry: bytes | memoryview = b""
    balances_raw: bytes | memoryview = b""
    slashings: bytes | memoryview = b""
    count = 0
    for name, t, raw in zip(names, types, parts, strict=True):
        if name == "slashings":
            slashings = raw
        if name == "validators":
            registry = raw
            if len(raw) % VALIDATOR_BYTES:
                raise ProofError("the validator registry is not a whole number of Validators")
            count = len(raw) // VALIDATOR_BYTES
            tree_validators = layers(validator_roots(raw), VALIDATOR_REGISTRY_DEPTH)
            roots.append(mix_in_length(top(tree_validators), count))
            continue
        if name == "balances":
            balances_raw = raw
            tree_balances = layers(bytes(raw), BALANCES_DEPTH)
            roots.append(mix_in_length(top(tree_balances), len(raw) // 8))
            continue
        fast = _packed_root(t, bytes(raw))
        if fast is not None:
            roots.append(fast)
            continue
        try:
            roots.append(bytes(t.decode_bytes(bytes(raw)).hash_tree_root()))
        except Exception as exc:  # remerkleable raises several kinds on bad bytes
            raise ProofError(f"SSZ state field {name} does not decode: {exc}") from None
    if len(balances_raw) != count * 8:
        raise ProofError(f"{count} validators but {len(balances_raw) // 8} balances")
    slot = int.from_bytes(parts[STATE_FIELD_SLOT], "little")
    return StateTree(
        roots, tree_validators, tree_balances, count, registry, balances_raw, slot,
        slashings=slashings,
    )  # fmt: skip
