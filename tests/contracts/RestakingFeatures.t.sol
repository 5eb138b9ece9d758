// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {TestBase} from "./utils/TestBase.sol";
import {OperatorSet, SlashingParams, AllocateParams} from "../../ion_cli/devnet/contracts/eigenlayer/EigenLayerTypes.sol";
import {DevAllocationManager} from "../../ion_cli/devnet/contracts/eigenlayer/DevAllocationManager.sol";
import {DevDelegationManager} from "../../ion_cli/devnet/contracts/eigenlayer/DevDelegationManager.sol";
import {DevEigenPodManager} from "../../ion_cli/devnet/contracts/eigenlayer/DevEigenPodManager.sol";
import {CredentialRegistry} from "../../ion_cli/devnet/contracts/zk/LrtCredentials.sol";
import {RestakingFeatures} from "../../ion_cli/devnet/contracts/zk/RestakingFeatures.sol";
import {FeatureMath} from "../../ion_cli/devnet/contracts/zk/FeatureMath.sol";

/// RestakingFeatures over the EigenLayer stand-ins: two stakers (pods in a credential registry)
/// with two operators; a slash in the window is the LRT's loss, as of the pinned block.
contract RestakingFeaturesTest is TestBase {
    address internal constant ETH_STRATEGY = 0xbeaC0eeEeeeeEEeEeEEEEeeEEeEeeeEeeEEBEaC0;
    address internal constant OP_A = address(0xE1);
    address internal constant OP_B = address(0xE2);
    address internal constant AVS = address(0xA5);
    address internal constant STAKER_A = address(0x57);
    address internal constant STAKER_B = address(0x58);

    DevDelegationManager internal dm;
    DevAllocationManager internal am;
    DevEigenPodManager internal epm;
    CredentialRegistry internal registry;
    RestakingFeatures internal features;

    function setUp() public {
        vm.roll(1000);
        dm = new DevDelegationManager(50, address(this));
        am = new DevAllocationManager(address(dm), 100, address(this));
        epm = new DevEigenPodManager(address(this));
        dm.wire(address(am), address(epm));
        epm.setDelegationManager(address(dm));
        DevAllocationManager.CreateSetParams[] memory sets = new DevAllocationManager.CreateSetParams[](1);
        sets[0] = DevAllocationManager.CreateSetParams(0, _strategies());
        am.createOperatorSets(AVS, sets);
        uint32[] memory ids = new uint32[](1);
        am.registerForOperatorSets(OP_A, DevAllocationManager.RegisterParams(AVS, ids, ""));
        registry = new CredentialRegistry(address(this));
        bytes32[] memory creds = new bytes32[](3);
        creds[0] = _cred(epm.devCreatePod(STAKER_A), 0x01);
        creds[1] = _cred(epm.devCreatePod(STAKER_B), 0x01);
        creds[2] = _cred(epm.ownerToPod(STAKER_A), 0x02); // the same pod again: counted once
        registry.add(creds);
        dm.devDelegate(STAKER_A, OP_A);
        dm.devDeposit(STAKER_A, ETH_STRATEGY, 800 ether);
        dm.devDelegate(STAKER_B, OP_B);
        dm.devDeposit(STAKER_B, ETH_STRATEGY, 400 ether);
        AllocateParams[] memory p = new AllocateParams[](1);
        uint64[] memory m = new uint64[](1);
        m[0] = 0.3e18;
        p[0] = AllocateParams(OperatorSet(AVS, 0), _strategies(), m);
        am.modifyAllocations(OP_A, p);
        features = new RestakingFeatures(address(registry), 500, 256, false, address(this));
        features.wire(address(dm), address(am), ETH_STRATEGY);
        vm.roll(1010);
    }

    function _cred(address pod, uint8 prefix) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(pod)) | (uint256(prefix) << 248));
    }

    function _strategies() internal pure returns (address[] memory s) {
        s = new address[](1);
        s[0] = ETH_STRATEGY;
    }

    function _slash(uint256 wad) internal {
        uint256[] memory w = new uint256[](1);
        w[0] = wad;
        am.slashOperator(AVS, SlashingParams(OP_A, 0, _strategies(), w, "test"));
    }

    function test_NoSlashNoLoss() public view {
        (uint256 loss, uint256 largest) = features.featuresAt(1009);
        assertEq(loss, 0, "no loss");
        assertEq(largest, FeatureMath.ratio(800 ether, 1200 ether), "op A holds 2/3");
    }

    function test_ASlashInTheWindowIsTheLrtsLoss() public {
        _slash(0.5e18); // 0.15 of op A's stake: 120 of the LRT's 1,200 ETH
        vm.roll(1020);
        (uint256 loss, uint256 largest) = features.featuresAt(1015);
        assertEq(loss, FeatureMath.kinked(120 ether, 1200 ether), "loss");
        assertEq(largest, FeatureMath.ratio(680 ether, 1080 ether), "largest after");
        // As of a block before the slash: nothing, however late it is asked.
        (loss,) = features.featuresAt(1009);
        assertEq(loss, 0, "pinned before the slash");
    }

    function test_ALaterSlashDoesNotChangeAPinnedBlock() public {
        _slash(0.5e18);
        vm.roll(1020);
        (uint256 loss,) = features.featuresAt(1015);
        _slash(0.5e18);
        vm.roll(1030);
        (uint256 again,) = features.featuresAt(1015);
        assertEq(again, loss, "same answer for the same block");
    }

    function test_TheBlockMustBePastAndRecent() public {
        (bool ok,) = address(features).staticcall(abi.encodeCall(RestakingFeatures.featuresAt, (1010)));
        assertTrue(!ok, "the current block is refused");
        vm.roll(2000);
        (ok,) = address(features).staticcall(abi.encodeCall(RestakingFeatures.featuresAt, (1010)));
        assertTrue(!ok, "older than MAX_BLOCK_AGE is refused");
    }

    function test_ARateThatReflectsLossesCountsNone() public {
        RestakingFeatures reflected = new RestakingFeatures(address(registry), 500, 256, true, address(this));
        reflected.wire(address(dm), address(am), ETH_STRATEGY);
        _slash(0.5e18);
        vm.roll(1020);
        (uint256 loss,) = reflected.featuresAt(1015);
        assertEq(loss, 0, "not counted twice");
    }
}
