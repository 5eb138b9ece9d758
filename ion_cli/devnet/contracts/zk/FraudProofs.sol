// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {SnapshotSums} from "./FeatureMath.sol";
import {SumLeaf, SumTree} from "./SumTree.sol";
import {SszMerkle} from "./SszMerkle.sol";

/// What a submission commits of the validators it rated (ion_cli/zk/sumtree.py): the root of
/// the Merkle-sum tree over every validator with the LRT's credentials (sorted by index), the
/// root's sums, the first and last index, and the network-level inputs of the features.
struct SnapshotCommitment {
    bytes32 root;
    SnapshotSums sums;
    uint64 firstIndex;
    uint64 lastIndex;
    uint128 networkActive; // Gwei: the network's total active balance (bounded by the feed)
    uint128 otherSlashed; // Gwei: slashed in the window outside the set
}

/// One level of a branch in the committed sum tree: the sibling's hash and sums (bottom up).
struct SumStep {
    bytes32 hash;
    SnapshotSums sums;
}

/// A leaf of the committed tree, opened: its fields, its own sums (part of its hash), its
/// position (0-based, leaves sorted by validator index) and its branch up to the root.
struct LeafProof {
    SumLeaf leaf;
    SnapshotSums sums;
    uint256 position;
    SumStep[] branch;
}

/// A child of an opened inner node, itself opened so that its sums are bound by its hash: an
/// empty child (hash zero, how the tree pads the leaf level) has zero sums whatever is given;
/// a leaf child (the node is one level above the leaves) by its record, hash =
/// leafHash(leaf, sums); an inner child by its own two children's hashes, hash =
/// nodeHash(left, right, sums). The fields the child's level does not use are ignored.
struct NodeChild {
    bytes32 hash;
    SnapshotSums sums;
    bytes32 left;
    bytes32 right;
    SumLeaf leaf;
}

/// An inner node of the committed tree, opened: its two children (their hashes and its own
/// sums make its hash; each child opened in turn), its position in its level and its branch
/// (depth = branch.length).
struct NodeProof {
    NodeChild left;
    NodeChild right;
    SnapshotSums sums;
    uint256 position;
    SumStep[] branch;
}

/// An empty node (hash zero) of the committed tree: its position in its level and its branch
/// (depth = branch.length). Its sums are zero by definition (not given: a challenger who could
/// give them could shift sums onto its sibling and "prove" an honest tree false).
struct EmptyNodeProof {
    uint256 position;
    SumStep[] branch;
}

/// The state's `slashings` vector (Vector[uint64, 8192]: 2048 chunks of four), given by its
/// non-zero chunks only (positions strictly increasing, < 2048; every other chunk is zero), and
/// the branch of the vector's root to the state root (6 nodes, bottom up).
struct SlashingsProof {
    uint256[] positions;
    bytes32[] chunks;
    bytes32[] branch;
}

/// @title FraudProofs
/// @notice The one-step checks of the permissionless RiskFeed (ion_cli/zk/sumtree.py's
/// docstring maps each to the tree's layout): openings of the committed Merkle-sum tree, and
/// SSZ branches to the beacon state root the feed stored at submission.
library FraudProofs {
    error NotInCommitment(bytes32 computed, bytes32 committed);
    error BranchDepth(uint256 got, uint256 expected);
    error StateBranchInvalid(uint256 gindex);
    error SlashingsMalformed();

    uint256 internal constant SLOTS_PER_EPOCH = 32;
    /// BeaconState (Electra, Fulu): 37-38 fields padded to 64 leaves; a fork that moves these
    /// needs a new feed (ion_cli/beacon/proofs.py holds the same constants).
    uint256 internal constant STATE_DEPTH = 6;
    uint256 internal constant FIELD_VALIDATORS = 11;
    uint256 internal constant FIELD_BALANCES = 12;
    uint256 internal constant FIELD_SLASHINGS = 14;
    uint256 internal constant VALIDATOR_REGISTRY_DEPTH = 40;
    uint256 internal constant BALANCES_DEPTH = 38;
    uint256 internal constant SLASHINGS_DEPTH = 11; // 8192 uint64 = 2048 chunks
    uint256 internal constant SLASHINGS_CHUNKS = 2048;

    // ---------------------------------------------------------------- the committed tree

    /// @notice The depth of a tree of `count` leaves (sumtree._depth_for).
    function depthFor(uint256 count) internal pure returns (uint256 d) {
        while ((uint256(1) << d) < count) ++d;
    }

    /// @notice Fold a node up its branch: the root's hash and sums (parents' sums are the sums
    /// of their children, as an honest tree has them; a lie above is caught at its own node).
    function fold(bytes32 hash, SnapshotSums memory sums, uint256 position, SumStep[] calldata branch)
        internal
        view
        returns (bytes32, SnapshotSums memory)
    {
        for (uint256 h = 0; h < branch.length; ++h) {
            SnapshotSums memory sib = branch[h].sums;
            sums = SumTree.add(sums, sib);
            hash = (position >> h) & 1 == 1 ? nodeHash(branch[h].hash, hash, sums) : nodeHash(hash, branch[h].hash, sums);
        }
        return (hash, sums);
    }

    /// @notice SumTree.nodeHash (sha256(0x01 || left || right || sums as 10 x uint128)) without
    /// the ABI encoding: the preimage is written past the free memory pointer (scratch) and
    /// hashed by the precompile; a fold step costs about a third. SumTree.t.sol's vectors and
    /// every challenge test check it against the tree Python builds.
    function nodeHash(bytes32 left, bytes32 right, SnapshotSums memory s) internal view returns (bytes32 out) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore8(p, 0x01)
            mstore(add(p, 1), left)
            mstore(add(p, 33), right)
            for { let i := 0 } lt(i, 10) { i := add(i, 1) } {
                mstore(add(add(p, 65), mul(i, 16)), shl(128, mload(add(s, mul(i, 32)))))
            }
            if iszero(staticcall(gas(), 0x02, p, 225, 0x00, 0x20)) { revert(0, 0) }
            out := mload(0x00)
        }
    }

    /// @notice Fold and require the committed root; returns the root's sums as folded.
    function rootSums(bytes32 hash, SnapshotSums memory sums, uint256 position, SumStep[] calldata branch, bytes32 root)
        internal
        view
        returns (SnapshotSums memory folded)
    {
        bytes32 top;
        (top, folded) = fold(hash, sums, position, branch);
        if (top != root) revert NotInCommitment(top, root);
    }

    /// @notice Open a leaf at the tree's own depth: it must fold to the committed root.
    function openLeaf(LeafProof calldata p, bytes32 root, uint256 count)
        internal
        view
        returns (SnapshotSums memory folded)
    {
        uint256 depth = depthFor(count);
        if (p.branch.length != depth) revert BranchDepth(p.branch.length, depth);
        folded = openLeafAnyDepth(p, root);
    }

    /// @notice The sums of an inner node's child, bound by the child's hash (NodeChild); reverts
    /// NotInCommitment(computed, child.hash) when the opening does not give the child's hash.
    function openChild(NodeChild calldata child, bool leafLevel) internal view returns (SnapshotSums memory sums) {
        if (child.hash == bytes32(0)) return sums; // empty: zero sums, as the tree pads
        sums = child.sums;
        bytes32 computed;
        if (leafLevel) {
            SumLeaf memory leaf = child.leaf;
            computed = SumTree.leafHash(leaf, sums);
        } else {
            computed = nodeHash(child.left, child.right, sums);
        }
        if (computed != child.hash) revert NotInCommitment(computed, child.hash);
    }

    function openLeafAnyDepth(LeafProof calldata p, bytes32 root) internal view returns (SnapshotSums memory) {
        SumLeaf memory leaf = p.leaf;
        SnapshotSums memory sums = p.sums;
        return rootSums(SumTree.leafHash(leaf, sums), sums, p.position, p.branch, root);
    }

    function equal(SnapshotSums memory a, SnapshotSums memory b) internal pure returns (bool) {
        return keccak256(abi.encode(a)) == keccak256(abi.encode(b));
    }

    function isZero(SnapshotSums memory s) internal pure returns (bool) {
        return s.leaves | s.live | s.liveEffective | s.liveBalance | s.slashedEffective | s.pendingEffective
            | s.activeEffective | s.exitingEffective | s.shortfall | s.compoundingEffective == 0;
    }

    /// @notice a + b == s, computed in 256 bits (a liar's children may overflow 128).
    function sumsOf(SnapshotSums memory a, SnapshotSums memory b, SnapshotSums memory s) internal pure returns (bool) {
        return uint256(a.leaves) + b.leaves == s.leaves && uint256(a.live) + b.live == s.live
            && uint256(a.liveEffective) + b.liveEffective == s.liveEffective
            && uint256(a.liveBalance) + b.liveBalance == s.liveBalance
            && uint256(a.slashedEffective) + b.slashedEffective == s.slashedEffective
            && uint256(a.pendingEffective) + b.pendingEffective == s.pendingEffective
            && uint256(a.activeEffective) + b.activeEffective == s.activeEffective
            && uint256(a.exitingEffective) + b.exitingEffective == s.exitingEffective
            && uint256(a.shortfall) + b.shortfall == s.shortfall
            && uint256(a.compoundingEffective) + b.compoundingEffective == s.compoundingEffective;
    }

    // ---------------------------------------------------------------- the beacon state

    /// @notice hash_tree_root(Validator) rebuilt from a leaf's fields (the pubkey by its root).
    function validatorRoot(SumLeaf memory v) internal view returns (bytes32) {
        bytes32 a = SszMerkle.hashPair(v.pubkeyRoot, v.withdrawalCredentials);
        bytes32 b = SszMerkle.hashPair(
            SszMerkle.chunk64(v.effectiveBalance), v.slashed ? bytes32(uint256(1) << 248) : bytes32(0)
        );
        bytes32 c = SszMerkle.hashPair(SszMerkle.chunk64(v.activationEligibilityEpoch), SszMerkle.chunk64(v.activationEpoch));
        bytes32 d = SszMerkle.hashPair(SszMerkle.chunk64(v.exitEpoch), SszMerkle.chunk64(v.withdrawableEpoch));
        return SszMerkle.hashPair(SszMerkle.hashPair(a, b), SszMerkle.hashPair(c, d));
    }

    /// @notice The generalized index of validators[index] in the state (75 * 2^41 + index).
    function validatorGindex(uint256 index) internal pure returns (uint256) {
        return ((((1 << STATE_DEPTH) + FIELD_VALIDATORS) << 1) << VALIDATOR_REGISTRY_DEPTH) | index;
    }

    /// @notice The generalized index of validators[index].withdrawal_credentials (field 1 of 8).
    function credentialsGindex(uint256 index) internal pure returns (uint256) {
        return (validatorGindex(index) << 3) | 1;
    }

    /// @notice The generalized index of the balances chunk holding index's balance (4 a chunk).
    function balanceGindex(uint256 index) internal pure returns (uint256) {
        return ((((1 << STATE_DEPTH) + FIELD_BALANCES) << 1) << BALANCES_DEPTH) | (index / 4);
    }

    function slashingsGindex() internal pure returns (uint256) {
        return (1 << STATE_DEPTH) + FIELD_SLASHINGS;
    }

    /// @notice Require `leaf` at `gindex` under the stored state root.
    function requireState(bytes32 leaf, bytes32[] calldata branch, uint256 gindex, bytes32 stateRoot) internal view {
        if (!SszMerkle.isValidBranch(leaf, branch, gindex, stateRoot)) revert StateBranchInvalid(gindex);
    }

    /// @notice The k-th little-endian uint64 of a 32-byte SSZ chunk.
    function uint64At(bytes32 chunk, uint256 k) internal pure returns (uint64) {
        uint256 v = uint64(uint256(chunk) >> (192 - 64 * k));
        v = ((v & 0xFF00FF00FF00FF00) >> 8) | ((v & 0x00FF00FF00FF00FF) << 8);
        v = ((v & 0xFFFF0000FFFF0000) >> 16) | ((v & 0x0000FFFF0000FFFF) << 16);
        v = (v >> 32) | ((v & 0xFFFFFFFF) << 32);
        return uint64(v);
    }

    /// @notice The sum of the state's slashings vector, its chunks checked against the state
    /// root (the vector rebuilt from its non-zero chunks, zero subtrees elsewhere).
    function slashingsSum(SlashingsProof calldata p, bytes32 stateRoot) internal view returns (uint256 total) {
        uint256 k = p.positions.length;
        if (p.chunks.length != k) revert SlashingsMalformed();
        uint256[] memory pos = new uint256[](k);
        bytes32[] memory node = new bytes32[](k);
        for (uint256 i = 0; i < k; ++i) {
            uint256 here = p.positions[i];
            if (here >= SLASHINGS_CHUNKS || (i > 0 && here <= p.positions[i - 1])) revert SlashingsMalformed();
            bytes32 c = p.chunks[i];
            pos[i] = here;
            node[i] = c;
            for (uint256 j = 0; j < 4; ++j) {
                total += uint64At(c, j);
            }
        }
        bytes32 zero; // the zero subtree of the current height
        for (uint256 h = 0; h < SLASHINGS_DEPTH; ++h) {
            uint256 out = 0;
            for (uint256 i = 0; i < k; ++i) {
                uint256 here = pos[i];
                if (here & 1 == 0 && i + 1 < k && pos[i + 1] == here + 1) {
                    node[out] = SszMerkle.hashPair(node[i], node[i + 1]);
                    ++i;
                } else if (here & 1 == 0) {
                    node[out] = SszMerkle.hashPair(node[i], zero);
                } else {
                    node[out] = SszMerkle.hashPair(zero, node[i]);
                }
                pos[out] = here >> 1;
                ++out;
            }
            k = out;
            zero = SszMerkle.hashPair(zero, zero);
        }
        bytes32 vectorRoot = k == 0 ? zero : node[0];
        requireState(vectorRoot, p.branch, slashingsGindex(), stateRoot);
    }
}
