"""The arguments of the feed's one-step fraud proof for a finding (`ion_cli.zk.challenge_find`):
openings of the submitter's tree (`ClaimedTree` branches) and SSZ branches of the beacon state
(`ion_cli.beacon.proofs.StateTree`) to the state root the feed stored with the submission.

No I/O: returns the RiskFeed function's name and its arguments as ABI values (tuples for the
structs of `RiskFeedChallenges.sol`: SnapshotCommitment, LeafProof, NodeProof, EmptyNodeProof,
SlashingsProof), for `ion_cli.chain.contracts.Contract` to encode. The structs' shapes are
built by `ion_cli.zk.feed_proofs` (one builder for `ion challenge`, the lie tooling and the
forge vectors); this module picks what a finding opens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ion_cli.beacon import proofs as P
from ion_cli.zk import feed_proofs as F
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


def claim_commitment(claim: Claim) -> tuple[Any, ...]:
    """The SnapshotCommitment a submitter claimed (what every challenge repeats)."""
    return F.commitment(
        claim.root, claim.sums, claim.first_index, claim.last_index,
        claim.network_active, claim.other_slashed,
    )  # fmt: skip


def leaf_proof(tree: ClaimedTree, position: int) -> tuple[Any, ...]:
    leaf = tree.leaves[position]
    if leaf.validator is None:
        raise ChallengeBuildError(f"leaf {position} is empty: nothing to open")
    return F.leaf_proof(tree.levels, position, leaf.validator, leaf.sums)


def node_proof(tree: ClaimedTree, height: int, position: int) -> tuple[Any, ...]:
    """NodeProof: the node's sums, its two children opened, its branch."""
    if height == 0:
        raise ChallengeBuildError("a leaf is not an inner node")
    records = [leaf.validator for leaf in tree.leaves]
    try:
        return F.node_proof(tree.levels, height, position, records)
    except ValueError as exc:  # a liar's non-zero hash on an empty leaf: nothing opens it
        raise ChallengeBuildError(str(exc)) from None


def empty_node_proof(tree: ClaimedTree, position: int) -> tuple[Any, ...]:
    return F.empty_node_proof(tree.levels, 0, position)


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
    c = claim_commitment(claim)
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
        chunk, branch = F.balance_chunk_and_branch(state, v.index)
        args = (*head, leaf_proof(tree, pos[0]), chunk, branch)
    elif kind in ("leaf_validator", "leaf_not_in_state"):
        v = tree.leaves[pos[0]].validator
        assert v is not None
        root, branch = F.validator_root_and_branch(state, v.index)
        args = (*head, leaf_proof(tree, pos[0]), root, branch)
    elif kind in ("missing_before", "missing_after", "missing_between"):
        if finding.index is None:
            raise ChallengeBuildError("a missing validator's index is needed")
        value, branch = F.credentials_and_branch(state, finding.index)
        neighbours = [leaf_proof(tree, p) for p in pos]
        args = (*head, creds, finding.index, value, branch, neighbours)
    else:
        raise ChallengeBuildError(f"no fraud proof for a finding of kind {kind!r}")
    return FraudProof(FUNCTION[kind], args, kind)
