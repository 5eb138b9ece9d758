// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {TestBase} from "./utils/TestBase.sol";
import {
    OperatorSet,
    Allocation,
    SlashingParams,
    AllocateParams
} from "../../ion_cli/devnet/contracts/eigenlayer/EigenLayerTypes.sol";
import {DevAllocationManager} from "../../ion_cli/devnet/contracts/eigenlayer/DevAllocationManager.sol";
import {DevDelegationManager} from "../../ion_cli/devnet/contracts/eigenlayer/DevDelegationManager.sol";
import {DevEigenPodManager} from "../../ion_cli/devnet/contracts/eigenlayer/DevEigenPodManager.sol";

/// The EigenLayer stand-ins against EigenLayer's documented slashing arithmetic: a slash takes
/// wadsToSlash of the allocation (rounded up); wadSlashed = slashed / previous max magnitude;
/// the staker's withdrawable shares fall by that fraction; the slashed set's slashable stake by
/// the amount slashed; the other sets keep theirs.
contract EigenLayerStandInsTest is TestBase {
    address internal constant ETH_STRATEGY = 0xbeaC0eeEeeeeEEeEeEEEEeeEEeEeeeEeeEEBEaC0;
    address internal constant OP = address(0xE1);
    address internal constant AVS = address(0xA5);
    address internal constant STAKER = address(0x57);

    DevDelegationManager internal dm;
    DevAllocationManager internal am;
    DevEigenPodManager internal epm;

    function setUp() public {
        dm = new DevDelegationManager(50, address(this));
        am = new DevAllocationManager(address(dm), 100, address(this));
        epm = new DevEigenPodManager(address(this));
        dm.wire(address(am), address(epm));
        epm.setDelegationManager(address(dm));
        DevAllocationManager.CreateSetParams[] memory sets = new DevAllocationManager.CreateSetParams[](2);
        sets[0] = DevAllocationManager.CreateSetParams(0, _strategies());
        sets[1] = DevAllocationManager.CreateSetParams(1, _strategies());
        am.createOperatorSets(AVS, sets);
        uint32[] memory ids = new uint32[](2);
        ids[1] = 1;
        am.registerForOperatorSets(OP, DevAllocationManager.RegisterParams(AVS, ids, ""));
        dm.devDelegate(STAKER, OP);
        dm.devDeposit(STAKER, ETH_STRATEGY, 1000 ether);
        _allocate(0, 0.3e18);
        _allocate(1, 0.2e18);
    }

    function _strategies() internal pure returns (address[] memory s) {
        s = new address[](1);
        s[0] = ETH_STRATEGY;
    }

    function _allocate(uint32 id, uint64 magnitude) internal {
        AllocateParams[] memory p = new AllocateParams[](1);
        uint64[] memory m = new uint64[](1);
        m[0] = magnitude;
        p[0] = AllocateParams(OperatorSet(AVS, id), _strategies(), m);
        am.modifyAllocations(OP, p);
    }

    function _slash(uint32 id, uint256 wad) internal {
        uint256[] memory w = new uint256[](1);
        w[0] = wad;
        am.slashOperator(AVS, SlashingParams(OP, id, _strategies(), w, "test"));
    }

    function _withdrawable() internal view returns (uint256) {
        address[] memory s = _strategies();
        (uint256[] memory w,) = dm.getWithdrawableShares(STAKER, s);
        return w[0];
    }

    function _stake(uint32 id) internal view returns (uint256) {
        address[] memory ops = new address[](1);
        ops[0] = OP;
        return am.getAllocatedStake(OperatorSet(AVS, id), ops, _strategies())[0][0];
    }

    function test_SlashFollowsTheArithmetic() public {
        _slash(0, 0.05e18); // 0.3 x 0.05 = 0.015 of the stake
        assertEq(am.getMaxMagnitude(OP, ETH_STRATEGY), 0.985e18);
        assertEq(_withdrawable(), 985 ether);
        assertEq(_stake(0), 285 ether); // 300 - 15
        assertEq(_stake(1), 200 ether); // unchanged in ETH
        Allocation memory a = am.getAllocation(OP, OperatorSet(AVS, 0), ETH_STRATEGY);
        assertEq(a.currentMagnitude, 0.285e18);
        assertEq(am.getSlashCount(OperatorSet(AVS, 0)), 1);
        uint64[] memory then = am.getMaxMagnitudesAtBlock(OP, _strategies(), uint32(block.number - 1));
        assertEq(then[0], 1e18);
    }

    function testFuzz_OtherSetsKeepTheirStake(uint256 wad) public {
        wad = bound(wad, 1, 1e18);
        uint256 before1 = _stake(1);
        uint256 before0 = _stake(0);
        uint256 withdrawableBefore = _withdrawable();
        _slash(0, wad);
        uint256 slashedMagnitude = (0.3e18 * wad + 1e18 - 1) / 1e18;
        uint256 lost = withdrawableBefore * slashedMagnitude / 1e18;
        assertApproxEq(_stake(1), before1, 1, "within rounding");
        assertApproxEq(before0 - _stake(0), lost, 2, "within rounding");
        assertApproxEq(withdrawableBefore - _withdrawable(), lost, 1, "within rounding");
    }

    function test_PendingDeallocationIsSlashedProportionally() public {
        _allocate(0, 0.1e18); // -0.2 pending for 100 blocks, still slashable
        Allocation memory a = am.getAllocation(OP, OperatorSet(AVS, 0), ETH_STRATEGY);
        assertEq(a.currentMagnitude, 0.3e18);
        assertEq(int256(a.pendingDiff), -0.2e18, "pending");
        _slash(0, 0.5e18);
        a = am.getAllocation(OP, OperatorSet(AVS, 0), ETH_STRATEGY);
        assertEq(a.currentMagnitude, 0.15e18);
        assertEq(int256(a.pendingDiff), -0.1e18, "pending");
        vm.roll(block.number + 100);
        a = am.getAllocation(OP, OperatorSet(AVS, 0), ETH_STRATEGY);
        assertEq(a.currentMagnitude, 0.05e18);
        assertEq(int256(a.pendingDiff), 0, "pending");
    }

    function test_BeaconChainFactorComesFirst() public {
        epm.devDecreaseBeaconChainSlashingFactor(STAKER, 0.9e18);
        assertEq(_withdrawable(), 900 ether);
        assertEq(dm.getOperatorShares(OP, _strategies())[0], 900 ether);
        _slash(0, 0.1e18); // 0.03 of the stake
        assertEq(_withdrawable(), 873 ether);
    }

    function test_QueuedWithdrawalsStaySlashable() public {
        dm.devQueueWithdrawal(STAKER, ETH_STRATEGY, 100 ether);
        assertEq(_withdrawable(), 900 ether);
        assertEq(dm.getSlashableSharesInQueue(OP, ETH_STRATEGY), 100 ether);
        _slash(0, 0.5e18); // 0.15 of the stake
        assertEq(dm.getSlashableSharesInQueue(OP, ETH_STRATEGY), 85 ether);
        (, uint256[][] memory shares) = dm.getQueuedWithdrawals(STAKER);
        assertEq(shares[0][0], 85 ether);
        assertEq(_withdrawable(), 765 ether);
    }

    function test_Refusals() public {
        vm.prank(address(0xBAD));
        vm.expectRevert(DevAllocationManager.InvalidCaller.selector);
        _slash(0, 0.1e18);
        vm.expectRevert(DevAllocationManager.InvalidWadToSlash.selector);
        _slash(0, 0);
        vm.expectRevert(DevAllocationManager.InsufficientMagnitude.selector);
        _allocate(1, 0.8e18);
        am.setAllocationDelay(OP, 10);
        _allocate(1, 0.3e18);
        vm.expectRevert(DevAllocationManager.ModificationAlreadyPending.selector);
        _allocate(1, 0.4e18);
        uint256[] memory w = new uint256[](1);
        w[0] = 0.1e18;
        vm.expectRevert(DevAllocationManager.NotMemberOfSet.selector);
        am.slashOperator(AVS, SlashingParams(address(0xE2), 0, _strategies(), w, "x"));
    }
}
