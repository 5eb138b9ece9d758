"""The committed snapshot: every validator behind an LRT in a Merkle-sum tree.

Pure (stdlib only). One leaf per validator whose withdrawal credentials are the LRT's, every
status included (pending, active, exited, withdrawn: liveness and status are counted in the
sums, never by leaving a validator out), sorted by index. Each node carries a hash and a vector
of sums (`SUM_NAMES`); the features the model sees are functions of the root's sums only
(`ion_cli.zk.features.from_sums`), so the feed recomputes them on chain from what the
submission commits and anyone can dispute one node in one step (issue 23's fraud proofs).

Encoding (all integers big-endian, as Solidity's `abi.encodePacked` lays them out):

    sums   = 10 x uint128                                         (160 bytes)
    leaf   = sha256(0x00 || index u64 || pubkey_root b32 || withdrawal_credentials b32
                    || effective_balance u64 || slashed u8 || activation_eligibility_epoch u64
                    || activation_epoch u64 || exit_epoch u64 || withdrawable_epoch u64
                    || balance u64 || sums)                       (282 bytes)
    inner  = sha256(0x01 || left.hash || right.hash || sums),  sums = left.sums + right.sums
    empty  = (hash 0x00..00, sums all zero): pads the leaf level to a power of two

Why these choices:
- SHA-256, not keccak: the fraud proofs already hash SSZ branches with the SHA-256 precompile
  (one code path on chain), Python builds the tree with `hashlib` (no heavy keccak import for a
  2M-validator state), and the extra gas is a few hundred per level (60 + 12/word against
  30 + 6/word, plus the precompile call).
- The leaf keeps the pubkey's SSZ root (sha256(pubkey || 16 zero bytes)) and the other seven
  Validator fields exactly, so the contract rebuilds the validator's container root from the
  leaf and compares it with one state branch (`validators[index]`), and the balance with one
  balance branch: a lie in any field is one challenge.
- The leaf's own sums are in its hash: "a leaf whose sums differ from its record" is a
  challenge of its own (the contract recomputes them from the fields and the epoch).
- Domain bytes 0x00/0x01 keep a leaf from being passed off as an inner node (the preimages also
  differ in length). An empty node's hash is zero, which no sha256 output is in practice.
- Sums are uint128: 2M validators x 2048 ETH in Gwei is about 2^62, too close to uint64's
  limit for totals a liar may inflate; 128 bits leave room and still pack two to a word.

Positions: leaf p (0-based) holds the p-th validator by index. The root's sums[0] is the leaf
count; `first_index`/`last_index` are committed with the root, so a missing validator below the
first leaf or above the last one can be shown from leaf 0 or leaf count-1 and the bounds.

The one-step fraud proofs this is built for (issue 23; the feed stores keccak256 of the
commitment and of the credential set, and the state root, at submission):
- a leaf's fields or balance differ from the state: the leaf, its branch here, the validator's
  container root rebuilt from the leaf against `validators[index]`'s state branch, the balance
  chunk against `balances[index // 4]`'s;
- a leaf's own sums differ from its record: the leaf and its branch (the contract recomputes
  `leaf_sums` from the fields and the epoch of the stored slot);
- a validator of the snapshot's credentials missing: its state branch plus the two adjacent
  leaves p, p+1 with index(p) < missing < index(p+1), or leaf 0 / leaf count-1 and the bounds;
- a leaf whose credentials are not in the snapshot: the leaf, its branch, the credential list
  (checked against the stored hash);
- an inner node whose sums are not its children's: the node's two children, each opened so
  that its sums are the ones its hash binds (an inner child by its two child hashes, a leaf by
  its record, an empty one is zero sums), and the node's branch;
- two leaves out of order or repeated: two adjacent leaves and their branches; a leaf count
  that does not match the tree: a non-empty leaf at position >= count or an empty one below
  (an empty node's sums are zero by definition: never given, so never shifted to a sibling);
- a committed network-level input that differs from the state: `otherSlashed` against the
  state's `slashings` vector (T is bounded by the feed instead: no one state field holds it).

What a leaf counts (at the snapshot's epoch e; "live" = e < withdrawable_epoch, see
`ion_cli.zk.rule`): `leaves` 1; `live` 1 if live; the Gwei totals are of live validators only
(effective balance, balance, slashed, correlation still pending, active, unslashed and exiting,
shortfall max(0, effective - balance), and 0x02-credential effective balance).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ion_cli import consensus_rules as cr
from ion_cli.beacon.snapshot import Validator

SUM_NAMES: tuple[str, ...] = (
    "leaves",
    "live",
    "live_effective",
    "live_balance",
    "slashed_effective",
    "pending_effective",
    "active_effective",
    "exiting_effective",
    "shortfall",
    "compounding_effective",
)
N_SUMS = len(SUM_NAMES)
SUM_BYTES = 16  # uint128
SUM_MAX = (1 << (8 * SUM_BYTES)) - 1
LEAF_TAG = b"\x00"
NODE_TAG = b"\x01"
EMPTY_HASH = bytes(32)
ZERO_SUMS: tuple[int, ...] = (0,) * N_SUMS
# (bounds are for "no leaves": first > last)
NO_INDEX = (1 << 64) - 1


class SumTreeError(ValueError):
    """A tree that cannot be built or does not check (one-line message)."""


Sums = tuple[int, ...]


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def pack_sums(sums: Sequence[int]) -> bytes:
    if len(sums) != N_SUMS:
        raise SumTreeError(f"expected {N_SUMS} sums, got {len(sums)}")
    for s in sums:
        if not 0 <= s <= SUM_MAX:
            raise SumTreeError(f"sum {s} outside uint128")
    return b"".join(s.to_bytes(SUM_BYTES, "big") for s in sums)


def add_sums(a: Sequence[int], b: Sequence[int]) -> Sums:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _u64(x: int) -> bytes:
    if not 0 <= x < 1 << 64:
        raise SumTreeError(f"{x} does not fit uint64")
    return x.to_bytes(8, "big")


def _b32(hex_text: str, what: str) -> bytes:
    try:
        data = bytes.fromhex(hex_text.removeprefix("0x"))
    except ValueError as exc:
        raise SumTreeError(f"{what} is not hex") from exc
    if len(data) != 32:
        raise SumTreeError(f"{what} must be 32 bytes")
    return data


def pubkey_root(pubkey_hex: str) -> bytes:
    """The SSZ hash_tree_root of a 48-byte BLS pubkey (two chunks)."""
    try:
        pk = bytes.fromhex(pubkey_hex.removeprefix("0x"))
    except ValueError as exc:
        raise SumTreeError("pubkey is not hex") from exc
    if len(pk) != 48:
        raise SumTreeError("a pubkey must be 48 bytes")
    return sha256(pk + bytes(16))


# ---- what one validator counts -----------------------------------------------------------------


def leaf_sums(v: Validator, epoch: int) -> Sums:
    """The sums vector of one validator's leaf at `epoch` (the contract mirrors this)."""
    live = epoch < v.withdrawable_epoch
    if not live:
        return (1,) + (0,) * (N_SUMS - 1)
    eb = v.effective_balance
    pending = v.slashed and epoch <= cr.correlation_penalty_epoch(v.withdrawable_epoch)
    active = v.activation_epoch <= epoch < v.exit_epoch
    exiting = not v.slashed and v.exit_epoch != cr.FAR_FUTURE_EPOCH
    compounding = v.withdrawal_credentials[:4].lower() == "0x02"
    return (
        1,
        1,
        eb,
        v.balance,
        eb if v.slashed else 0,
        eb if pending else 0,
        eb if active else 0,
        eb if exiting else 0,
        max(0, eb - v.balance),
        eb if compounding else 0,
    )


def leaf_preimage(v: Validator, sums: Sequence[int]) -> bytes:
    return b"".join(
        (
            LEAF_TAG,
            _u64(v.index),
            pubkey_root(v.pubkey),
            _b32(v.withdrawal_credentials, "withdrawal credentials"),
            _u64(v.effective_balance),
            b"\x01" if v.slashed else b"\x00",
            _u64(v.activation_eligibility_epoch),
            _u64(v.activation_epoch),
            _u64(v.exit_epoch),
            _u64(v.withdrawable_epoch),
            _u64(v.balance),
            pack_sums(sums),
        )
    )


def leaf_hash(v: Validator, sums: Sequence[int]) -> bytes:
    return sha256(leaf_preimage(v, sums))


def node_hash(left: bytes, right: bytes, sums: Sequence[int]) -> bytes:
    return sha256(NODE_TAG + left + right + pack_sums(sums))


# ---- the tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    hash: bytes
    sums: Sums


@dataclass(frozen=True)
class Step:
    """One level of a branch: the sibling's hash and sums, bottom up."""

    hash: bytes
    sums: Sums


@dataclass(frozen=True)
class SumTree:
    epoch: int
    validators: tuple[Validator, ...]  # sorted by index, one leaf each
    levels: tuple[tuple[Node, ...], ...]  # levels[0] = leaves (padded), levels[-1] = (root,)

    @property
    def root(self) -> Node:
        return self.levels[-1][0]

    @property
    def depth(self) -> int:
        return len(self.levels) - 1

    @property
    def leaf_count(self) -> int:
        return len(self.validators)

    @property
    def first_index(self) -> int:
        return self.validators[0].index if self.validators else NO_INDEX

    @property
    def last_index(self) -> int:
        return self.validators[-1].index if self.validators else 0

    def branch(self, position: int) -> list[Step]:
        if not 0 <= position < len(self.levels[0]):
            raise SumTreeError(f"no leaf at position {position}")
        steps = []
        for h in range(self.depth):
            sib = self.levels[h][(position >> h) ^ 1]
            steps.append(Step(sib.hash, sib.sums))
        return steps

    def commitment(self) -> Commitment:
        return Commitment(
            root="0x" + self.root.hash.hex(),
            sums=self.root.sums,
            leaf_count=self.leaf_count,
            first_index=self.first_index,
            last_index=self.last_index,
            depth=self.depth,
            epoch=self.epoch,
        )

    def to_json(self) -> dict[str, object]:
        """The file `ion prove` writes beside the receipt: the commitment and every leaf."""
        return {
            "format": "ion-sumtree/1",
            "commitment": self.commitment().to_json(),
            "leaves": [v.to_json() for v in self.validators],
        }


@dataclass(frozen=True)
class Commitment:
    """What a submission commits (and the receipt records)."""

    root: str  # 0x-hex
    sums: Sums
    leaf_count: int
    first_index: int
    last_index: int
    depth: int
    epoch: int

    def to_json(self) -> dict[str, object]:
        return {
            "root": self.root,
            "sums": dict(zip(SUM_NAMES, self.sums, strict=True)),
            "leaf_count": self.leaf_count,
            "first_index": self.first_index,
            "last_index": self.last_index,
            "depth": self.depth,
            "epoch": self.epoch,
        }

    @classmethod
    def from_json(cls, data: object) -> Commitment:
        if not isinstance(data, dict):
            raise SumTreeError("commitment: expected an object")
        try:
            sums_obj = data["sums"]
            if not isinstance(sums_obj, dict) or set(sums_obj) != set(SUM_NAMES):
                raise SumTreeError(f"commitment: sums must name exactly {', '.join(SUM_NAMES)}")
            ints = {
                k: data[k] for k in ("leaf_count", "first_index", "last_index", "depth", "epoch")
            }
            root = data["root"]
        except KeyError as exc:
            raise SumTreeError(f"commitment: missing {exc.args[0]}") from exc
        for name, value in [*ints.items(), *sums_obj.items()]:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise SumTreeError(f"commitment: {name} must be a non-negative integer")
        if not isinstance(root, str):
            raise SumTreeError("commitment: root must be hex")
        _b32(root, "commitment root")
        return cls(
            root=root.lower(),
            sums=tuple(int(sums_obj[n]) for n in SUM_NAMES),
            leaf_count=int(ints["leaf_count"]),
            first_index=int(ints["first_index"]),
            last_index=int(ints["last_index"]),
            depth=int(ints["depth"]),
            epoch=int(ints["epoch"]),
        )


def _depth_for(count: int) -> int:
    return max(0, (count - 1).bit_length()) if count > 1 else 0


def build(validators: Iterable[Validator], epoch: int) -> SumTree:
    """The tree over `validators` (sorted here by index; a repeated index is refused)."""
    ordered = tuple(sorted(validators, key=lambda v: v.index))
    for a, b in itertools.pairwise(ordered):
        if a.index == b.index:
            raise SumTreeError(f"validator {a.index} appears twice")
    leaves: list[Node] = []
    for v in ordered:
        sums = leaf_sums(v, epoch)
        leaves.append(Node(leaf_hash(v, sums), sums))
    if not leaves:
        return SumTree(epoch, ordered, ((Node(EMPTY_HASH, ZERO_SUMS),),))
    width = 1 << _depth_for(len(leaves))
    leaves.extend(Node(EMPTY_HASH, ZERO_SUMS) for _ in range(width - len(leaves)))
    levels: list[tuple[Node, ...]] = [tuple(leaves)]
    while len(levels[-1]) > 1:
        below = levels[-1]
        up = []
        for i in range(0, len(below), 2):
            left, right = below[i], below[i + 1]
            sums = add_sums(left.sums, right.sums)
            up.append(Node(node_hash(left.hash, right.hash, sums), sums))
        levels.append(tuple(up))
    return SumTree(epoch, ordered, tuple(levels))


def root_from_branch(leaf: Node, position: int, steps: Sequence[Step]) -> Node:
    """The root a leaf and its branch lead to (what a fraud proof recomputes on chain)."""
    node = leaf
    for h, step in enumerate(steps):
        sums = add_sums(node.sums, step.sums)
        if (position >> h) & 1:
            node = Node(node_hash(step.hash, node.hash, sums), sums)
        else:
            node = Node(node_hash(node.hash, step.hash, sums), sums)
    return node


def check(tree_json: object, expected: Commitment | None = None) -> SumTree:
    """Rebuild a tree from its JSON (the file `ion prove` wrote) and check it against the
    commitment it names and, when given, the one the receipt records."""
    from ion_cli.zk.snapshot_json import validator_from_json

    if not isinstance(tree_json, dict) or tree_json.get("format") != "ion-sumtree/1":
        raise SumTreeError("not an ion sum tree (format ion-sumtree/1)")
    claimed = Commitment.from_json(tree_json.get("commitment"))
    leaves = tree_json.get("leaves")
    if not isinstance(leaves, list):
        raise SumTreeError("sum tree: leaves must be a list")
    try:
        validators = [validator_from_json(x) for x in leaves]
    except (KeyError, TypeError, ValueError) as exc:
        raise SumTreeError(f"sum tree: a leaf is malformed ({exc})") from exc
    tree = build(validators, claimed.epoch)
    if [v.index for v in tree.validators] != [v.index for v in validators]:
        raise SumTreeError("sum tree: leaves are not sorted by index")
    if tree.commitment() != claimed:
        raise SumTreeError("sum tree: the leaves do not rebuild the commitment it names")
    if expected is not None and tree.commitment() != expected:
        raise SumTreeError("sum tree: its commitment differs from the receipt's")
    return tree
