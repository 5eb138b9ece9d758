// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IonPoolFixture} from "./IonPoolFixture.sol";
import {IIonPool} from "../../ion_cli/devnet/contracts/interfaces/IIonPool.sol";
import {IWhitelist} from "../../ion_cli/devnet/contracts/interfaces/IWhitelist.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// Position checks in the documented order, pause, roles and the Merkle whitelist.
contract IonPoolChecksTest is IonPoolFixture {
    function setUp() public override {
        super.setUp();
        _supply(lender, 1000 * WAD);
        _joinAndDeposit(borrower, 10 * WAD); // max debt at spot 0.8: 8 tokens
    }

    // 1. ilk initialized comes first: the public pool indexes its ilk array and panics with
    //    0x32 (appendix F), where the reference used to revert IlkNotInitialized
    function test_ilkNotInitialized() public {
        bytes memory outOfBounds = abi.encodeWithSignature("Panic(uint256)", 0x32);
        vm.startPrank(borrower);
        vm.expectRevert(outOfBounds);
        pool.borrow(1, borrower, borrower, 100 * WAD, noProof);
        vm.expectRevert(outOfBounds);
        pool.depositCollateral(1, borrower, borrower, 1, noProof);
        vm.expectRevert(outOfBounds);
        pool.withdrawCollateral(1, borrower, borrower, 1);
        vm.expectRevert(outOfBounds);
        pool.repay(1, borrower, borrower, 1);
        vm.stopPrank();
        vm.expectRevert(outOfBounds);
        pool.getIlkAddress(1);
        vm.expectRevert(outOfBounds);
        pool.rate(1);
        vm.expectRevert(outOfBounds);
        lens.spot(address(pool), 1);
    }

    // 2. ceiling before safety: this borrow is both over the ceiling and unsafe
    function test_ceilingExceededBeforeUnsafe() public {
        pool.updateIlkDebtCeiling(0, 5 * RAD);
        vm.prank(stranger); // also without consent
        vm.expectRevert(abi.encodeWithSelector(IIonPool.CeilingExceeded.selector, 9 * RAD, 5 * RAD));
        pool.borrow(0, borrower, borrower, 9 * WAD, noProof);
    }

    // 3. safety before consent: unsafe borrow by a non-operator reports UnsafePositionChange
    function test_unsafeBeforeConsent() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IIonPool.UnsafePositionChange.selector, 9 * RAD, 10 * WAD, 0.8e27));
        pool.borrow(0, borrower, borrower, 9 * WAD, noProof);
        // exactly at the limit is safe
        vm.prank(borrower);
        pool.borrow(0, borrower, borrower, 8 * WAD, noProof);
        // collateral that leaves a now-full vault is unsafe
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(IIonPool.UnsafePositionChange.selector, 8 * RAD, 10 * WAD - 1, 0.8e27));
        pool.withdrawCollateral(0, borrower, borrower, 1);
    }

    function test_spotZeroBlocksBorrowAndWithdrawButNotDebtFreeWithdraw() public {
        spotOracle.setSpot(0);
        vm.startPrank(borrower);
        vm.expectRevert(abi.encodeWithSelector(IIonPool.UnsafePositionChange.selector, 2 * RAD, 10 * WAD, 0));
        pool.borrow(0, borrower, borrower, 2 * WAD, noProof);
        pool.withdrawCollateral(0, borrower, borrower, 1 * WAD); // no debt: always safe
        vm.stopPrank();
    }

    // 4. consent errors
    function test_unsafePositionChangeWithoutConsent() public {
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IIonPool.UnsafePositionChangeWithoutConsent.selector, uint8(0), borrower, stranger)
        );
        pool.borrow(0, borrower, stranger, 2 * WAD, noProof);
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IIonPool.UnsafePositionChangeWithoutConsent.selector, uint8(0), borrower, stranger)
        );
        pool.withdrawCollateral(0, borrower, stranger, 1 * WAD);
    }

    function test_useOfCollateralWithoutConsent() public {
        lrt.mint(stranger, 1 * WAD);
        vm.startPrank(stranger);
        lrt.approve(address(gemJoin), 1 * WAD);
        gemJoin.join(stranger, 1 * WAD);
        vm.stopPrank();
        vm.prank(borrower);
        vm.expectRevert(
            abi.encodeWithSelector(IIonPool.UseOfCollateralWithoutConsent.selector, uint8(0), stranger, borrower)
        );
        pool.depositCollateral(0, borrower, stranger, 1 * WAD, noProof);
        // anyone may add collateral from their own gem to someone else's vault
        vm.prank(stranger);
        pool.depositCollateral(0, borrower, stranger, 1 * WAD, noProof);
        assertEq(pool.collateral(0, borrower), 11 * WAD, "deposited");
    }

    function test_takingWethWithoutConsent() public {
        vm.prank(borrower);
        pool.borrow(0, borrower, borrower, 4 * WAD, noProof);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(IIonPool.TakingWethWithoutConsent.selector, stranger, borrower));
        pool.repay(0, borrower, stranger, 1 * WAD);
        // repaying someone else's vault with your own funds needs no consent of the vault
        base.mint(stranger, 1 * WAD);
        vm.startPrank(stranger);
        base.approve(address(pool), 1 * WAD);
        pool.repay(0, borrower, stranger, 1 * WAD);
        vm.stopPrank();
        assertEq(pool.normalizedDebt(0, borrower), 3 * WAD, "repaid");
    }

    // 5. dust last: a consent failure wins over a dusty vault; with consent, dust reports
    function test_dustIsCheckedLast() public {
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IIonPool.UnsafePositionChangeWithoutConsent.selector, uint8(0), borrower, stranger)
        );
        pool.borrow(0, borrower, borrower, 0.5e18, noProof);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(IIonPool.VaultCannotBeDusty.selector, 0.5e18 * RAY, 1 * RAD));
        pool.borrow(0, borrower, borrower, 0.5e18, noProof);
        // a partial repay that leaves less than dust is refused, a full repay is fine
        vm.prank(borrower);
        pool.borrow(0, borrower, borrower, 2 * WAD, noProof);
        base.mint(borrower, 2 * WAD);
        vm.startPrank(borrower);
        base.approve(address(pool), 2 * WAD);
        vm.expectRevert(abi.encodeWithSelector(IIonPool.VaultCannotBeDusty.selector, 0.5e18 * RAY, 1 * RAD));
        pool.repay(0, borrower, borrower, 1.5e18);
        pool.repay(0, borrower, borrower, 2 * WAD);
        vm.stopPrank();
        assertEq(pool.normalizedDebt(0, borrower), 0, "closed");
    }

    function test_overRepayAndOverWithdrawAreArithmeticErrors() public {
        vm.startPrank(borrower);
        vm.expectRevert(IIonPool.ArithmeticError.selector);
        pool.repay(0, borrower, borrower, 1);
        vm.expectRevert(IIonPool.ArithmeticError.selector);
        pool.withdrawCollateral(0, borrower, borrower, 10 * WAD + 1);
        vm.expectRevert(IIonPool.ArithmeticError.selector);
        pool.depositCollateral(0, borrower, borrower, 1, noProof); // no gem left
        vm.stopPrank();
    }

    // ---- pause ----

    function test_everyUserFunctionRevertsWhilePaused() public {
        pool.pause();
        assertTrue(pool.paused(), "paused");
        bytes4 err = Pausable.EnforcedPause.selector;
        vm.startPrank(borrower);
        vm.expectRevert(err);
        pool.supply(borrower, 1, noProof);
        vm.expectRevert(err);
        pool.withdraw(borrower, 1);
        vm.expectRevert(err);
        pool.depositCollateral(0, borrower, borrower, 1, noProof);
        vm.expectRevert(err);
        pool.withdrawCollateral(0, borrower, borrower, 1);
        vm.expectRevert(err);
        pool.borrow(0, borrower, borrower, 1, noProof);
        vm.expectRevert(err);
        pool.repay(0, borrower, borrower, 1);
        // operators are not pausable on the public pool (appendix F): consent stays revocable
        pool.addOperator(stranger);
        assertTrue(lens.isOperator(address(pool), borrower, stranger), "added while paused");
        pool.removeOperator(stranger);
        assertTrue(!lens.isOperator(address(pool), borrower, stranger), "removed while paused");
        vm.expectRevert(err);
        pool.transferGem(0, borrower, stranger, 1);
        vm.expectRevert(err);
        pool.accrueInterest();
        vm.expectRevert(err);
        pool.transfer(stranger, 1);
        vm.stopPrank();
        pool.unpause();
        vm.prank(borrower);
        pool.borrow(0, borrower, borrower, 2 * WAD, noProof);
    }

    function test_noInterestWhilePaused() public {
        vm.prank(borrower);
        pool.borrow(0, borrower, borrower, 4 * WAD, noProof);
        vm.warp(block.timestamp + 1 days);
        pool.pause();
        uint256 rateAtPause = pool.rate(0);
        assertTrue(rateAtPause > RAY, "accrued up to the pause");
        vm.warp(block.timestamp + 365 days);
        assertEq(pool.rate(0), rateAtPause, "frozen");
        pool.unpause();
        assertEq(pool.rate(0), rateAtPause, "clock restarted");
    }

    // ---- roles ----

    function test_accessControl() public {
        bytes32 ion = pool.ION();
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, ion));
        pool.initializeIlk(address(0x1234));
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, ion));
        pool.updateIlkDebtCeiling(0, 1);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, ion));
        pool.updateSupplyCap(1);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, ion));
        pool.unpause();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, pool.PAUSE_ROLE())
        );
        pool.pause();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, pool.GEM_JOIN_ROLE())
        );
        pool.mintAndBurnGem(0, stranger, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, pool.LIQUIDATOR_ROLE()
            )
        );
        pool.confiscateVault(0, borrower, stranger, stranger, -1, 0);
        vm.stopPrank();
    }

    function test_adminSetterErrors() public {
        vm.expectRevert(abi.encodeWithSelector(IIonPool.InvalidInterestRateModule.selector, address(0)));
        pool.updateInterestRateModule(address(0));
        vm.expectRevert(IIonPool.InvalidWhitelist.selector);
        pool.updateWhitelist(address(0));
        vm.expectRevert(abi.encodeWithSelector(IIonPool.IlkNotInitialized.selector, 3));
        pool.updateIlkDust(3, 1);
    }

    // ---- whitelist with a real Merkle tree ----

    function _leaf(address a) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(a))));
    }

    function _pair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encodePacked(a, b)) : keccak256(abi.encodePacked(b, a));
    }

    function test_whitelistMerkleProofs() public {
        address friend = address(0xF1);
        bytes32 root = _pair(_leaf(borrower), _leaf(friend)); // two-leaf standard tree
        wl.updateBorrowersRoot(0, root);
        wl.updateLendersRoot(root);
        bytes32[] memory proofBorrower = new bytes32[](1);
        proofBorrower[0] = _leaf(friend);

        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(IWhitelist.NotWhitelistedBorrower.selector, uint8(0), borrower));
        pool.borrow(0, borrower, borrower, 2 * WAD, noProof);
        vm.prank(borrower);
        pool.borrow(0, borrower, borrower, 2 * WAD, proofBorrower);

        base.mint(stranger, 2 * WAD);
        vm.startPrank(stranger);
        base.approve(address(pool), 2 * WAD);
        vm.expectRevert(abi.encodeWithSelector(IWhitelist.NotWhitelistedLender.selector, stranger));
        pool.supply(stranger, 1 * WAD, proofBorrower);
        pool.supply(borrower, 1 * WAD, proofBorrower); // lending on behalf of a listed address
        vm.stopPrank();

        // a protocol contract (handler) as the pool's caller skips the proof
        wl.approveProtocolWhitelist(stranger);
        vm.prank(borrower);
        pool.addOperator(stranger);
        vm.prank(stranger);
        pool.borrow(0, borrower, stranger, 1 * WAD, noProof);
        assertTrue(wl.isWhitelistedLender(stranger, address(0x99), noProof), "protocol skips");
    }
}
