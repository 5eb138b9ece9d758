"""The arguments of the feed's one-step fraud proof for a finding (`ion_cli.zk.challenge_find`):
openings of the submitter's tree (`ClaimedTree` branches) and SSZ branches of the beacon state
(`ion_cli.beacon.proofs.StateTree`) to the state root the feed stored with the submission.

No I/O: returns the RiskFeed function's name and its arguments as ABI values (tuples for the
structs of `RiskFeedChallenges.sol`: SnapshotCommitment, LeafProof, NodeProof, EmptyNodeProof,
SlashingsProof), for `ion_cli.chain.contracts.Contract` to encode.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ion_cli.beacon import proofs as P
from ion_cli.beacon.snapshot import Validator
from ion_cli.zk import sumtree
from ion_cli.zk.challenge_find import Claim, Finding
from ion_cli.zk.challenge_tree import ClaimedTree

# The RiskFeed function of each finding's kind.
FUNCTION: dict[str, str] = {
    "root_sums": "challengeNodeSums",
    "inner_sums": "challengeNodeSums",
    "network_input": "challengeNetwork",
    "leaf_sums": "challengeLeafSums",
    "bounds": "challengeBounds",
    "leaf_count": "challengeLeafCount",
    "empty_leaf": "challengeEmptyNode",
    "leaf_order": "challengeOrder",
    "foreign_leaf": "challengeForeign",
    "leaf_balance": "challengeBalance",
    "leaf_validator": "challengeValidator",
    "leaf_not_in_state": "challengeValidator",
    "missing_before": "challengeMissing",
    "missing_after": "challengeMissing",
    "missing_between": "challengeMissing",
}


class ChallengeBuildError(ValueError):
    """The finding cannot be turned into a fraud proof with what is at hand."""


@dataclass(frozen=True)
class FraudProof:
    function: str
    args: tuple[Any, ...]
    kind: str

    @property
    def signature_hint(self) -> str:
        return f"RiskFeed.{self.function}"


def _b32(hex_text: str) -> bytes:
    return bytes.fromhex(hex_text.removeprefix("0x"))


def commitment_tuple(claim: Claim) -> tuple[Any, ...]:
    return (
        _b32(claim.root),
        tuple(claim.sums),
        claim.first_index,
        claim.last_index,
        claim.network_active,
        claim.other_slashed,
    )


def sum_leaf(v: Validator) -> tuple[Any, ...]:
    return (
        v.index,
        sumtree.pubkey_root(v.pubkey),
        _b32(v.withdrawal_credentials),
        v.effective_balance,
        v.slashed,
        v.activation_eligibility_epoch,
        v.activation_epoch,
        v.exit_epoch,
        v.withdrawable_epoch,
        v.balance,
    )


def _steps(tree: ClaimedTree, position: int, height: int = 0) -> list[tuple[Any, ...]]:
    return [(s.hash, tuple(s.sums)) for s in tree.branch(position, height)]


def leaf_proof(tree: ClaimedTree, position: int) -> tuple[Any, ...]:
    leaf = tree.leaves[position]
    if leaf.validator is None:
        raise ChallengeBuildError(f"leaf {position} is empty: nothing to open")
    return (sum_leaf(leaf.validator), tuple(leaf.sums), position, _steps(tree, position))


_NO_LEAF: tuple[Any, ...] = (0, bytes(32), bytes(32), 0, False, 0, 0, 0, 0, 0)


def node_child(tree: ClaimedTree, height: int, position: int) -> tuple[Any, ...]:
    """NodeChild: the node with what binds its sums to its hash (an inner node's two child
    hashes, a leaf's record; an empty node has zero sums by definition)."""
    node = tree.node(height, position)
    if node.hash == sumtree.EMPTY_HASH:
        return (node.hash, tuple(sumtree.ZERO_SUMS), bytes(32), bytes(32), _NO_LEAF)
    if height == 0:
        v = tree.leaves[position].validator
        if v is None:  # a liar's non-zero hash on an empty leaf: nothing opens it
            raise ChallengeBuildError(f"leaf {position} has no record to open")
        return (node.hash, tuple(node.sums), bytes(32), bytes(32), sum_leaf(v))
    left, right = tree.children(height, position)
    return (node.hash, tuple(node.sums), left.hash, right.hash, _NO_LEAF)


def node_proof(tree: ClaimedTree, height: int, position: int) -> tuple[Any, ...]:
    """NodeProof: the node's sums, its two children opened, its branch."""
    node = tree.node(height, position)
    if height == 0:
        raise ChallengeBuildError("a leaf is not an inner node")
    return (
        node_child(tree, height - 1, 2 * position),
        node_child(tree, height - 1, 2 * position + 1),
        tuple(node.sums),
        position,
        _steps(tree, position, height),
    )


def empty_node_proof(tree: ClaimedTree, position: int) -> tuple[Any, ...]:
    return (position, _steps(tree, position))


def validator_opening(state: P.StateTree, index: int) -> tuple[bytes, list[bytes]]:
    """The state's validators[index] root and its branch (zero past the registry's end)."""
    from ion_cli.zk.feed_proofs import validator_root_and_branch

    return validator_root_and_branch(state, index)


def balance_opening(state: P.StateTree, index: int) -> tuple[bytes, list[bytes]]:
    from ion_cli.zk.feed_proofs import balance_chunk_and_branch

    return balance_chunk_and_branch(state, index)


def credentials_opening(state: P.StateTree, index: int) -> tuple[bytes, list[bytes]]:
    """validators[index].withdrawal_credentials and its 50-node branch."""
    from ion_cli.zk.feed_proofs import credentials_and_branch

    return credentials_and_branch(state, index)


def build(
    submission_id: int,
    claim: Claim,
    tree: ClaimedTree,
    state: P.StateTree,
    credentials: Sequence[bytes],
    finding: Finding,
) -> FraudProof:
    """The fraud proof of `finding` against submission `submission_id`."""
    kind = finding.kind
    c = commitment_tuple(claim)
    head: tuple[Any, ...] = (submission_id, c)
    pos = finding.positions
    creds = [bytes(x) for x in credentials]
    if kind in ("root_sums", "inner_sums"):
        args = (*head, node_proof(tree, finding.height, pos[0]))
    elif kind == "network_input":
        from ion_cli.beacon.slashings import slashings_proof

        positions, chunks, branch = slashings_proof(state)
        args = (*head, (positions, chunks, branch))
    elif kind in ("leaf_sums", "bounds", "leaf_count"):
        args = (*head, leaf_proof(tree, pos[0]))
    elif kind == "empty_leaf":
        args = (*head, empty_node_proof(tree, pos[0]))
    elif kind == "leaf_order":
        args = (*head, leaf_proof(tree, pos[0]), leaf_proof(tree, pos[1]))
    elif kind == "foreign_leaf":
        args = (*head, leaf_proof(tree, pos[0]), creds)
    elif kind == "leaf_balance":
        v = tree.leaves[pos[0]].validator
        assert v is not None
        chunk, branch = balance_opening(state, v.index)
        args = (*head, leaf_proof(tree, pos[0]), chunk, branch)
    elif kind in ("leaf_validator", "leaf_not_in_state"):
        v = tree.leaves[pos[0]].validator
        assert v is not None
        root, branch = validator_opening(state, v.index)
        args = (*head, leaf_proof(tree, pos[0]), root, branch)
    elif kind in ("missing_before", "missing_after", "missing_between"):
        if finding.index is None:
            raise ChallengeBuildError("a missing validator's index is needed")
        value, branch = credentials_opening(state, finding.index)
        neighbours = [leaf_proof(tree, p) for p in pos]
        args = (*head, creds, finding.index, value, branch, neighbours)
    else:
        raise ChallengeBuildError(f"no fraud proof for a finding of kind {kind!r}")
    return FraudProof(FUNCTION[kind], args, kind)
