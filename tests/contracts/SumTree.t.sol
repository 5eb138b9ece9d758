// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {TestBase} from "./utils/TestBase.sol";
import {SnapshotSums} from "../../ion_cli/devnet/contracts/zk/FeatureMath.sol";
import {SumTree, SumLeaf} from "../../ion_cli/devnet/contracts/zk/SumTree.sol";

/// SumTree against a tree the Python side built (tests/contracts/gen_sumtree_vectors.py): every
/// leaf's sums and hash recomputed from its fields, every branch leading to the root.
contract SumTreeTest is TestBase {
    struct Vector {
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
        uint128[10] sums;
        bytes32 hash;
        bytes32[] siblingHashes;
        uint128[10][] siblingSums;
    }

    function _sums(uint128[10] memory v) internal pure returns (SnapshotSums memory) {
        return SnapshotSums(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
    }

    function _eq(SnapshotSums memory a, SnapshotSums memory b) internal pure returns (bool) {
        return keccak256(SumTree.pack(a)) == keccak256(SumTree.pack(b));
    }

    function testEveryLeafAndBranchOfThePythonTree() public view {
        bytes memory data = vm.readFileBinary("tests/contracts/vectors/sumtree.bin");
        (uint64 epoch, bytes32 root, uint128[10] memory rootSums, Vector[] memory leaves) =
            abi.decode(data, (uint64, bytes32, uint128[10], Vector[]));
        assertEq(leaves.length, 13, "13 leaves");
        for (uint256 p = 0; p < leaves.length; ++p) {
            Vector memory x = leaves[p];
            SumLeaf memory leaf = SumLeaf(
                x.index, x.pubkeyRoot, x.withdrawalCredentials, x.effectiveBalance, x.slashed,
                x.activationEligibilityEpoch, x.activationEpoch, x.exitEpoch, x.withdrawableEpoch, x.balance
            );
            SnapshotSums memory s = SumTree.leafSums(leaf, epoch);
            assertTrue(_eq(s, _sums(x.sums)), string.concat("leaf sums ", _str(p)));
            bytes32 h = SumTree.leafHash(leaf, s);
            assertEq(h, x.hash, string.concat("leaf hash ", _str(p)));
            SnapshotSums[] memory sib = new SnapshotSums[](x.siblingSums.length);
            for (uint256 i = 0; i < sib.length; ++i) {
                sib[i] = _sums(x.siblingSums[i]);
            }
            (bytes32 r, SnapshotSums memory rs) = SumTree.rootOf(h, s, p, x.siblingHashes, sib);
            assertEq(r, root, string.concat("root from leaf ", _str(p)));
            assertTrue(_eq(rs, _sums(rootSums)), "root sums");
        }
    }
}
