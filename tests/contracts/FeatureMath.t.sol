// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {TestBase} from "./utils/TestBase.sol";
import {FeatureMath, SnapshotSums} from "../../ion_cli/devnet/contracts/zk/FeatureMath.sol";

/// FeatureMath against 1,000 vectors the Python side made (tests/contracts/gen_feature_vectors.py:
/// random snapshot sums, network inputs and the features ion_cli.zk.features.from_sums gives).
contract FeatureMathTest is TestBase {
    uint256 internal constant RECORD = 208;

    function _word(bytes memory data, uint256 at, uint256 size) internal pure returns (uint256 v) {
        for (uint256 i = 0; i < size; ++i) {
            v = (v << 8) | uint8(data[at + i]);
        }
    }

    function testFeaturesEqualTheCircuitsForThePythonVectors() public view {
        bytes memory data = vm.readFileBinary("tests/contracts/vectors/features.bin");
        assertEq(data.length % RECORD, 0, "whole records");
        uint256 count = data.length / RECORD;
        assertEq(count, 1000, "1,000 vectors");
        for (uint256 r = 0; r < count; ++r) {
            uint256 at = r * RECORD;
            uint128[10] memory v;
            for (uint256 i = 0; i < 10; ++i) {
                v[i] = uint128(_word(data, at + 16 * i, 16));
            }
            SnapshotSums memory s = SnapshotSums(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
            uint256 network = _word(data, at + 160, 16);
            uint256 other = _word(data, at + 176, 16);
            uint256[8] memory f = FeatureMath.features(s, network, other);
            for (uint256 i = 0; i < 8; ++i) {
                uint256 want = _word(data, at + 192 + 2 * i, 2);
                if (f[i] != want) {
                    revert(string.concat("vector ", _str(r), " feature ", _str(i), ": ", _str(f[i]), " != ", _str(want)));
                }
            }
        }
    }

    function testKinkEnds() public pure {
        assertEq(FeatureMath.kinked(0, 32), 0, "0");
        assertEq(FeatureMath.kinked(1, 32), 512, "1/32 -> 0.5");
        assertEq(FeatureMath.kinked(32, 32), 1024, "1 -> 1");
        assertEq(FeatureMath.kinked(64, 32), 1024, "clamped");
        assertEq(FeatureMath.ratio(1, 0), 0, "empty set");
    }
}
