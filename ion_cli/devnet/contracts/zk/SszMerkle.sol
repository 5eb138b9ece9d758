// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

/// A beacon block header (the message the block root is the hash_tree_root of).
struct BeaconBlockHeader {
    uint64 slot;
    uint64 proposerIndex;
    bytes32 parentRoot;
    bytes32 stateRoot;
    bytes32 bodyRoot;
}

/// A Validator container (the consensus specs' field order).
struct ValidatorFields {
    bytes pubkey; // 48 bytes
    bytes32 withdrawalCredentials;
    uint64 effectiveBalance;
    bool slashed;
    uint64 activationEligibilityEpoch;
    uint64 activationEpoch;
    uint64 exitEpoch;
    uint64 withdrawableEpoch;
}

/// @title SszMerkle
/// @notice SSZ hash_tree_root pieces and Merkle branch checks for beacon chain containers,
/// written for this project from the consensus specs (SHA-256 through the precompile; generalized
/// indices: the root is 1, the children of g are 2g and 2g + 1; a branch lists the sibling of
/// each node on the path, from the leaf up). The Python side (ion_cli/beacon/proofs.py) makes
/// the test vectors from real containers (tests/contracts/SszMerkle.t.sol).
library SszMerkle {
    error BranchLength(uint256 got, uint256 depth);
    error BadPubkeyLength(uint256 got);

    /// sha256(a || b) through the precompile at 0x02, in scratch memory.
    function hashPair(bytes32 a, bytes32 b) internal view returns (bytes32 out) {
        assembly ("memory-safe") {
            mstore(0x00, a)
            mstore(0x20, b)
            if iszero(staticcall(gas(), 0x02, 0x00, 0x40, 0x00, 0x20)) { revert(0, 0) }
            out := mload(0x00)
        }
    }

    /// The 32-byte SSZ chunk of a uint64 (little-endian, zero-padded on the right).
    function chunk64(uint64 value) internal pure returns (bytes32) {
        uint256 v = value;
        // Reverse the 8 bytes: swap bytes, then 2-byte pairs, then 4-byte halves.
        v = ((v & 0xFF00FF00FF00FF00) >> 8) | ((v & 0x00FF00FF00FF00FF) << 8);
        v = ((v & 0xFFFF0000FFFF0000) >> 16) | ((v & 0x0000FFFF0000FFFF) << 16);
        v = (v >> 32) | ((v & 0xFFFFFFFF) << 32);
        return bytes32(v << 192);
    }

    /// The depth of a generalized index (its bit length minus one).
    function depthOf(uint256 gindex) internal pure returns (uint256 depth) {
        while (gindex > 1) {
            gindex >>= 1;
            ++depth;
        }
    }

    /// The root a leaf and its branch fold up to at `gindex`; reverts if the branch's length
    /// is not the index's depth.
    function rootOf(bytes32 leaf, bytes32[] calldata branch, uint256 gindex) internal view returns (bytes32 node) {
        uint256 depth = depthOf(gindex);
        if (branch.length != depth) revert BranchLength(branch.length, depth);
        node = leaf;
        for (uint256 i = 0; i < depth; ++i) {
            node = (gindex >> i) & 1 == 1 ? hashPair(branch[i], node) : hashPair(node, branch[i]);
        }
    }

    /// The consensus specs' is_valid_merkle_branch, by generalized index.
    function isValidBranch(bytes32 leaf, bytes32[] calldata branch, uint256 gindex, bytes32 root)
        internal
        view
        returns (bool)
    {
        return depthOf(gindex) == branch.length && rootOf(leaf, branch, gindex) == root;
    }

    /// hash_tree_root(BeaconBlockHeader): 5 fields padded to 8 leaves.
    function headerRoot(BeaconBlockHeader memory h) internal view returns (bytes32) {
        bytes32 a = hashPair(chunk64(h.slot), chunk64(h.proposerIndex));
        bytes32 b = hashPair(h.parentRoot, h.stateRoot);
        bytes32 c = hashPair(h.bodyRoot, bytes32(0));
        bytes32 zero2 = 0xf5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b; // hash(0, 0)
        return hashPair(hashPair(a, b), hashPair(c, zero2));
    }

    /// hash_tree_root(Validator): 8 fields, the 48-byte pubkey merkleized from two chunks.
    function validatorRoot(ValidatorFields memory v) internal view returns (bytes32) {
        if (v.pubkey.length != 48) revert BadPubkeyLength(v.pubkey.length);
        bytes memory pk = v.pubkey;
        bytes32 lo;
        bytes32 hi;
        assembly ("memory-safe") {
            lo := mload(add(pk, 0x20))
            hi := and(mload(add(pk, 0x40)), not(sub(shl(128, 1), 1)))
        }
        bytes32 a = hashPair(hashPair(lo, hi), v.withdrawalCredentials);
        bytes32 b = hashPair(chunk64(v.effectiveBalance), v.slashed ? bytes32(uint256(1) << 248) : bytes32(0));
        bytes32 c = hashPair(chunk64(v.activationEligibilityEpoch), chunk64(v.activationEpoch));
        bytes32 d = hashPair(chunk64(v.exitEpoch), chunk64(v.withdrawableEpoch));
        return hashPair(hashPair(a, b), hashPair(c, d));
    }
}
