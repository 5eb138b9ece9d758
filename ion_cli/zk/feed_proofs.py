"""The calldata of the permissionless RiskFeed's one-step fraud proofs (RiskFeedChallenges.sol).

Pure (stdlib only): tuples in the exact order of the Solidity structs, built from a sum tree's
levels (`ion_cli.zk.sumtree`, or any levels a liar built: the openings are of the tree that was
committed, not of the honest one) and from a beacon state's tree (`ion_cli.beacon.proofs`).
`ion_cli.chain.contracts.Contract(challenges, interface="RiskFeedChallenges").challengeX(*args)`
takes them as they are; /work/coord/feed-abi.md and the contract's NatSpec say which branch each
challenge needs.

Levels: `levels[0]` the leaves (padded with empty nodes to a power of two), `levels[-1]` the
root; a node is anything with `hash` (bytes) and `sums` (a tuple of ten ints).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ion_cli.beacon import proofs
from ion_cli.beacon import slashings as beacon_slashings
from ion_cli.beacon.merkle import hash_pair
from ion_cli.beacon.snapshot import Validator
from ion_cli.beacon.validator_ssz import validator_chunks
from ion_cli.zk import sumtree

# Kinds (RiskFeedChallenges.KIND_*): the `kind` of SubmissionRejected and NoFraud.
KINDS: dict[str, int] = {
    "validator": 1,
    "balance": 2,
    "leaf_sums": 3,
    "missing": 4,
    "foreign": 5,
    "node_sums": 6,
    "order": 7,
    "leaf_count": 8,
    "empty_node": 9,
    "bounds": 10,
    "network": 11,
}
FUNCTIONS: dict[str, str] = {
    "validator": "challengeValidator",
    "balance": "challengeBalance",
    "leaf_sums": "challengeLeafSums",
    "missing": "challengeMissing",
    "foreign": "challengeForeign",
    "node_sums": "challengeNodeSums",
    "order": "challengeOrder",
    "leaf_count": "challengeLeafCount",
    "empty_node": "challengeEmptyNode",
    "bounds": "challengeBounds",
    "network": "challengeNetwork",
}
SLASHINGS_FIELD = beacon_slashings.STATE_FIELD_SLASHINGS
SLASHINGS_CHUNKS = 2048  # Vector[uint64, 8192]


class TreeNode(Protocol):
    @property
    def hash(self) -> bytes: ...

    @property
    def sums(self) -> tuple[int, ...]: ...


Levels = Sequence[Sequence[TreeNode]]


def b32(hex_text: str) -> bytes:
    return bytes.fromhex(hex_text.removeprefix("0x"))


def leaf_tuple(v: Validator) -> tuple[Any, ...]:
    """SumLeaf: a validator's fields as a leaf carries them (the pubkey by its SSZ root)."""
    return (
        v.index,
        sumtree.pubkey_root(v.pubkey),
        b32(v.withdrawal_credentials),
        v.effective_balance,
        v.slashed,
        v.activation_eligibility_epoch,
        v.activation_epoch,
        v.exit_epoch,
        v.withdrawable_epoch,
        v.balance,
    )


def branch_tuples(levels: Levels, position: int, start: int = 0) -> list[tuple[Any, ...]]:
    """SumStep[]: the siblings of node `position` of level `start`, from that level up."""
    out = []
    for h in range(start, len(levels) - 1):
        sib = levels[h][(position >> (h - start)) ^ 1]
        out.append((bytes(sib.hash), tuple(sib.sums)))
    return out


def leaf_proof(
    levels: Levels, position: int, leaf: Validator, sums: Sequence[int] | None = None
) -> tuple[Any, ...]:
    """LeafProof of the leaf at `position` (`sums`: its committed own sums, default the
    node's)."""
    own = tuple(sums) if sums is not None else tuple(levels[0][position].sums)
    return (leaf_tuple(leaf), own, position, branch_tuples(levels, position))


EMPTY_LEAF: tuple[Any, ...] = (0, bytes(32), bytes(32), 0, False, 0, 0, 0, 0, 0)


def node_child(
    hash_: bytes,
    sums: Sequence[int],
    left: bytes = bytes(32),
    right: bytes = bytes(32),
    leaf: tuple[Any, ...] = EMPTY_LEAF,
) -> tuple[Any, ...]:
    """NodeChild: a child of an opened node with what binds its sums to its hash (an inner
    child's two child hashes, or a leaf child's record; nothing for an empty one)."""
    return (bytes(hash_), tuple(sums), bytes(left), bytes(right), leaf)


def _opened_child(
    levels: Levels, height: int, position: int, leaves: Sequence[Validator | None]
) -> tuple[Any, ...]:
    """NodeChild of node `position` of level `height` (a child of a node one level up)."""
    node = levels[height][position]
    if bytes(node.hash) == sumtree.EMPTY_HASH:
        return node_child(node.hash, sumtree.ZERO_SUMS)
    if height == 0:
        v = leaves[position] if position < len(leaves) else None
        if v is None:
            raise ValueError(f"leaf {position} is not empty: its record is needed to open it")
        return node_child(node.hash, node.sums, leaf=leaf_tuple(v))
    below = levels[height - 1]
    return node_child(node.hash, node.sums, below[2 * position].hash, below[2 * position + 1].hash)


def node_proof(
    levels: Levels, height: int, position: int, leaves: Sequence[Validator | None] = ()
) -> tuple[Any, ...]:
    """NodeProof of node `position` of level `height` (0 = leaves) and its two children, each
    opened (`leaves`: the record of each leaf position, needed when `height` is 1)."""
    if height < 1:
        raise ValueError("an inner node is at height 1 or above")
    node = levels[height][position]
    return (
        _opened_child(levels, height - 1, 2 * position, leaves),
        _opened_child(levels, height - 1, 2 * position + 1, leaves),
        tuple(node.sums),
        position,
        branch_tuples(levels, position, height),
    )


def empty_node_proof(levels: Levels, height: int, position: int) -> tuple[Any, ...]:
    """EmptyNodeProof of node `position` of level `height` (its hash must be zero; its sums
    are zero by definition, so they are not part of the proof)."""
    return (position, branch_tuples(levels, position, height))


def commitment(
    root_hash: bytes | str,
    sums: Sequence[int],
    first_index: int,
    last_index: int,
    network_active: int,
    other_slashed: int,
) -> tuple[Any, ...]:
    """SnapshotCommitment (the tuple RiskFeed.submit takes and every challenge repeats): the
    one builder for a prover's receipt, a challenger's claim and the test vectors."""
    root = b32(root_hash) if isinstance(root_hash, str) else bytes(root_hash)
    return (root, tuple(sums), first_index, last_index, network_active, other_slashed)


def commitment_of(
    root: TreeNode,
    first_index: int,
    last_index: int,
    network_active: int,
    other_slashed: int,
) -> tuple[Any, ...]:
    """SnapshotCommitment of a tree whose root node is at hand."""
    return commitment(root.hash, root.sums, first_index, last_index, network_active, other_slashed)


# ---- the beacon state --------------------------------------------------------------------------


def validator_root_and_branch(state: proofs.StateTree, index: int) -> tuple[bytes, list[bytes]]:
    """The state's validators[index] root (zero past the registry) and its 47-node branch."""
    gindex = proofs.validator_gindex(index)
    return state.node(gindex), state.branch(gindex)


def balance_chunk_and_branch(state: proofs.StateTree, index: int) -> tuple[bytes, list[bytes]]:
    """The balances chunk holding index's balance and its 45-node branch."""
    gindex = proofs.balance_gindex(index)
    return state.node(gindex), state.branch(gindex)


def credentials_and_branch(state: proofs.StateTree, index: int) -> tuple[bytes, list[bytes]]:
    """validators[index].withdrawal_credentials and its 50-node branch (3 inside the container,
    then the container's 47)."""
    chunks = validator_chunks(state.validator_bytes(index))
    c = [chunks[32 * k : 32 * k + 32] for k in range(8)]
    h = hash_pair
    inner = [c[0], h(c[2], c[3]), h(h(c[4], c[5]), h(c[6], c[7]))]
    return c[1], inner + state.branch(proofs.validator_gindex(index))


def slashings_proof(state: proofs.StateTree, slashings: bytes) -> tuple[Any, ...]:
    """SlashingsProof from the state's raw `slashings` field (8192 little-endian uint64):
    its non-zero chunks and the field's 6-node branch to the state root."""
    if len(slashings) != SLASHINGS_CHUNKS * 32:
        raise ValueError(f"the slashings vector is {SLASHINGS_CHUNKS * 32} bytes")
    positions, chunks = beacon_slashings.nonzero_chunks(slashings)
    return (positions, chunks, state.branch(proofs.state_field_gindex(SLASHINGS_FIELD)))


def slashings_total(slashings: bytes) -> int:
    return beacon_slashings.total(slashings)


def honest_other_slashed(slashings: bytes, slashed_effective: int) -> int:
    """What a sound submission commits as otherSlashed (the feed's KIND_NETWORK rule)."""
    return max(0, slashings_total(slashings) - slashed_effective)
