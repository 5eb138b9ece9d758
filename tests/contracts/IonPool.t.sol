// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IonPoolFixture} from "./IonPoolFixture.sol";
import {IonPoolLayout} from "../../ion_cli/devnet/contracts/IonPoolLayout.sol";
import {IonPool} from "../../ion_cli/devnet/contracts/IonPool.sol";
import {LenderToken} from "../../ion_cli/devnet/contracts/LenderToken.sol";
import {IIonPool} from "../../ion_cli/devnet/contracts/interfaces/IIonPool.sol";
import {IWhitelist} from "../../ion_cli/devnet/contracts/interfaces/IWhitelist.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// forge's log recorder (same cheatcode address as TestBase's vm).
interface MockVmLogs {
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory);
}

/// Ledger behaviour of IonPool: lender token, vault sequences, checks and their order, roles.
contract IonPoolTest is IonPoolFixture {
    // ---- deployment ----

    function test_constructorRolesAndViews() public view {
        assertEq(pool.ION(), keccak256("ION"), "ION");
        assertEq(pool.PAUSE_ROLE(), keccak256("PAUSE_ROLE"), "PAUSE_ROLE");
        assertEq(pool.GEM_JOIN_ROLE(), keccak256("GEM_JOIN_ROLE"), "GEM_JOIN_ROLE");
        assertEq(pool.LIQUIDATOR_ROLE(), keccak256("LIQUIDATOR_ROLE"), "LIQUIDATOR_ROLE");
        assertTrue(pool.hasRole(pool.DEFAULT_ADMIN_ROLE(), admin), "admin");
        assertTrue(pool.hasRole(pool.ION(), admin), "ion");
        assertTrue(pool.hasRole(pool.PAUSE_ROLE(), admin), "pause");
        assertEq(pool.underlying(), address(base), "underlying");
        assertEq(pool.treasury(), treasury, "treasury");
        assertEq(uint256(pool.decimals()), 18, "decimals");
        assertEq(pool.supplyFactor(), RAY, "sf");
        assertEq(pool.rate(0), RAY, "rate");
        assertEq(pool.getIlkAddress(0), address(lrt), "ilk");
        assertEq(uint256(lens.getIlkIndex(address(pool), address(lrt))), 0, "index");
        assertEq(lens.ilkCount(address(pool)), 1, "count");
        assertEq(pool.implementation(), address(pool), "impl");
        assertEq(lens.interestRateModule(address(pool)), address(irm), "irm");
        assertEq(lens.whitelist(address(pool)), address(wl), "wl");
    }

    function test_initializeIlkErrors() public {
        vm.expectRevert(abi.encodeWithSelector(IIonPool.IlkAlreadyAdded.selector, address(lrt)));
        pool.initializeIlk(address(lrt));
        vm.expectRevert(IIonPool.InvalidIlkAddress.selector);
        pool.initializeIlk(address(0));
        for (uint160 i = 1; i < 256; ++i) {
            pool.initializeIlk(address(i));
        }
        assertEq(lens.ilkCount(address(pool)), 256, "count");
        vm.expectRevert(IIonPool.MaxIlksReached.selector);
        pool.initializeIlk(address(0xdead));
    }

    function test_extsloadReadsStorage() public {
        _supply(lender, 10 * WAD);
        // the ledger sits in one ERC-7201 namespace (IonPoolLayout), which IonLens reads
        bytes32 slot = bytes32(IonPoolLayout.field(IonPoolLayout.SUPPLY_CAP));
        assertEq(uint256(pool.extsload(slot)), 100_000 * WAD, "supply cap slot");
        bytes32 root = keccak256(abi.encode(uint256(keccak256("ion.reference.IonPool")) - 1)) & ~bytes32(uint256(0xff));
        assertEq(IonPoolLayout.ROOT, root, "ERC-7201 root");
    }

    // ---- lender token ----

    function test_supplyAndWithdrawAtUnitFactor() public {
        _supply(lender, 10 * WAD);
        assertEq(pool.balanceOf(lender), 10 * WAD, "balance");
        assertEq(pool.totalSupply(), 10 * WAD, "supply");
        assertEq(base.balanceOf(address(pool)), 10 * WAD, "pool funds");
        assertEq(lens.liquidity(address(pool)), 10 * WAD, "liquidity");
        vm.prank(lender);
        pool.withdraw(lender, 4 * WAD);
        assertEq(pool.balanceOf(lender), 6 * WAD, "after withdraw");
        assertEq(base.balanceOf(lender), 4 * WAD, "received");
    }

    function test_supplyRoundsDownAndWithdrawRoundsUp() public {
        _supply(lender, 100 * WAD);
        _openVault(borrower, 100 * WAD, 50 * WAD);
        vm.warp(block.timestamp + 37 days + 13);
        pool.accrueInterest();
        uint256 sf = pool.supplyFactor();
        assertTrue(sf > RAY && sf % RAY != 0, "factor moved");

        address other = address(0x0E);
        uint256 amount = 3 * WAD + 7;
        uint256 before = pool.normalizedBalanceOf(other);
        _supply(other, amount);
        assertEq(pool.normalizedBalanceOf(other) - before, amount * RAY / sf, "mint rayDivDown");

        uint256 normBefore = pool.normalizedBalanceOf(lender);
        uint256 w = 1 * WAD + 3;
        vm.prank(lender);
        pool.withdraw(lender, w);
        assertEq(normBefore - pool.normalizedBalanceOf(lender), _ceilDiv(w * RAY, sf), "burn rayDivUp");
    }

    function test_supplyAndWithdrawZeroRevert() public {
        base.mint(lender, 1);
        vm.startPrank(lender);
        base.approve(address(pool), 1);
        vm.expectRevert(IIonPool.InvalidMintAmount.selector);
        pool.supply(lender, 0, noProof);
        vm.expectRevert(IIonPool.InvalidBurnAmount.selector);
        pool.withdraw(lender, 0);
        vm.stopPrank();
    }

    function test_withdrawMoreThanBalance() public {
        _supply(lender, 5 * WAD);
        _supply(stranger, 5 * WAD); // liquidity enough: the lender's own balance is what is short
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(IIonPool.InsufficientBalance.selector, lender, 5 * WAD, 6 * WAD));
        pool.withdraw(lender, 6 * WAD);
    }

    /// Beyond the pool's liquidity the public pool panics (0x11) before looking at the balance.
    function test_withdrawBeyondLiquidityPanics() public {
        _supply(lender, 5 * WAD);
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x11));
        pool.withdraw(lender, 6 * WAD);
        _openVault(borrower, 10 * WAD, 4 * WAD); // lends 4 of the 5
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x11));
        pool.withdraw(lender, 2 * WAD);
        assertEq(lens.liquidity(address(pool)), 1 * WAD, "liquidity");
    }

    /// The base asset moves first, then the lender token, then the pool's event (appendix F).
    function test_eventOrderOnSupplyAndWithdraw() public {
        base.mint(lender, 2 * WAD);
        vm.startPrank(lender);
        base.approve(address(pool), 2 * WAD);
        MockVmLogs(address(vm)).recordLogs();
        pool.supply(lender, 2 * WAD, noProof);
        _assertOrder(address(base), address(pool), IIonPool.Supply.selector);
        MockVmLogs(address(vm)).recordLogs();
        pool.withdraw(lender, 1 * WAD);
        _assertOrder(address(base), address(pool), IIonPool.Withdraw.selector);
        vm.stopPrank();
    }

    function test_eventOrderOnBorrowAndRepay() public {
        _supply(lender, 100 * WAD);
        _joinAndDeposit(borrower, 10 * WAD);
        vm.startPrank(borrower);
        MockVmLogs(address(vm)).recordLogs();
        pool.borrow(0, borrower, borrower, 4 * WAD, noProof);
        _assertPoolEventAfterTransfer(IIonPool.Borrow.selector);
        base.approve(address(pool), 4 * WAD);
        MockVmLogs(address(vm)).recordLogs();
        pool.repay(0, borrower, borrower, 4 * WAD);
        _assertPoolEventAfterTransfer(IIonPool.Repay.selector);
        vm.stopPrank();
    }

    bytes32 internal constant TRANSFER = keccak256("Transfer(address,address,uint256)");

    /// Logs: the base token's Transfer, then the lender token's Transfer, then `poolEvent`.
    function _assertOrder(address token, address lenderToken, bytes32 poolEvent) internal {
        MockVmLogs.Log[] memory logs = MockVmLogs(address(vm)).getRecordedLogs();
        assertEq(logs.length, 3, "three logs");
        assertTrue(logs[0].emitter == token && logs[0].topics[0] == TRANSFER, "base asset first");
        assertTrue(logs[1].emitter == lenderToken && logs[1].topics[0] == TRANSFER, "lender token second");
        assertTrue(logs[2].emitter == address(pool) && logs[2].topics[0] == poolEvent, "pool event last");
    }

    function _assertPoolEventAfterTransfer(bytes32 poolEvent) internal {
        MockVmLogs.Log[] memory logs = MockVmLogs(address(vm)).getRecordedLogs();
        uint256 n = logs.length;
        assertTrue(logs[n - 1].emitter == address(pool) && logs[n - 1].topics[0] == poolEvent, "pool event last");
        assertTrue(logs[n - 2].emitter == address(base) && logs[n - 2].topics[0] == TRANSFER, "base transfer before");
    }

    function test_supplyCap() public {
        pool.updateSupplyCap(0);
        base.mint(lender, 2 * WAD);
        vm.startPrank(lender);
        base.approve(address(pool), 2 * WAD);
        vm.expectRevert(abi.encodeWithSelector(IIonPool.DepositSurpassesSupplyCap.selector, 1 * WAD, 0));
        pool.supply(lender, 1 * WAD, noProof);
        vm.stopPrank();

        pool.updateSupplyCap(1 * WAD);
        vm.startPrank(lender);
        pool.supply(lender, 1 * WAD, noProof); // exactly at the cap is fine
        vm.expectRevert(abi.encodeWithSelector(IIonPool.DepositSurpassesSupplyCap.selector, 1, 1 * WAD));
        pool.supply(lender, 1, noProof);
        vm.stopPrank();
    }

    function test_supplyEmitsEvent() public {
        base.mint(stranger, 2 * WAD);
        vm.startPrank(stranger);
        base.approve(address(pool), 2 * WAD);
        vm.expectEmit(true, true, false, true);
        emit IIonPool.Supply(lender, stranger, 2 * WAD, RAY, 0);
        pool.supply(lender, 2 * WAD, noProof); // stranger pays, lender is credited
        vm.stopPrank();
        assertEq(pool.balanceOf(lender), 2 * WAD, "credited");
    }

    function test_transferMovesRayDivUp() public {
        _supply(lender, 100 * WAD);
        _openVault(borrower, 100 * WAD, 50 * WAD);
        vm.warp(block.timestamp + 100 days + 1);
        uint256 sf = pool.supplyFactor(); // view includes the pending accrual
        uint256 amount = 10 * WAD + 1;
        uint256 before = pool.normalizedBalanceOf(lender);
        vm.prank(lender);
        assertTrue(pool.transfer(stranger, amount), "transfer");
        uint256 moved = _ceilDiv(amount * RAY, sf);
        assertEq(before - pool.normalizedBalanceOf(lender), moved, "from");
        assertEq(pool.normalizedBalanceOf(stranger), moved, "to");
        assertGe(pool.balanceOf(stranger), amount, "receiver gets at least amount");
    }

    function test_transferErrors() public {
        _supply(lender, 5 * WAD);
        vm.startPrank(lender);
        vm.expectRevert(abi.encodeWithSelector(IIonPool.InvalidReceiver.selector, address(0)));
        pool.transfer(address(0), 1);
        vm.expectRevert(abi.encodeWithSelector(IIonPool.InvalidReceiver.selector, address(pool)));
        pool.transfer(address(pool), 1);
        vm.expectRevert(abi.encodeWithSelector(IIonPool.SelfTransfer.selector, lender));
        pool.transfer(lender, 1);
        vm.expectRevert(abi.encodeWithSelector(IIonPool.InsufficientBalance.selector, lender, 5 * WAD, 5 * WAD + 1));
        pool.transfer(stranger, 5 * WAD + 1);
        vm.stopPrank();
    }

    function test_transferFromSpendsAllowance() public {
        _supply(lender, 5 * WAD);
        vm.prank(lender);
        pool.approve(stranger, 2 * WAD);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(LenderToken.ERC20InsufficientAllowance.selector, stranger, 2 * WAD, 3 * WAD));
        pool.transferFrom(lender, stranger, 3 * WAD);
        vm.prank(stranger);
        pool.transferFrom(lender, stranger, 2 * WAD);
        assertEq(pool.allowance(lender, stranger), 0, "spent");
        assertEq(pool.balanceOf(stranger), 2 * WAD, "moved");
    }

    function test_permit() public {
        uint256 pk = 0xA11CE;
        address owner = vm.addr(pk);
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                owner,
                stranger,
                7 * WAD,
                0,
                deadline
            )
        );
        // the pool publishes no DOMAIN_SEPARATOR(): EIP-712's domain, built here from its definition
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256(bytes(pool.name())),
                keccak256("1"),
                block.chainid,
                address(pool)
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", domain, structHash));
        (uint8 v, bytes32 r, bytes32 s) = vmx.sign(pk, digest);
        pool.permit(owner, stranger, 7 * WAD, deadline, v, r, s);
        assertEq(pool.allowance(owner, stranger), 7 * WAD, "allowance");
        assertEq(pool.nonces(owner), 1, "nonce");
        vm.expectRevert(); // replay: nonce moved on, the signer no longer matches
        pool.permit(owner, stranger, 7 * WAD, deadline, v, r, s);
    }

    // ---- vault sequences ----

    function test_openAndCloseSequence() public {
        _supply(lender, 100 * WAD);
        _joinAndDeposit(borrower, 10 * WAD);
        assertEq(pool.collateral(0, borrower), 10 * WAD, "collateral");
        assertEq(lens.gem(address(pool), 0, borrower), 0, "gem used");
        assertEq(gemJoin.totalGem(), 10 * WAD, "joined");

        vm.prank(borrower);
        pool.borrow(0, borrower, borrower, 5 * WAD, noProof);
        assertEq(base.balanceOf(borrower), 5 * WAD, "borrowed at rate 1");
        assertEq(lens.debt(address(pool)), 5 * WAD * RAY, "pool debt");
        assertEq(lens.totalNormalizedDebt(address(pool), 0), 5 * WAD, "ilk debt");

        vm.warp(block.timestamp + 30 days);
        uint256 rate = pool.rate(0);
        uint256 owed = _ceilDiv(5 * WAD * rate, RAY);
        base.mint(borrower, owed);
        vm.startPrank(borrower);
        base.approve(address(pool), owed);
        pool.repay(0, borrower, borrower, 5 * WAD);
        assertEq(base.balanceOf(borrower), 5 * WAD + owed - owed, "paid exactly ceil");
        pool.withdrawCollateral(0, borrower, borrower, 10 * WAD);
        assertEq(lens.gem(address(pool), 0, borrower), 10 * WAD, "gem back");
        gemJoin.exit(borrower, 10 * WAD);
        vm.stopPrank();
        assertEq(lrt.balanceOf(borrower), 10 * WAD, "lrt back");
        (uint256 c, uint256 nd) = pool.vault(0, borrower);
        assertEq(c + nd, 0, "empty vault");
        assertEq(lens.debt(address(pool)), 0, "no debt");
    }

    function test_borrowSendsFloorRepayPullsCeil() public {
        _supply(lender, 1000 * WAD);
        _openVault(borrower, 100 * WAD, 10 * WAD);
        vm.warp(block.timestamp + 13 days + 7);
        uint256 rate = pool.rate(0);
        assertTrue((3 * WAD + 1) * rate % RAY != 0, "inexact product");

        uint256 balBefore = base.balanceOf(borrower);
        vm.prank(borrower);
        pool.borrow(0, borrower, borrower, 3 * WAD + 1, noProof);
        assertEq(base.balanceOf(borrower) - balBefore, (3 * WAD + 1) * rate / RAY, "floor");

        base.mint(stranger, 100 * WAD);
        vm.prank(stranger);
        base.approve(address(pool), type(uint256).max);
        vm.prank(stranger);
        pool.addOperator(borrower);
        uint256 strangerBefore = base.balanceOf(stranger);
        vm.prank(borrower);
        pool.repay(0, borrower, stranger, 2 * WAD + 1);
        assertEq(strangerBefore - base.balanceOf(stranger), _ceilDiv((2 * WAD + 1) * rate, RAY), "ceil");
    }

    function test_borrowAndRepayEvents() public {
        _supply(lender, 100 * WAD);
        _joinAndDeposit(borrower, 10 * WAD);
        vm.expectEmit(true, true, true, true);
        emit IIonPool.Borrow(0, borrower, stranger, 2 * WAD, RAY, 2 * WAD * RAY);
        vm.prank(borrower);
        pool.borrow(0, borrower, stranger, 2 * WAD, noProof);
        assertEq(base.balanceOf(stranger), 2 * WAD, "recipient");

        base.mint(borrower, 1 * WAD);
        vm.startPrank(borrower);
        base.approve(address(pool), 1 * WAD);
        vm.expectEmit(true, true, true, true);
        emit IIonPool.Repay(0, borrower, borrower, 1 * WAD, RAY, 1 * WAD * RAY);
        pool.repay(0, borrower, borrower, 1 * WAD);
        vm.expectEmit(true, true, true, true);
        emit IIonPool.WithdrawCollateral(0, borrower, stranger, 1 * WAD);
        pool.withdrawCollateral(0, borrower, stranger, 1 * WAD);
        vm.stopPrank();
        assertEq(lens.gem(address(pool), 0, stranger), 1 * WAD, "recipient gem");
    }

    function test_operatorActsForUser() public {
        _supply(lender, 100 * WAD);
        _joinAndDeposit(borrower, 10 * WAD);
        vm.expectEmit(true, true, false, false);
        emit IIonPool.AddOperator(borrower, stranger);
        vm.prank(borrower);
        pool.addOperator(stranger);
        assertTrue(pool.isAllowed(borrower, stranger) && lens.isOperator(address(pool), borrower, stranger), "operator");
        vm.prank(stranger);
        pool.borrow(0, borrower, stranger, 2 * WAD, noProof);
        assertEq(base.balanceOf(stranger), 2 * WAD, "operator received");
        vm.prank(borrower);
        pool.removeOperator(stranger);
        assertTrue(!pool.isAllowed(borrower, stranger), "removed");
    }

    function test_transferGem() public {
        lrt.mint(borrower, 3 * WAD);
        vm.startPrank(borrower);
        lrt.approve(address(gemJoin), 3 * WAD);
        gemJoin.join(borrower, 3 * WAD);
        vm.stopPrank();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IIonPool.GemTransferWithoutConsent.selector, uint8(0), borrower, stranger)
        );
        pool.transferGem(0, borrower, stranger, 1 * WAD);
        vm.prank(borrower);
        pool.transferGem(0, borrower, stranger, 1 * WAD);
        assertEq(lens.gem(address(pool), 0, stranger), 1 * WAD, "moved");
        vm.prank(borrower);
        vm.expectRevert(IIonPool.ArithmeticError.selector);
        pool.transferGem(0, borrower, stranger, 3 * WAD);
    }
}
