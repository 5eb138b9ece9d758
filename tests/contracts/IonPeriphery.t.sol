// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IonPoolFixture, MockPoolToken} from "./IonPoolFixture.sol";
import {GemJoin} from "../../ion_cli/devnet/contracts/GemJoin.sol";
import {InterestRate} from "../../ion_cli/devnet/contracts/InterestRate.sol";
import {IGemJoin} from "../../ion_cli/devnet/contracts/interfaces/IGemJoin.sol";
import {IWhitelist} from "../../ion_cli/devnet/contracts/interfaces/IWhitelist.sol";
import {Whitelist} from "../../ion_cli/devnet/contracts/Whitelist.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/// GemJoin, Whitelist, InterestRate and IonLens.
contract IonPeripheryTest is IonPoolFixture {
    // ---- GemJoin ----

    function test_gemJoinViewsAndWrongIlk() public {
        assertEq(gemJoin.GEM(), address(lrt), "gem");
        assertEq(gemJoin.POOL(), address(pool), "pool");
        assertEq(uint256(gemJoin.ILK_INDEX()), 0, "ilk");
        MockPoolToken other = new MockPoolToken("X");
        vm.expectRevert(abi.encodeWithSelector(IGemJoin.WrongIlkAddress.selector, uint8(0), address(other)));
        new GemJoin(address(pool), address(other), 0, admin);
    }

    function test_gemJoinJoinExit() public {
        lrt.mint(borrower, 5 * WAD);
        vm.startPrank(borrower);
        lrt.approve(address(gemJoin), 5 * WAD);
        gemJoin.join(stranger, 5 * WAD); // credits someone else
        vm.stopPrank();
        assertEq(lens.gem(address(pool), 0, stranger), 5 * WAD, "credited");
        assertEq(gemJoin.totalGem(), 5 * WAD, "total");
        assertEq(lrt.balanceOf(address(gemJoin)), 5 * WAD, "custody");

        vm.prank(stranger);
        gemJoin.exit(borrower, 2 * WAD); // debits the caller, pays `user`
        assertEq(lens.gem(address(pool), 0, stranger), 3 * WAD, "debited");
        assertEq(lrt.balanceOf(borrower), 2 * WAD, "paid out");
        assertEq(gemJoin.totalGem(), 3 * WAD, "total after");

        vm.prank(borrower); // has no gem
        vm.expectRevert();
        gemJoin.exit(borrower, 1);
    }

    function test_gemJoinPauseAndOwner() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        gemJoin.pause();
        gemJoin.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        gemJoin.join(borrower, 1);
        gemJoin.unpause();
    }

    /// The public GemJoin refuses joins while the pool is paused (appendix F); exits stay open.
    function test_gemJoinJoinRevertsWhileThePoolIsPaused() public {
        lrt.mint(borrower, 2 * WAD);
        vm.prank(borrower);
        lrt.approve(address(gemJoin), 2 * WAD);
        vm.prank(borrower);
        gemJoin.join(borrower, 1 * WAD);
        pool.pause();
        vm.prank(borrower);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        gemJoin.join(borrower, 1 * WAD);
        vm.prank(borrower);
        gemJoin.exit(borrower, 1 * WAD);
        assertEq(lrt.balanceOf(borrower), 2 * WAD, "collateral can still leave");
    }

    function test_gemJoinInt256Overflow() public {
        vm.expectRevert(IGemJoin.Int256Overflow.selector);
        gemJoin.join(borrower, uint256(type(int256).max) + 1);
    }

    // ---- Whitelist ----

    function test_whitelistConstructorAndOwner() public {
        bytes32[] memory roots = new bytes32[](2);
        roots[1] = keccak256("root1");
        Whitelist w = new Whitelist(roots, keccak256("lenders"));
        assertEq(w.borrowersRoot(0), bytes32(0), "root0 open");
        assertEq(w.borrowersRoot(1), keccak256("root1"), "root1");
        assertEq(w.lendersRoot(), keccak256("lenders"), "lenders");
        assertTrue(w.isWhitelistedBorrower(0, stranger, borrower, noProof), "open ilk");
        vm.expectRevert(abi.encodeWithSelector(IWhitelist.NotWhitelistedBorrower.selector, uint8(1), borrower));
        w.isWhitelistedBorrower(1, stranger, borrower, noProof);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        w.approveProtocolWhitelist(stranger);
        w.approveProtocolWhitelist(stranger);
        assertTrue(w.protocolWhitelist(stranger), "approved");
        assertTrue(w.isWhitelistedBorrower(1, stranger, borrower, noProof), "protocol caller skips");
        w.revokeProtocolWhitelist(stranger);
        assertTrue(!w.protocolWhitelist(stranger), "revoked");
    }

    function test_whitelistThreeLeafTree() public {
        address a = address(0xA);
        address b = address(0xB);
        address c = address(0xC);
        bytes32 la = _leaf(a);
        bytes32 lb = _leaf(b);
        bytes32 lc = _leaf(c);
        bytes32 ab = _pair(la, lb);
        bytes32 root = _pair(ab, lc);
        wl.updateLendersRoot(root);
        bytes32[] memory proofA = new bytes32[](2);
        proofA[0] = lb;
        proofA[1] = lc;
        bytes32[] memory proofC = new bytes32[](1);
        proofC[0] = ab;
        assertTrue(wl.isWhitelistedLender(stranger, a, proofA), "a");
        assertTrue(wl.isWhitelistedLender(stranger, c, proofC), "c");
        vm.expectRevert(abi.encodeWithSelector(IWhitelist.NotWhitelistedLender.selector, b));
        wl.isWhitelistedLender(stranger, b, proofA);
    }

    function _leaf(address a) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(a))));
    }

    function _pair(bytes32 x, bytes32 y) internal pure returns (bytes32) {
        return x < y ? keccak256(abi.encodePacked(x, y)) : keccak256(abi.encodePacked(y, x));
    }

    // ---- InterestRate ----

    function test_interestCurve() public view {
        (uint256 r0, uint256 rf) = irm.calculateInterestRate(0, 0, 100 * WAD);
        assertEq(r0, MIN_BASE_RATE, "zero utilization");
        assertEq(rf, 0, "reserve factor");
        (uint256 rEmpty,) = irm.calculateInterestRate(0, 5 * RAD, 0);
        assertEq(rEmpty, MIN_BASE_RATE, "no supply");
        (uint256 rKink,) = irm.calculateInterestRate(0, 90 * RAD, 100 * WAD);
        assertEq(rKink, RATE_AT_KINK, "kink");
        (uint256 rHalf,) = irm.calculateInterestRate(0, 45 * RAD, 100 * WAD);
        assertEq(rHalf, MIN_BASE_RATE + (RATE_AT_KINK - MIN_BASE_RATE) / 2, "half of the kink");
        (uint256 rFull,) = irm.calculateInterestRate(0, 100 * RAD, 100 * WAD);
        assertEq(rFull, RATE_AT_KINK + SLOPE_ABOVE_KINK, "100%");
        (uint256 rOver,) = irm.calculateInterestRate(0, 300 * RAD, 100 * WAD);
        assertEq(rOver, rFull, "clamped above 100%");
        (uint256 r95,) = irm.calculateInterestRate(0, 95 * RAD, 100 * WAD);
        assertEq(r95, RATE_AT_KINK + SLOPE_ABOVE_KINK / 2, "halfway above the kink");
        assertEq(irm.utilization(45 * RAD, 100 * WAD), 0.45e27, "utilization");
    }

    function testFuzz_interestMonotone(uint256 d1, uint256 d2) public view {
        d1 = bound(d1, 0, 200 * RAD);
        d2 = bound(d2, d1, 200 * RAD);
        (uint256 r1,) = irm.calculateInterestRate(0, d1, 100 * WAD);
        (uint256 r2,) = irm.calculateInterestRate(0, d2, 100 * WAD);
        assertLe(r1, r2, "monotone");
    }

    function test_interestConstructorChecks() public {
        vm.expectRevert(abi.encodeWithSelector(InterestRate.InvalidOptimalUtilization.selector, RAY));
        new InterestRate(1, 2, RAY, 3, 0);
        vm.expectRevert(abi.encodeWithSelector(InterestRate.InvalidRateAtKink.selector, 1, 2));
        new InterestRate(2, 1, KINK, 3, 0);
        vm.expectRevert(abi.encodeWithSelector(InterestRate.InvalidReserveFactor.selector, RAY + 1));
        new InterestRate(1, 2, KINK, 3, RAY + 1);
    }

    // ---- IonLens ----

    function test_lensReadsThePool() public {
        _supply(lender, 100 * WAD);
        _openVault(borrower, 10 * WAD, 4 * WAD);
        lrt.mint(stranger, 1 * WAD);
        vm.startPrank(stranger);
        lrt.approve(address(gemJoin), 1 * WAD);
        gemJoin.join(stranger, 1 * WAD);
        pool.addOperator(borrower);
        vm.stopPrank();
        vm.warp(block.timestamp + 1 days);

        address p = address(pool);
        assertEq(lens.ilkCount(p), 1, "ilkCount");
        assertEq(uint256(lens.getIlkIndex(p, address(lrt))), 0, "getIlkIndex");
        assertEq(lens.totalNormalizedDebt(p, 0), 4 * WAD, "totalNormalizedDebt");
        assertEq(lens.rateUnaccrued(p, 0), RAY, "rateUnaccrued");
        assertTrue(pool.rate(0) > RAY, "accrued view moved");
        assertEq(lens.lastRateUpdate(p, 0), block.timestamp - 1 days, "lastRateUpdate");
        assertEq(lens.spot(p, 0), address(spotOracle), "spot");
        assertEq(lens.debtCeiling(p, 0), 100_000 * RAD, "debtCeiling");
        assertEq(lens.dust(p, 0), RAD, "dust");
        assertEq(lens.gem(p, 0, stranger), 1 * WAD, "gem");
        assertEq(lens.unbackedDebt(p, stranger), 0, "unbackedDebt");
        assertTrue(lens.isOperator(p, stranger, borrower), "isOperator");
        assertTrue(!lens.isOperator(p, borrower, stranger), "not operator");
        assertEq(lens.debt(p), 4 * WAD * pool.rate(0), "debt (pending interest included)");
        assertEq(lens.debtUnaccrued(p), 4 * WAD * RAY, "debtUnaccrued");
        assertEq(lens.liquidity(p), 96 * WAD, "liquidity");
        assertEq(lens.supplyCap(p), 100_000 * WAD, "supplyCap");
        assertEq(lens.totalUnbackedDebt(p), 0, "totalUnbackedDebt");
        assertEq(lens.interestRateModule(p), address(irm), "irm");
        assertEq(lens.whitelist(p), address(wl), "whitelist");
    }
}
