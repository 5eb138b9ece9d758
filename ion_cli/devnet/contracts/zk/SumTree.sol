// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {SnapshotSums} from "./FeatureMath.sol";

/// One leaf of the committed snapshot (ion_cli/zk/sumtree.py): a validator's index, its pubkey's
/// SSZ root, the other seven Validator fields and its balance.
struct SumLeaf {
    uint64 index;
    bytes32 pubkeyRoot;
    bytes32 withdrawalCredentials;
    uint64 effectiveBalance;
    bool slashed;
    uint64 activationEligibilityEpoch;
    uint64 activationEpoch;
    uint64 exitEpoch;
    uint64 withdrawableEpoch;
    uint64 balance;
}

/// @title SumTree
/// @notice The Merkle-sum tree's hashing and sums on chain, exactly as ion_cli/zk/sumtree.py
/// builds them: what the fraud proofs of the permissionless feed recompute.
library SumTree {
    uint64 internal constant FAR_FUTURE_EPOCH = type(uint64).max;
    uint64 internal constant HALF_SLASHINGS_VECTOR = 4096; // EPOCHS_PER_SLASHINGS_VECTOR / 2

    function pack(SnapshotSums memory s) internal pure returns (bytes memory) {
        return abi.encodePacked(
            s.leaves,
            s.live,
            s.liveEffective,
            s.liveBalance,
            s.slashedEffective,
            s.pendingEffective,
            s.activeEffective,
            s.exitingEffective,
            s.shortfall,
            s.compoundingEffective
        );
    }

    function add(SnapshotSums memory a, SnapshotSums memory b) internal pure returns (SnapshotSums memory) {
        return SnapshotSums(
            a.leaves + b.leaves,
            a.live + b.live,
            a.liveEffective + b.liveEffective,
            a.liveBalance + b.liveBalance,
            a.slashedEffective + b.slashedEffective,
            a.pendingEffective + b.pendingEffective,
            a.activeEffective + b.activeEffective,
            a.exitingEffective + b.exitingEffective,
            a.shortfall + b.shortfall,
            a.compoundingEffective + b.compoundingEffective
        );
    }

    /// @notice What one validator counts at `epoch` (sumtree.leaf_sums).
    function leafSums(SumLeaf memory v, uint64 epoch) internal pure returns (SnapshotSums memory s) {
        s.leaves = 1;
        if (epoch >= v.withdrawableEpoch) return s; // withdrawable: counted as a leaf only
        uint128 eb = v.effectiveBalance;
        s.live = 1;
        s.liveEffective = eb;
        s.liveBalance = v.balance;
        if (v.slashed) s.slashedEffective = eb;
        if (v.slashed && v.withdrawableEpoch >= HALF_SLASHINGS_VECTOR && epoch <= v.withdrawableEpoch - HALF_SLASHINGS_VECTOR) {
            s.pendingEffective = eb;
        }
        if (v.activationEpoch <= epoch && epoch < v.exitEpoch) s.activeEffective = eb;
        if (!v.slashed && v.exitEpoch != FAR_FUTURE_EPOCH) s.exitingEffective = eb;
        if (eb > v.balance) s.shortfall = eb - v.balance;
        if (uint8(v.withdrawalCredentials[0]) == 0x02) s.compoundingEffective = eb;
    }

    function leafHash(SumLeaf memory v, SnapshotSums memory s) internal pure returns (bytes32) {
        bytes memory fields = abi.encodePacked(
            bytes1(0x00),
            v.index,
            v.pubkeyRoot,
            v.withdrawalCredentials,
            v.effectiveBalance,
            v.slashed ? bytes1(0x01) : bytes1(0x00),
            v.activationEligibilityEpoch,
            v.activationEpoch,
            v.exitEpoch,
            v.withdrawableEpoch,
            v.balance
        );
        return sha256(abi.encodePacked(fields, pack(s)));
    }

    function nodeHash(bytes32 left, bytes32 right, SnapshotSums memory s) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x01), left, right, pack(s)));
    }

    /// @notice The root (hash and sums) a node at `position` of the level `hashes.length` above
    /// the leaves leads to, given its siblings bottom up.
    function rootOf(
        bytes32 hash,
        SnapshotSums memory sums,
        uint256 position,
        bytes32[] memory siblingHashes,
        SnapshotSums[] memory siblingSums
    ) internal pure returns (bytes32, SnapshotSums memory) {
        for (uint256 h = 0; h < siblingHashes.length; ++h) {
            sums = add(sums, siblingSums[h]);
            hash = (position >> h) & 1 == 1
                ? nodeHash(siblingHashes[h], hash, sums)
                : nodeHash(hash, siblingHashes[h], sums);
        }
        return (hash, sums);
    }
}
