"""Where a submission's committed snapshot first disagrees with the beacon state, and which
one-step fraud proof shows it most cheaply.

Pure (stdlib only). Inputs: what the submission committed (`Claim`: the commitment struct the
feed hashed), the submitter's tree (`ion_cli.zk.challenge_tree.ClaimedTree`, from the tree file
it published) and the truth at the submission's state root (`Truth`: the state's records, the
members of the credential set the feed snapshotted, and the network-level input the state
gives). Output: `Verdict` (sound, or the first `Finding`, or why no finding can be made from
this tree).

The scan, in this order (the first location with a disagreement wins; among the fraud proofs
that apply there the cheapest is named, the others listed in `also`):
1. the tree against the commitment: the tree must hash to the committed root (else it is not
   the submission's tree: `Verdict.unverifiable`); the root's sums must be the committed sums
   (`root_sums`); a committed network-level input must be the state's (`network_input`);
2. inner nodes, top down (`inner_sums`): every branch the feed checks adds sums on the way up,
   so no branch through a node whose sums are not its children's reaches the root; the first
   such node from the top has only sound ancestors, so its own branch does;
3. leaf positions, left to right; at each: a validator of the set missing before it
   (`missing_before` at leaf 0, `missing_between` with the leaf before), the leaf's own sums
   (`leaf_sums`), the committed count (`empty_leaf`: an empty leaf below the count;
   `leaf_count`: a leaf at or past it, or a tree deeper or shallower than the count makes),
   the committed bounds (`bounds`: leaf 0's index is not `first_index`, the last leaf's not
   `last_index`), order (`leaf_order`: the next leaf's index is not above this one's, repeats
   included; looked at from the first of the two, so two swapped leaves are shown as such
   rather than as the first one missing), a leaf whose credentials are not in the set
   (`foreign_leaf`), a leaf for an index the state does not have (`leaf_not_in_state`), a
   balance unlike the state's (`leaf_balance`), other fields unlike the state's record
   (`leaf_validator`);
4. a validator of the set past the last leaf (`missing_after`).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ion_cli.beacon.snapshot import Validator
from ion_cli.zk import sumtree
from ion_cli.zk.challenge_tree import ClaimedTree
from ion_cli.zk.sumtree import Sums

# What each fraud proof carries, as a rough rank of its gas (calldata + hashing): the finder
# names the cheapest of those that apply at the first disagreement.
COST: dict[str, int] = {
    "root_sums": 1,  # the root's two children
    "leaf_sums": 2,  # one leaf and its branch
    "bounds": 2,
    "leaf_count": 2,  # a leaf past the count, or at another depth than the count's
    "empty_leaf": 2,  # an empty leaf below the count: its branch
    "network_input": 3,  # the non-zero chunks of the state's slashings and their branch
    "inner_sums": 3,  # a node's branch and its children's preimages
    "leaf_order": 4,  # two leaves and their branches
    "foreign_leaf": 4,  # one leaf, its branch and the credential list
    "leaf_balance": 5,  # one leaf, its branch, the balance chunk's state branch (45 nodes)
    "leaf_validator": 6,  # one leaf, its branch, the record's state branch (47 nodes)
    "leaf_not_in_state": 6,  # as leaf_validator, the record past the registry's end (zero)
    "missing_before": 7,  # one leaf, its branch, the missing one's credentials (50 nodes)
    "missing_after": 7,
    "missing_between": 8,  # two leaves, two branches, the credentials' state branch
}
KINDS = tuple(COST)

FIELDS = (
    "pubkey",
    "withdrawal_credentials",
    "effective_balance",
    "slashed",
    "activation_eligibility_epoch",
    "activation_epoch",
    "exit_epoch",
    "withdrawable_epoch",
    "balance",
)


@dataclass(frozen=True)
class Claim:
    """What a submission committed (the feed's SnapshotCommitment)."""

    root: str  # 0x-hex, the tree's root hash
    sums: Sums
    first_index: int
    last_index: int
    network_active: int
    other_slashed: int

    @classmethod
    def from_receipt_section(cls, section: Any) -> Claim:
        """From a receipt's `commitment` section (what `ion submit` sends)."""
        c = sumtree.Commitment.from_json(section)
        net = section.get("network") if isinstance(section, dict) else None
        if not isinstance(net, dict):
            raise sumtree.SumTreeError("commitment: no network-level inputs")
        return cls(
            root=c.root,
            sums=c.sums,
            first_index=c.first_index,
            last_index=c.last_index,
            network_active=int(net["active_balance"]),
            other_slashed=int(net["other_slashed"]),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "sums": dict(zip(sumtree.SUM_NAMES, self.sums, strict=True)),
            "first_index": self.first_index,
            "last_index": self.last_index,
            "network_active": self.network_active,
            "other_slashed": self.other_slashed,
        }


class Truth(Protocol):
    """The beacon state at the submission's state root, as far as the finder needs it."""

    @property
    def epoch(self) -> int: ...

    @property
    def credentials(self) -> frozenset[str]:
        """The snapshotted credential set (lowercase 0x-hex)."""
        ...

    @property
    def slashings_total(self) -> int | None:
        """The sum of the state's `slashings` vector (None: not checked here)."""
        ...

    def record(self, index: int) -> Validator | None:
        """The state's validator `index` with its balance (None: the state has no such one)."""
        ...

    def members(self) -> Sequence[int]:
        """The indices of the state's validators with credentials in the set, ascending."""
        ...


@dataclass(frozen=True)
class TruthTable:
    """A `Truth` from records in memory (tests, small states)."""

    epoch: int
    credentials: frozenset[str]
    records: dict[int, Validator]
    slashings_total: int | None = 0

    def record(self, index: int) -> Validator | None:
        return self.records.get(index)

    def members(self) -> Sequence[int]:
        return sorted(
            i
            for i, v in self.records.items()
            if v.withdrawal_credentials.lower() in self.credentials
        )


@dataclass(frozen=True)
class Finding:
    kind: str
    detail: str  # one line, for people
    positions: tuple[int, ...] = ()  # leaf positions (the node's position for inner_sums)
    height: int = 0  # inner_sums: the node's level above the leaves
    index: int | None = None  # the validator concerned (the leaf's, or the missing one's)
    fields: tuple[str, ...] = ()  # leaf_validator / leaf_balance: which differ
    also: tuple[str, ...] = ()  # other fraud proofs that apply at the same place

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "detail": self.detail,
            "positions": list(self.positions),
            "height": self.height,
            "index": self.index,
            "fields": list(self.fields),
            "also": list(self.also),
        }


@dataclass(frozen=True)
class Verdict:
    sound: bool
    finding: Finding | None = None
    unverifiable: str | None = None  # the tree at hand is not the submission's
    checked: dict[str, int] = field(default_factory=dict)  # what was compared

    def to_json(self) -> dict[str, Any]:
        return {
            "sound": self.sound,
            "finding": self.finding.to_json() if self.finding else None,
            "unverifiable": self.unverifiable,
            "checked": dict(self.checked),
        }


def _cheapest(found: list[Finding]) -> Finding:
    best = min(found, key=lambda f: COST[f.kind])
    others = tuple(dict.fromkeys(f.kind for f in found if f is not best))
    return Finding(
        best.kind, best.detail, best.positions, best.height, best.index, best.fields, others
    )


def leaf_differences(leaf: Validator, state: Validator) -> tuple[str, ...]:
    """The leaf's fields that differ from the state's record (the pubkey by its SSZ root, as
    the leaf holds it)."""
    out = []
    for name in FIELDS:
        a, b = getattr(leaf, name), getattr(state, name)
        if name in ("pubkey", "withdrawal_credentials"):
            a, b = str(a).lower(), str(b).lower()
        if a != b:
            out.append(name)
    return tuple(out)


def find(claim: Claim, tree: ClaimedTree, truth: Truth) -> Verdict:
    """The first disagreement of the submission with the state, or sound."""
    if "0x" + tree.root.hash.hex() != claim.root.lower():
        return Verdict(
            False,
            unverifiable=f"the tree at hand hashes to 0x{tree.root.hash.hex()[:16]}…, not the "
            f"committed root {claim.root[:18]}…: it is not this submission's tree",
        )
    if tree.epoch != truth.epoch:
        return Verdict(
            False,
            unverifiable=f"the tree is of epoch {tree.epoch}, the state of {truth.epoch}",
        )
    found = _commitment_level(claim, tree, truth)
    if found:
        return Verdict(False, _cheapest(found))
    inner = _inner_nodes(tree)
    if inner is not None:
        return Verdict(False, inner)
    return _leaves(claim, tree, truth)


def _commitment_level(claim: Claim, tree: ClaimedTree, truth: Truth) -> list[Finding]:
    found = []
    if tuple(tree.root.sums) != tuple(claim.sums):
        names = [
            n
            for n, a, b in zip(sumtree.SUM_NAMES, tree.root.sums, claim.sums, strict=True)
            if a != b
        ]
        found.append(
            Finding(
                "root_sums",
                f"the committed sums ({', '.join(names)}) are not the sums its root hashes",
                positions=(0,),
                height=tree.depth,
            )
        )
    truth_other = other_slashed_of(truth.slashings_total, claim)
    if truth_other is not None and claim.other_slashed != truth_other:
        found.append(
            Finding(
                "network_input",
                f"the committed balance slashed outside the set is {claim.other_slashed} Gwei; "
                f"the state's slashings give {truth_other}",
            )
        )
    return found


def _inner_nodes(tree: ClaimedTree) -> Finding | None:
    for height in range(tree.depth, 0, -1):
        for position, node in enumerate(tree.levels[height]):
            left, right = tree.children(height, position)
            total = sumtree.add_sums(left.sums, right.sums)
            if tuple(node.sums) != total:
                names = [
                    n for n, a, b in zip(sumtree.SUM_NAMES, node.sums, total, strict=True) if a != b
                ]
                return Finding(
                    "inner_sums",
                    f"the node {position} of level {height} claims sums ({', '.join(names)}) "
                    "that are not its children's",
                    positions=(position,),
                    height=height,
                )
    return None


def _leaves(claim: Claim, tree: ClaimedTree, truth: Truth) -> Verdict:
    members = list(truth.members())
    count = claim.sums[0]
    previous: tuple[int, Validator] | None = None
    last_position = -1
    for p, leaf in enumerate(tree.leaves):
        found: list[Finding] = []
        v = leaf.validator
        if v is None:
            if p < count:
                found.append(
                    Finding(
                        "empty_leaf",
                        f"leaf {p} is empty but the commitment counts {count} leaves",
                        positions=(p,),
                    )
                )
                return Verdict(False, _cheapest(found))
            continue
        last_position = p
        if tree.depth != depth_for(count):
            found.append(
                Finding(
                    "leaf_count",
                    f"the tree is {tree.depth} levels deep; {count} leaves make {depth_for(count)}",
                    positions=(p,),
                    index=v.index,
                )
            )
        if p >= count:
            found.append(
                Finding(
                    "leaf_count",
                    f"leaf {p} holds validator {v.index} past the committed count {count}",
                    positions=(p,),
                    index=v.index,
                )
            )
        low = previous[1].index if previous else -1
        gap = _first_member_between(members, low, v.index)
        if gap is not None:
            kind = "missing_before" if previous is None else "missing_between"
            around = (p,) if previous is None else (previous[0], p)
            found.append(
                Finding(
                    kind,
                    f"validator {gap} has the set's credentials but is missing "
                    + (
                        f"before the first leaf ({v.index})"
                        if previous is None
                        else f"between leaves {low} and {v.index}"
                    ),
                    positions=around,
                    index=gap,
                )
            )
        nxt = tree.leaves[p + 1].validator if p + 1 < tree.width else None
        if nxt is not None and nxt.index <= v.index:
            found.append(
                Finding(
                    "leaf_order",
                    f"leaf {p + 1} (validator {nxt.index}) "
                    + ("repeats" if nxt.index == v.index else "is not above")
                    + f" leaf {p} (validator {v.index})",
                    positions=(p, p + 1),
                    index=nxt.index,
                )
            )
        if p == 0 and v.index != claim.first_index:
            found.append(
                Finding(
                    "bounds",
                    f"leaf 0 is validator {v.index}, the committed first index {claim.first_index}",
                    positions=(0,),
                    index=v.index,
                )
            )
        if p == count - 1 and v.index != claim.last_index:
            found.append(
                Finding(
                    "bounds",
                    f"the last leaf is validator {v.index}, the committed last index "
                    f"{claim.last_index}",
                    positions=(p,),
                    index=v.index,
                )
            )
        want = sumtree.leaf_sums(v, tree.epoch)
        if tuple(leaf.sums) != want:
            names = [
                n for n, a, b in zip(sumtree.SUM_NAMES, leaf.sums, want, strict=True) if a != b
            ]
            found.append(
                Finding(
                    "leaf_sums",
                    f"leaf {p} (validator {v.index}) claims sums ({', '.join(names)}) its "
                    "own fields do not give",
                    positions=(p,),
                    index=v.index,
                )
            )
        if v.withdrawal_credentials.lower() not in truth.credentials:
            found.append(
                Finding(
                    "foreign_leaf",
                    f"leaf {p} (validator {v.index}) has credentials "
                    f"{v.withdrawal_credentials[:12]}… outside the snapshotted set",
                    positions=(p,),
                    index=v.index,
                )
            )
        state = truth.record(v.index)
        if state is None:  # the registry's node past its end is zero: no record hashes to it
            found.append(
                Finding(
                    "leaf_not_in_state",
                    f"leaf {p} names validator {v.index}, which the state does not have",
                    positions=(p,),
                    index=v.index,
                )
            )
        else:
            wrong = leaf_differences(v, state)
            record = tuple(f for f in wrong if f != "balance")
            if "balance" in wrong:
                found.append(
                    Finding(
                        "leaf_balance",
                        f"leaf {p} (validator {v.index}) has balance {v.balance} Gwei; the "
                        f"state {state.balance}",
                        positions=(p,),
                        index=v.index,
                        fields=("balance",),
                    )
                )
            if record:
                found.append(
                    Finding(
                        "leaf_validator",
                        f"leaf {p} (validator {v.index}): {', '.join(record)} "
                        + ("differs" if len(record) == 1 else "differ")
                        + " from the state",
                        positions=(p,),
                        index=v.index,
                        fields=record,
                    )
                )
        if found:
            return Verdict(False, _cheapest(found))
        previous = (p, v)
    if count > 0 and previous is None:
        return Verdict(
            False, Finding("empty_leaf", f"no leaf, but {count} counted", positions=(0,))
        )
    if previous is not None:
        after = _first_member_between(members, previous[1].index, None)
        if after is not None:
            return Verdict(
                False,
                Finding(
                    "missing_after",
                    f"validator {after} has the set's credentials but is missing after the "
                    f"last leaf ({previous[1].index})",
                    positions=(previous[0],),
                    index=after,
                ),
            )
    elif members:
        return Verdict(
            False,
            Finding(
                "missing_before",
                f"validator {members[0]} has the set's credentials; the tree has no leaf",
                positions=(0,),
                index=members[0],
            ),
        )
    return Verdict(True, checked={"leaves": last_position + 1, "members": len(members)})


def depth_for(count: int) -> int:
    """The depth of a tree of `count` leaves (the feed's `depthFor`)."""
    return max(0, (count - 1).bit_length())


def other_slashed_of(slashings_total: int | None, claim: Claim) -> int | None:
    """The `otherSlashed` the state gives for this commitment: the slashings vector's sum less
    the set's committed slashed balance, at least zero (the feed's `challengeNetwork`)."""
    if slashings_total is None:
        return None
    own = claim.sums[sumtree.SUM_NAMES.index("slashed_effective")]
    return max(0, slashings_total - own)


def _first_member_between(members: list[int], low: int, high: int | None) -> int | None:
    """The smallest member m with low < m < high (high None: no upper bound)."""
    at = bisect.bisect_right(members, low)
    if at < len(members) and (high is None or members[at] < high):
        return members[at]
    return None
