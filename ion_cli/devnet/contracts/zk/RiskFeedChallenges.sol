// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {SnapshotSums} from "./FeatureMath.sol";
import {SumLeaf, SumTree} from "./SumTree.sol";
import {Credentials} from "./LrtCredentials.sol";
import {
    FraudProofs,
    SnapshotCommitment,
    LeafProof,
    NodeProof,
    EmptyNodeProof,
    SlashingsProof
} from "./FraudProofs.sol";

/// What a challenge is judged against, all from the feed's storage: the anchored state root,
/// the epoch of the stored slot, the hash of the credential snapshot taken at submission.
struct ChallengeTarget {
    bytes32 stateRoot;
    uint64 epoch;
    bytes32 credentialsHash;
}

/// The feed side of the challenges: what RiskFeed exposes to its RiskFeedChallenges.
interface IChallengeableFeed {
    /// @notice The stored facts of pending submission `id` while its window is open, when
    /// `commitmentHash` is the one stored for it (reverts otherwise).
    function challengeTarget(uint256 id, bytes32 commitmentHash) external view returns (ChallengeTarget memory);

    /// @notice Reject submission `id` (callable only by the feed's CHALLENGES contract).
    function reject(uint256 id, uint8 kind, address challenger) external;
}

/// @title RiskFeedChallenges
/// @notice The one-step fraud proofs of a pending RiskFeed submission. Each names the
/// submission (`id`) and repeats its commitment (checked against the keccak256 stored at
/// submission), opens what it needs of the committed tree, and proves what it needs of the
/// beacon state against the state root stored at submission; the credential list, where one is
/// needed, is checked against the stored hash. A challenge that shows a lie rejects the
/// submission (`_reject`: the challenger is paid from the bond, the rest is burnt); one that
/// shows none reverts with NoFraud(kind); one whose openings do not check reverts with the
/// opening's error (NotInCommitment, BranchDepth, StateBranchInvalid, ...).
/// Kinds (the `kind` of SubmissionRejected and NoFraud): see the constants below.
/// @dev Its own contract (RiskFeed deploys it in its constructor: `RiskFeed.CHALLENGES()`),
/// so that the feed's runtime code stays under the 24,576-byte limit; it holds no funds and
/// no state, and the feed takes a rejection only from it.
contract RiskFeedChallenges {
    error NoFraud(uint8 kind);
    error CredentialsMismatch(bytes32 given, bytes32 stored);
    error NotAdjacent(uint256 left, uint256 right);
    error WrongNeighbours(uint256 count);

    uint8 public constant KIND_VALIDATOR = 1; // a leaf's Validator fields differ from the state's
    uint8 public constant KIND_BALANCE = 2; // a leaf's balance differs from the state's
    uint8 public constant KIND_LEAF_SUMS = 3; // a leaf's own sums are not its record's
    uint8 public constant KIND_MISSING = 4; // a validator with snapshot credentials is left out
    uint8 public constant KIND_FOREIGN = 5; // a leaf's credentials are not in the snapshot
    uint8 public constant KIND_NODE_SUMS = 6; // an inner node's sums are not its children's
    uint8 public constant KIND_ORDER = 7; // two adjacent leaves out of order or repeated
    uint8 public constant KIND_LEAF_COUNT = 8; // a leaf beyond the count or at the wrong depth
    uint8 public constant KIND_EMPTY_NODE = 9; // an empty node below the count or the leaf level
    uint8 public constant KIND_BOUNDS = 10; // the first / last leaf's index is not the bound
    uint8 public constant KIND_NETWORK = 11; // otherSlashed differs from the state's slashings

    IChallengeableFeed public immutable FEED;

    constructor(address feed) {
        FEED = IChallengeableFeed(feed);
    }

    /// @dev The stored facts of a pending submission still in its window whose commitment is
    /// `c` (the feed reverts otherwise).
    function _target(uint256 id, SnapshotCommitment calldata c) internal view returns (ChallengeTarget memory) {
        return FEED.challengeTarget(id, keccak256(abi.encode(c)));
    }

    /// @dev Reject submission `id`: the feed pays msg.sender, burns the rest, emits.
    function _reject(uint256 id, uint8 kind) internal {
        FEED.reject(id, kind, msg.sender);
    }

    function _verdict(uint256 id, uint8 kind, bool fraud) private {
        if (!fraud) revert NoFraud(kind);
        _reject(id, kind);
    }

    /// @notice A leaf's Validator fields differ from validators[leaf.index] in the state.
    /// @param validatorRoot the state's hash_tree_root(validators[leaf.index]) (bytes32(0)
    /// past the end of the registry), proven by `validatorBranch` (47 nodes, bottom up).
    function challengeValidator(
        uint256 id,
        SnapshotCommitment calldata c,
        LeafProof calldata leaf,
        bytes32 validatorRoot,
        bytes32[] calldata validatorBranch
    ) external {
        ChallengeTarget memory t = _target(id, c);
        FraudProofs.openLeaf(leaf, c.root, c.sums.leaves);
        FraudProofs.requireState(
            validatorRoot, validatorBranch, FraudProofs.validatorGindex(leaf.leaf.index), t.stateRoot
        );
        _verdict(id, KIND_VALIDATOR, FraudProofs.validatorRoot(leaf.leaf) != validatorRoot);
    }

    /// @notice A leaf's balance differs from balances[leaf.index] in the state.
    /// @param balanceChunk the state's balances chunk leaf.index / 4 (four little-endian
    /// uint64), proven by `balanceBranch` (45 nodes, bottom up).
    function challengeBalance(
        uint256 id,
        SnapshotCommitment calldata c,
        LeafProof calldata leaf,
        bytes32 balanceChunk,
        bytes32[] calldata balanceBranch
    ) external {
        ChallengeTarget memory t = _target(id, c);
        FraudProofs.openLeaf(leaf, c.root, c.sums.leaves);
        uint64 index = leaf.leaf.index;
        FraudProofs.requireState(balanceChunk, balanceBranch, FraudProofs.balanceGindex(index), t.stateRoot);
        _verdict(id, KIND_BALANCE, FraudProofs.uint64At(balanceChunk, index % 4) != leaf.leaf.balance);
    }

    /// @notice A leaf's own sums (in its hash) are not what its fields give at the stored
    /// slot's epoch; or the root's sums as the tree folds them are not the committed ones.
    function challengeLeafSums(uint256 id, SnapshotCommitment calldata c, LeafProof calldata leaf) external {
        ChallengeTarget memory t = _target(id, c);
        SnapshotSums memory folded = FraudProofs.openLeaf(leaf, c.root, c.sums.leaves);
        SnapshotSums memory own = leaf.sums;
        bool fraud = !FraudProofs.equal(own, SumTree.leafSums(leaf.leaf, t.epoch))
            || !FraudProofs.equal(folded, c.sums);
        _verdict(id, KIND_LEAF_SUMS, fraud);
    }

    /// @notice A validator of the state whose withdrawal credentials are in the submission's
    /// credential snapshot is not in the commitment.
    /// @param credentials the snapshot's list (the SnapshotCommitted event's), in its order
    /// @param index the validator left out
    /// @param withdrawalCredentials validators[index].withdrawal_credentials in the state
    /// @param credentialsBranch its branch (50 nodes: 3 inside the Validator container, bottom
    /// up: the pubkey root, hash(effective_balance chunk, slashed chunk), hash of the four epoch
    /// chunks; then the 47 of validators[index])
    /// @param neighbours two adjacent leaves p, p + 1 with index(p) < index < index(p + 1); or
    /// one: leaf 0 with index < index(0), or the last leaf (count - 1) with index > its index
    function challengeMissing(
        uint256 id,
        SnapshotCommitment calldata c,
        bytes32[] calldata credentials,
        uint64 index,
        bytes32 withdrawalCredentials,
        bytes32[] calldata credentialsBranch,
        LeafProof[] calldata neighbours
    ) external {
        ChallengeTarget memory t = _target(id, c);
        _checkCredentials(credentials, t.credentialsHash);
        FraudProofs.requireState(
            withdrawalCredentials, credentialsBranch, FraudProofs.credentialsGindex(index), t.stateRoot
        );
        bool listed = _listed(credentials, withdrawalCredentials);
        uint256 count = c.sums.leaves;
        bool outside;
        if (neighbours.length == 2) {
            FraudProofs.openLeaf(neighbours[0], c.root, count);
            FraudProofs.openLeaf(neighbours[1], c.root, count);
            if (neighbours[0].position + 1 != neighbours[1].position) {
                revert NotAdjacent(neighbours[0].position, neighbours[1].position);
            }
            outside = neighbours[0].leaf.index < index && index < neighbours[1].leaf.index;
        } else if (neighbours.length == 1) {
            LeafProof calldata n = neighbours[0];
            FraudProofs.openLeaf(n, c.root, count);
            outside = (n.position == 0 && index < n.leaf.index) || (n.position + 1 == count && index > n.leaf.index);
        } else {
            revert WrongNeighbours(neighbours.length);
        }
        _verdict(id, KIND_MISSING, listed && outside);
    }

    /// @notice A leaf whose withdrawal credentials are not in the submission's credential
    /// snapshot (`credentials`: the SnapshotCommitted event's list, in its order).
    function challengeForeign(
        uint256 id,
        SnapshotCommitment calldata c,
        LeafProof calldata leaf,
        bytes32[] calldata credentials
    ) external {
        ChallengeTarget memory t = _target(id, c);
        _checkCredentials(credentials, t.credentialsHash);
        FraudProofs.openLeaf(leaf, c.root, c.sums.leaves);
        _verdict(id, KIND_FOREIGN, !_listed(credentials, leaf.leaf.withdrawalCredentials));
    }

    /// @notice An inner node whose sums are not its children's (each child opened, so that its
    /// sums are the ones its hash binds: NodeChild); or one at or below the leaf level (depth >=
    /// the tree's depth, where only leaves and empty nodes belong); or, with the node's branch
    /// folded, root sums that are not the committed ones.
    function challengeNodeSums(uint256 id, SnapshotCommitment calldata c, NodeProof calldata node) external {
        _target(id, c);
        SnapshotSums memory sums = node.sums;
        bytes32 hash = FraudProofs.nodeHash(node.left.hash, node.right.hash, sums);
        SnapshotSums memory folded = FraudProofs.rootSums(hash, sums, node.position, node.branch, c.root);
        uint256 depth = FraudProofs.depthFor(c.sums.leaves);
        bool fraud = node.branch.length >= depth;
        if (!fraud) {
            bool leafLevel = node.branch.length + 1 == depth;
            SnapshotSums memory left = FraudProofs.openChild(node.left, leafLevel);
            SnapshotSums memory right = FraudProofs.openChild(node.right, leafLevel);
            fraud = !FraudProofs.sumsOf(left, right, sums) || !FraudProofs.equal(folded, c.sums);
        }
        _verdict(id, KIND_NODE_SUMS, fraud);
    }

    /// @notice Two adjacent leaves (positions p, p + 1) whose indices are not increasing.
    function challengeOrder(uint256 id, SnapshotCommitment calldata c, LeafProof calldata a, LeafProof calldata b)
        external
    {
        _target(id, c);
        uint256 count = c.sums.leaves;
        FraudProofs.openLeaf(a, c.root, count);
        FraudProofs.openLeaf(b, c.root, count);
        if (a.position + 1 != b.position) revert NotAdjacent(a.position, b.position);
        _verdict(id, KIND_ORDER, a.leaf.index >= b.leaf.index);
    }

    /// @notice A leaf at a position >= the committed count, or at a depth other than the
    /// tree's (the branch may have any length here).
    function challengeLeafCount(uint256 id, SnapshotCommitment calldata c, LeafProof calldata leaf) external {
        _target(id, c);
        FraudProofs.openLeafAnyDepth(leaf, c.root);
        uint256 count = c.sums.leaves;
        bool fraud = leaf.branch.length != FraudProofs.depthFor(count) || leaf.position >= count;
        _verdict(id, KIND_LEAF_COUNT, fraud);
    }

    /// @notice An empty node (hash zero) below the leaf level, or covering a leaf position
    /// below the committed count. Its sums are zero (not given: see EmptyNodeProof); an empty
    /// child counted with sums is a lie of its parent's (challengeNodeSums).
    function challengeEmptyNode(uint256 id, SnapshotCommitment calldata c, EmptyNodeProof calldata node) external {
        _target(id, c);
        SnapshotSums memory zero;
        FraudProofs.rootSums(bytes32(0), zero, node.position, node.branch, c.root);
        uint256 count = c.sums.leaves;
        uint256 depth = FraudProofs.depthFor(count);
        uint256 d = node.branch.length;
        bool fraud = d > depth || (node.position << (depth - d)) < count;
        _verdict(id, KIND_EMPTY_NODE, fraud);
    }

    /// @notice Leaf 0's index is not the committed firstIndex, or leaf count - 1's not lastIndex.
    function challengeBounds(uint256 id, SnapshotCommitment calldata c, LeafProof calldata leaf) external {
        _target(id, c);
        uint256 count = c.sums.leaves;
        FraudProofs.openLeaf(leaf, c.root, count);
        bool fraud = (leaf.position == 0 && leaf.leaf.index != c.firstIndex)
            || (leaf.position + 1 == count && leaf.leaf.index != c.lastIndex);
        _verdict(id, KIND_BOUNDS, fraud);
    }

    /// @notice The committed otherSlashed is not the state's slashings-vector sum less the
    /// set's committed slashedEffective (floored at zero).
    function challengeNetwork(uint256 id, SnapshotCommitment calldata c, SlashingsProof calldata slashings) external {
        ChallengeTarget memory t = _target(id, c);
        uint256 total = FraudProofs.slashingsSum(slashings, t.stateRoot);
        uint256 own = c.sums.slashedEffective;
        uint256 expected = total > own ? total - own : 0;
        _verdict(id, KIND_NETWORK, c.otherSlashed != expected);
    }

    function _checkCredentials(bytes32[] calldata credentials, bytes32 stored) private pure {
        bytes32 given = Credentials.hashOf(credentials);
        if (given != stored) revert CredentialsMismatch(given, stored);
    }

    function _listed(bytes32[] calldata credentials, bytes32 credential) private pure returns (bool) {
        for (uint256 i = 0; i < credentials.length; ++i) {
            if (credentials[i] == credential) return true;
        }
        return false;
    }
}
