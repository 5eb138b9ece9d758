// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {TestBase} from "./utils/TestBase.sol";
import {SszVectors} from "./utils/SszVectors.sol";
import {
    SszMerkle,
    BeaconBlockHeader,
    ValidatorFields
} from "../../ion_cli/devnet/contracts/zk/SszMerkle.sol";

/// The library's calldata functions, callable from a test.
contract SszHarness {
    function isValidBranch(bytes32 leaf, bytes32[] calldata branch, uint256 gindex, bytes32 root)
        external
        view
        returns (bool)
    {
        return SszMerkle.isValidBranch(leaf, branch, gindex, root);
    }

    function rootOf(bytes32 leaf, bytes32[] calldata branch, uint256 gindex) external view returns (bytes32) {
        return SszMerkle.rootOf(leaf, branch, gindex);
    }

    function headerRoot(BeaconBlockHeader calldata h) external view returns (bytes32) {
        return SszMerkle.headerRoot(h);
    }

    function validatorRoot(ValidatorFields calldata v) external view returns (bytes32) {
        return SszMerkle.validatorRoot(v);
    }

    function chunk64(uint64 value) external pure returns (bytes32) {
        return SszMerkle.chunk64(value);
    }
}

/// SszMerkle against vectors the Python side made from a real (devnet) Fulu BeaconState.
contract SszMerkleTest is TestBase {
    SszHarness internal ssz;

    function setUp() public {
        ssz = new SszHarness();
    }

    function testHeaderRootAndItsBranches() public view {
        BeaconBlockHeader memory h = SszVectors.header();
        assertEq(ssz.headerRoot(h), SszVectors.BLOCK_ROOT, "hash_tree_root(header)");
        assertEq(h.stateRoot, SszVectors.STATE_ROOT, "the header names the state");
        // State root: leaf 3 of 8 (gindex 11); slot: leaf 0 (gindex 8).
        assertTrue(
            ssz.isValidBranch(h.stateRoot, SszVectors.headerStateRootBranch(), 11, SszVectors.BLOCK_ROOT),
            "state root branch"
        );
        assertTrue(
            ssz.isValidBranch(ssz.chunk64(h.slot), SszVectors.headerSlotBranch(), 8, SszVectors.BLOCK_ROOT),
            "slot branch"
        );
        assertTrue(
            !ssz.isValidBranch(keccak256("another state"), SszVectors.headerStateRootBranch(), 11, SszVectors.BLOCK_ROOT),
            "another state root fails"
        );
        h.slot += 1;
        assertTrue(ssz.headerRoot(h) != SszVectors.BLOCK_ROOT, "another slot, another root");
    }

    function testStateSlotBranch() public view {
        // BeaconState.slot is field 2 of 64 leaves: gindex 66.
        assertTrue(
            ssz.isValidBranch(
                ssz.chunk64(SszVectors.STATE_SLOT), SszVectors.stateSlotBranch(), 66, SszVectors.STATE_ROOT
            ),
            "state slot"
        );
        assertEq(uint256(SszVectors.STATE_SLOT), uint256(SszVectors.header().slot), "a block's post-state");
    }

    function testValidatorBranches() public view {
        for (uint256 k = 0; k < SszVectors.VALIDATOR_COUNT; ++k) {
            (ValidatorFields memory f, uint256 index, uint256 gindex, bytes32[] memory b) = SszVectors.validator(k);
            assertEq(gindex, (75 << 41) + index, "validators at 75, list depth 40 + length");
            assertEq(b.length, 47, "47 hashes from a Validator to the state root");
            bytes32 leaf = ssz.validatorRoot(f);
            assertTrue(ssz.isValidBranch(leaf, b, gindex, SszVectors.STATE_ROOT), "validator branch");
            // A node lying about any field is caught.
            f.slashed = !f.slashed;
            assertTrue(!ssz.isValidBranch(ssz.validatorRoot(f), b, gindex, SszVectors.STATE_ROOT), "slashed flag");
            f.slashed = !f.slashed;
            f.effectiveBalance += 1e9;
            assertTrue(!ssz.isValidBranch(ssz.validatorRoot(f), b, gindex, SszVectors.STATE_ROOT), "balance");
            f.effectiveBalance -= 1e9;
            f.withdrawalCredentials = bytes32(uint256(f.withdrawalCredentials) ^ 1);
            assertTrue(!ssz.isValidBranch(ssz.validatorRoot(f), b, gindex, SszVectors.STATE_ROOT), "credentials");
            // The same leaf at a neighbouring index does not verify.
            assertTrue(!ssz.isValidBranch(leaf, b, gindex ^ 1, SszVectors.STATE_ROOT), "another index");
        }
    }

    function testBalanceBranches() public view {
        for (uint256 k = 0; k < SszVectors.VALIDATOR_COUNT; ++k) {
            (bytes32 chunk, uint64 value, uint256 index, uint256 gindex, bytes32[] memory b) = SszVectors.balance(k);
            assertEq(gindex, (76 << 39) + index / 4, "balances at 76, four a chunk");
            assertEq(b.length, 45, "45 hashes from a balance chunk to the state root");
            assertTrue(ssz.isValidBranch(chunk, b, gindex, SszVectors.STATE_ROOT), "balance branch");
            // The balance sits little-endian at 8 * (index % 4) in its chunk.
            uint256 shift = 256 - 64 - 64 * (index % 4);
            bytes32 le = ssz.chunk64(value);
            assertEq(uint256(chunk >> shift) & type(uint64).max, uint256(le >> 192), "balance in its chunk");
            bytes32 lied = chunk ^ bytes32(uint256(1) << (shift + 56));
            assertTrue(!ssz.isValidBranch(lied, b, gindex, SszVectors.STATE_ROOT), "a lied balance");
        }
    }

    function testBranchOfTheWrongLength() public {
        (, , uint256 gindex, bytes32[] memory b) = SszVectors.validator(0);
        assertTrue(!ssz.isValidBranch(bytes32(0), b, gindex >> 1, SszVectors.STATE_ROOT), "too long");
        vm.expectRevert(abi.encodeWithSelector(SszMerkle.BranchLength.selector, 47, 46));
        ssz.rootOf(bytes32(0), b, gindex >> 1);
    }

    function testFuzzChunk64IsLittleEndian(uint64 value) public view {
        bytes32 c = ssz.chunk64(value);
        for (uint256 i = 0; i < 8; ++i) {
            assertEq(uint256(uint8(c[i])), (uint256(value) >> (8 * i)) & 0xff, "byte i is bits 8i..8i+7");
        }
        assertEq(uint256(c) & type(uint192).max, 0, "zero padded");
    }
}
