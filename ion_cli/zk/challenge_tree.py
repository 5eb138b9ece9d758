"""A submitter's tree as it claims it, lies included: what a challenger takes branches from.

Pure (stdlib only). `ion_cli.zk.sumtree.build` can only make a sound tree (it computes every
sum); a false submission's tree may carry any sums at a leaf or an inner node, leaves out of
order or repeated, gaps. A fraud proof is made of branches of *that* tree (the feed checks them
against the committed root), so the challenger holds it node by node:

- a leaf is a validator's fields with the sums its hash commits to, or empty (hash zero, sums
  zero: an empty node has no preimage, so nothing can make it carry sums);
- an inner node's hash is `sumtree.node_hash(left, right, sums)` with the sums it claims;
  `build` takes those claims (`inner`), and a node without a claim gets its children's total.

Branches are walked the way the feed walks them (`sumtree.root_from_branch`: sums are added on
the way up), so a branch through an inner node whose sums are not its children's never reaches
the root: such a node must be challenged first (`ion_cli.zk.challenge_find`).

The file form (`ion-sumtree-nodes/1`, what a submitter publishes with a submission and what
`ion challenge --tree` reads) lists every leaf with its sums and every inner node's sums; the
sound form `ion-sumtree/1` (what `ion prove` writes) is read too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ion_cli.beacon.snapshot import Validator
from ion_cli.zk import sumtree
from ion_cli.zk.sumtree import EMPTY_HASH, N_SUMS, ZERO_SUMS, Node, Step, Sums, SumTreeError

FORMAT = "ion-sumtree-nodes/1"


@dataclass(frozen=True)
class ClaimedLeaf:
    validator: Validator | None  # None: an empty leaf (hash zero, sums zero)
    sums: Sums = ZERO_SUMS

    @property
    def empty(self) -> bool:
        return self.validator is None

    def node(self) -> Node:
        if self.validator is None:
            return Node(EMPTY_HASH, ZERO_SUMS)
        return Node(sumtree.leaf_hash(self.validator, self.sums), self.sums)


EMPTY_LEAF = ClaimedLeaf(None)


@dataclass(frozen=True)
class ClaimedTree:
    """Every node of a submitter's tree (levels[0] the leaves, levels[-1] the root)."""

    epoch: int
    leaves: tuple[ClaimedLeaf, ...]  # padded to a power of two
    levels: tuple[tuple[Node, ...], ...]

    @property
    def depth(self) -> int:
        return len(self.levels) - 1

    @property
    def root(self) -> Node:
        return self.levels[-1][0]

    @property
    def width(self) -> int:
        return len(self.leaves)

    def node(self, height: int, position: int) -> Node:
        return self.levels[height][position]

    def children(self, height: int, position: int) -> tuple[Node, Node]:
        if height == 0:
            raise SumTreeError("a leaf has no children")
        below = self.levels[height - 1]
        return below[2 * position], below[2 * position + 1]

    def branch(self, position: int, height: int = 0) -> list[Step]:
        """The siblings of node `position` of level `height`, bottom up to the root."""
        if not 0 <= height <= self.depth or not 0 <= position < len(self.levels[height]):
            raise SumTreeError(f"no node at height {height}, position {position}")
        steps = []
        for h in range(height, self.depth):
            sib = self.levels[h][(position >> (h - height)) ^ 1]
            steps.append(Step(sib.hash, sib.sums))
        return steps

    def leaf_validators(self) -> list[tuple[int, Validator]]:
        """(position, validator) of every non-empty leaf."""
        return [(p, leaf.validator) for p, leaf in enumerate(self.leaves) if leaf.validator]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "epoch": self.epoch,
            "depth": self.depth,
            "root": "0x" + self.root.hash.hex(),
            "leaves": [
                None
                if leaf.validator is None
                else {**leaf.validator.to_json(), "sums": list(leaf.sums)}
                for leaf in self.leaves
            ],
            "inner": [[list(n.sums) for n in level] for level in self.levels[1:]],
        }


def build(
    leaves: Sequence[ClaimedLeaf],
    epoch: int,
    inner: Mapping[tuple[int, int], Sums] | None = None,
) -> ClaimedTree:
    """A tree over `leaves` in the order given (padded with empty leaves to a power of two);
    `inner[(height, position)]` overrides the sums an inner node claims."""
    inner = inner or {}
    padded = list(leaves) or [EMPTY_LEAF]
    width = 1
    while width < len(padded):
        width *= 2
    padded += [EMPTY_LEAF] * (width - len(padded))
    levels: list[tuple[Node, ...]] = [tuple(leaf.node() for leaf in padded)]
    while len(levels[-1]) > 1:
        below = levels[-1]
        height = len(levels)
        up = []
        for i in range(0, len(below), 2):
            left, right = below[i], below[i + 1]
            sums = inner.get((height, i // 2)) or sumtree.add_sums(left.sums, right.sums)
            up.append(Node(sumtree.node_hash(left.hash, right.hash, sums), tuple(sums)))
        levels.append(tuple(up))
    return ClaimedTree(epoch, tuple(padded), tuple(levels))


def from_sound(tree: sumtree.SumTree) -> ClaimedTree:
    """The claimed form of a sound tree (what `ion prove` built)."""
    leaves = [ClaimedLeaf(v, sumtree.leaf_sums(v, tree.epoch)) for v in tree.validators]
    return build(leaves, tree.epoch)


def _sums(value: Any, what: str) -> Sums:
    if (
        not isinstance(value, list)
        or len(value) != N_SUMS
        or not all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in value)
    ):
        raise SumTreeError(f"{what}: expected {N_SUMS} non-negative integers")
    return tuple(value)


def from_json(data: Any) -> ClaimedTree:
    """A tree file: `ion-sumtree-nodes/1` (any tree) or `ion-sumtree/1` (a sound one)."""
    from ion_cli.zk.snapshot_json import SnapshotFormatError, validator_from_json

    if isinstance(data, dict) and data.get("format") == "ion-sumtree/1":
        return from_sound(sumtree.check(data))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SumTreeError(f"not a tree file (format {FORMAT} or ion-sumtree/1)")
    epoch, depth = data.get("epoch"), data.get("depth")
    raw_leaves, raw_inner = data.get("leaves"), data.get("inner")
    if not isinstance(epoch, int) or not isinstance(depth, int) or not 0 <= depth <= 40:
        raise SumTreeError("tree file: epoch and depth must be integers (depth <= 40)")
    if not isinstance(raw_leaves, list) or len(raw_leaves) != 1 << depth:
        raise SumTreeError(f"tree file: expected {1 << depth} leaves (depth {depth})")
    if not isinstance(raw_inner, list) or len(raw_inner) != depth:
        raise SumTreeError(f"tree file: expected {depth} inner levels")
    leaves = []
    for p, item in enumerate(raw_leaves):
        if item is None:
            leaves.append(EMPTY_LEAF)
            continue
        if not isinstance(item, dict):
            raise SumTreeError(f"tree file: leaf {p} is neither null nor an object")
        try:
            v = validator_from_json({"status": "", **item})
        except SnapshotFormatError as exc:
            raise SumTreeError(f"tree file: leaf {p}: {exc}") from None
        leaves.append(ClaimedLeaf(v, _sums(item.get("sums"), f"leaf {p} sums")))
    overrides: dict[tuple[int, int], Sums] = {}
    for h, level in enumerate(raw_inner, start=1):
        if not isinstance(level, list) or len(level) != 1 << (depth - h):
            raise SumTreeError(f"tree file: level {h} must hold {1 << (depth - h)} nodes")
        for p, sums in enumerate(level):
            overrides[(h, p)] = _sums(sums, f"node ({h}, {p}) sums")
    tree = build(leaves, epoch, overrides)
    root = data.get("root")
    if root is not None and str(root).lower() != "0x" + tree.root.hash.hex():
        raise SumTreeError("tree file: its nodes do not hash to the root it names")
    return tree
