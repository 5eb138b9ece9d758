"""Lying submissions for tests: each kind of false committed snapshot issue 23 names, made from
a sound tree.

Pure (no chain, no prover). A lie is a `ClaimedTree` (what the liar publishes) and the `Claim`
it commits; the proof of a lie must still verify on the feed, so every lie keeps the commitment
consistent with what the feed checks at submission (the features are recomputed from the lie's
root sums and network inputs: `features_q`, the instances to prove). Which fraud proof each lie
calls for is `EXPECTED` (the finder may name a cheaper one at the same place: `also`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ion_cli.beacon.snapshot import Validator
from ion_cli.zk import challenge_tree as ct
from ion_cli.zk import features, sumtree
from ion_cli.zk.challenge_find import Claim
from ion_cli.zk.challenge_tree import ClaimedLeaf, ClaimedTree


class LieError(ValueError):
    """The sound tree has nothing to lie about this way (e.g. no slashed validator)."""


@dataclass(frozen=True)
class Lie:
    kind: str
    tree: ClaimedTree
    claim: Claim

    @property
    def features_q(self) -> tuple[int, ...]:
        """The features the feed computes from this commitment: what the proof must carry."""
        c = self.claim
        return features.from_sums(c.sums, c.network_active, c.other_slashed).quantized


# The fraud proof each lie calls for.
EXPECTED: dict[str, str] = {
    "slashed_cleared": "leaf_validator",
    "balance_raised": "leaf_balance",
    "left_out_inside": "missing_between",
    "left_out_before": "missing_before",
    "foreign_in": "foreign_leaf",
    "leaf_sums": "leaf_sums",
    "inner_inflated": "inner_sums",
    "swapped": "leaf_order",
    "network_input": "network_input",
}
KINDS = tuple(EXPECTED)


def sound_claim(tree: ClaimedTree, network_active: int, other_slashed: int) -> Claim:
    leaves = [v for _, v in tree.leaf_validators()]
    return Claim(
        root="0x" + tree.root.hash.hex(),
        sums=tree.root.sums,
        first_index=leaves[0].index if leaves else sumtree.NO_INDEX,
        last_index=leaves[-1].index if leaves else 0,
        network_active=network_active,
        other_slashed=other_slashed,
    )


def _honest(vs: Sequence[Validator], epoch: int) -> list[ClaimedLeaf]:
    return [ClaimedLeaf(v, sumtree.leaf_sums(v, epoch)) for v in vs]


def _pick(vs: Sequence[Validator], test: Callable[[Validator], bool], what: str) -> int:
    """A position in the middle of the set that passes `test` (never the first: a lie
    'inside the range' must have a leaf before it)."""
    hits = [p for p, v in enumerate(vs) if test(v) and p > 0]
    if not hits:
        raise LieError(f"the set has no {what} to lie about (past its first validator)")
    return hits[len(hits) // 2]


def make(
    kind: str,
    sound: sumtree.SumTree,
    network_active: int,
    other_slashed: int = 0,
    foreign: Validator | None = None,
    slashings_total: int | None = None,
) -> Lie:
    """The lie `kind` (one of `KINDS`) about the sound tree `sound`. With `slashings_total`
    (the state's slashings vector's sum) the liar commits the `otherSlashed` the state gives
    for its own (lying) slashed sum, as a careful liar would: only `network_input` lies there."""
    epoch = sound.epoch
    vs = list(sound.validators)
    slashed = [p for p, v in enumerate(vs) if v.slashed]
    net = (network_active, other_slashed)
    inner: dict[tuple[int, int], sumtree.Sums] = {}
    if kind == "slashed_cleared":
        p = _pick(vs, lambda v: v.slashed, "slashed validator")
        vs[p] = replace(vs[p], slashed=False)
        leaves = _honest(vs, epoch)
    elif kind == "balance_raised":
        p = _pick(vs, lambda v: v.balance < v.effective_balance or v.slashed, "short validator")
        vs[p] = replace(vs[p], balance=vs[p].effective_balance + 10**9)
        leaves = _honest(vs, epoch)
    elif kind == "left_out_inside":
        p = _pick(vs, lambda v: v.slashed, "slashed validator")
        if p == len(vs) - 1:
            raise LieError("the only slashed validators are last: not inside the range")
        del vs[p]
        leaves = _honest(vs, epoch)
    elif kind == "left_out_before":
        if not slashed:
            raise LieError("the set has no slashed validator to leave out")
        del vs[: slashed[0] + 1]  # everything up to the first slashed one: it is before leaf 0
        leaves = _honest(vs, epoch)
    elif kind == "foreign_in":
        if foreign is None:
            raise LieError("a foreign validator (credentials outside the set) is needed")
        if any(v.index == foreign.index for v in vs):
            raise LieError(f"validator {foreign.index} is in the set already")
        vs = sorted([*vs, foreign], key=lambda v: v.index)
        leaves = _honest(vs, epoch)
    elif kind == "leaf_sums":
        p = _pick(vs, lambda v: True, "validator")
        leaves = _honest(vs, epoch)
        # The fields are the state's; the sums its hash commits to count 32 ETH of active
        # stake it does not have (diluting every share of the set's effective balance).
        lied = list(leaves[p].sums)
        for name in ("live_effective", "active_effective"):
            lied[sumtree.SUM_NAMES.index(name)] += 32 * 10**9
        leaves[p] = ClaimedLeaf(vs[p], tuple(lied))
    elif kind == "inner_inflated":
        if len(vs) < 2:
            raise LieError("an inner node needs two leaves")
        leaves = _honest(vs, epoch)
        tree = ct.build(leaves, epoch)
        node = tree.node(1, 0)
        # Healthy stake out of nothing: two more active validators' worth than the children
        # hold (it dilutes every share the features take of the set's effective balance).
        inflated = list(node.sums)
        for name in ("live_effective", "live_balance", "active_effective"):
            inflated[sumtree.SUM_NAMES.index(name)] += 64 * 10**9
        inner[(1, 0)] = tuple(inflated)
    elif kind == "swapped":
        if len(vs) < 2:
            raise LieError("two leaves are needed to swap")
        p = len(vs) // 2
        vs[p - 1], vs[p] = vs[p], vs[p - 1]
        leaves = _honest(vs, epoch)
    elif kind == "network_input":
        leaves = _honest(vs, epoch)
        net = (network_active, other_slashed + 320 * 10**9)
    else:
        raise LieError(f"no lie named {kind!r} (one of {', '.join(KINDS)})")
    tree = ct.build(leaves, epoch, inner)
    claim = sound_claim(tree, *net)
    if slashings_total is not None:
        from ion_cli.zk.challenge_find import other_slashed_of

        consistent = other_slashed_of(slashings_total, claim) or 0
        extra = 320 * 10**9 if kind == "network_input" else 0
        claim = replace(claim, other_slashed=consistent + extra)
    return Lie(kind, tree, claim)
