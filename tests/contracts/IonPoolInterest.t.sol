// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IonPoolFixture} from "./IonPoolFixture.sol";
import {IIonPool} from "../../ion_cli/devnet/contracts/interfaces/IIonPool.sol";
import {InterestRate} from "../../ion_cli/devnet/contracts/InterestRate.sol";
import {IonPool} from "../../ion_cli/devnet/contracts/IonPool.sol";

/// Interest accrual, supply-factor growth, reserve share, liquidation hook, and fuzzed closes.
contract IonPoolInterestTest is IonPoolFixture {
    address internal liquidator = address(0x11D);

    function setUp() public override {
        super.setUp();
        pool.grantRole(pool.LIQUIDATOR_ROLE(), liquidator);
    }

    function test_accrualMatchesRpow() public {
        _supply(lender, 100 * WAD);
        _openVault(borrower, 100 * WAD, 60 * WAD);
        uint256 dt = 90 days + 17;
        vm.warp(block.timestamp + dt);

        // inputs the pool gives the module: ilk debt (RAD) and supply at the stored factor (WAD)
        (uint256 r,) = irm.calculateInterestRate(0, 60 * WAD * RAY, 100 * WAD);
        uint256 growth = _rpow(RAY + r, dt) - RAY;
        uint256 rateIncrease = _ceilDiv(RAY * growth, RAY); // rayMulUp(RAY, growth)
        uint256 expectedRate = RAY + rateIncrease;
        uint256 expectedFactor = RAY + (60 * WAD * rateIncrease) / (100 * WAD);

        // views include the pending accrual, the unaccrued ones do not
        assertEq(pool.rate(0), expectedRate, "rate view");
        assertEq(lens.rateUnaccrued(address(pool), 0), RAY, "rate unaccrued");
        assertEq(pool.supplyFactor(), expectedFactor, "factor view");
        assertEq(lens.debt(address(pool)), 60 * WAD * expectedRate, "debt view");
        assertEq(lens.debtUnaccrued(address(pool)), 60 * WAD * RAY, "debt unaccrued");
        assertEq(pool.balanceOf(lender), 100 * WAD * expectedFactor / RAY, "balance view");
        assertEq(pool.balanceOfUnaccrued(lender), 100 * WAD, "balance unaccrued");

        // The public pool prices the current borrow rate at the stored totals (appendix F):
        // the module's answer for the unaccrued debt and supply, not the accrued ones.
        (uint256 borrowRate, uint256 reserveFactor) = pool.getCurrentBorrowRate(0);
        assertEq(borrowRate, RAY + r, "current borrow rate (stored totals)");
        (uint256 rAccrued,) = irm.calculateInterestRate(0, 60 * WAD * expectedRate, pool.totalSupply());
        assertTrue(rAccrued != r, "the accrued totals would price it differently");
        assertEq(reserveFactor, 0, "reserve factor");

        uint256 newDebt = pool.accrueInterest();
        assertEq(newDebt, 60 * WAD * expectedRate, "returned debt");
        assertEq(lens.rateUnaccrued(address(pool), 0), expectedRate, "stored rate");
        assertEq(lens.lastRateUpdate(address(pool), 0), block.timestamp, "clock");
        assertEq(pool.supplyFactor(), expectedFactor, "stored factor");
        // lenders are owed no more than borrowers owe
        assertLe(pool.totalSupply() - 100 * WAD, 60 * WAD * rateIncrease / RAY, "lenders <= borrowers");
    }

    /// The public pool's unaccrued views and the distribution the next accrual would make.
    function test_unaccruedViewsAndDistribution() public {
        _supply(lender, 100 * WAD);
        _openVault(borrower, 100 * WAD, 60 * WAD);
        uint256 dt = 90 days + 17;
        vm.warp(block.timestamp + dt);
        (uint256 r,) = irm.calculateInterestRate(0, 60 * WAD * RAY, 100 * WAD);
        uint256 rateIncrease = _ceilDiv(RAY * (_rpow(RAY + r, dt) - RAY), RAY);
        uint256 expectedFactor = RAY + (60 * WAD * rateIncrease) / (100 * WAD);
        assertEq(pool.supplyFactorUnaccrued(), RAY, "factor unaccrued");
        assertEq(pool.totalSupplyUnaccrued(), 100 * WAD, "supply unaccrued");
        assertEq(pool.normalizedTotalSupplyUnaccrued(), 100 * WAD, "normalized supply unaccrued");
        (uint256 sfIncrease,, uint104[] memory rateIncreases, uint256 debtIncrease, uint48[] memory dts) =
            pool.calculateRewardAndDebtDistribution();
        assertEq(sfIncrease, expectedFactor - RAY, "distribution: factor increase");
        assertEq(uint256(rateIncreases[0]), rateIncrease, "distribution: rate increase");
        assertEq(debtIncrease, 60 * WAD * rateIncrease, "distribution: debt increase");
        assertEq(uint256(dts[0]), dt, "distribution: elapsed");
        (uint104 rateIlk, uint48 dtIlk) = pool.calculateRewardAndDebtDistributionForIlk(0);
        assertEq(uint256(rateIlk), rateIncrease, "one ilk: rate");
        assertEq(uint256(dtIlk), dt, "one ilk: elapsed");
    }

    function test_accrualInTwoStepsCompounds() public {
        _supply(lender, 100 * WAD);
        _openVault(borrower, 100 * WAD, 30 * WAD);
        vm.warp(block.timestamp + 1 days);
        pool.accrueInterest();
        uint256 r1 = pool.rate(0);
        vm.warp(block.timestamp + 1 days);
        uint256 r2 = pool.rate(0);
        assertTrue(r2 - r1 > r1 - RAY, "second day costs more than the first");
    }

    function test_idleIlkDoesNotGrow() public {
        _supply(lender, 100 * WAD);
        vm.warp(block.timestamp + 365 days);
        assertEq(pool.rate(0), RAY, "no debt, no interest");
        assertEq(pool.supplyFactor(), RAY, "factor");
    }

    function test_reserveFactorMintsToTreasury() public {
        InterestRate reserveIrm = new InterestRate(MIN_BASE_RATE, RATE_AT_KINK, KINK, SLOPE_ABOVE_KINK, 0.1e27);
        pool.updateInterestRateModule(address(reserveIrm));
        _supply(lender, 100 * WAD);
        _openVault(borrower, 100 * WAD, 50 * WAD);
        vm.warp(block.timestamp + 365 days);
        pool.accrueInterest();
        uint256 newDebtWad = 50 * WAD * (pool.rate(0) - RAY) / RAY;
        assertApproxEq(pool.balanceOf(treasury), newDebtWad / 10, 10, "treasury share");
        assertApproxEq(pool.balanceOf(lender) - 100 * WAD, newDebtWad * 9 / 10, 10, "lender share");
    }

    function test_repayBadDebt() public {
        _supply(lender, 100 * WAD);
        _openVault(borrower, 10 * WAD, 5 * WAD);
        vm.prank(liquidator);
        pool.confiscateVault(0, borrower, stranger, address(0), -10 * int256(WAD), -5 * int256(WAD));
        assertEq(lens.unbackedDebt(address(pool), stranger), 5 * RAD, "bad debt booked");
        uint256 liquidityBefore = lens.liquidity(address(pool));
        base.mint(liquidator, 2 * WAD);
        vm.startPrank(liquidator);
        base.approve(address(pool), 2 * WAD);
        vm.expectEmit(true, true, false, true);
        emit IIonPool.RepayBadDebt(stranger, liquidator, 2 * RAD);
        pool.repayBadDebt(stranger, 2 * RAD);
        vm.stopPrank();
        assertEq(lens.unbackedDebt(address(pool), stranger), 3 * RAD, "bad debt left");
        assertEq(lens.totalUnbackedDebt(address(pool)), 3 * RAD, "total bad debt");
        assertEq(lens.debt(address(pool)), 3 * RAD, "owed to lenders");
        assertEq(lens.liquidity(address(pool)), liquidityBefore + 2 * WAD, "paid into the pool");
    }

    function test_confiscateVaultPaidByW() public {
        _supply(lender, 100 * WAD);
        _openVault(borrower, 10 * WAD, 5 * WAD);
        vm.warp(block.timestamp + 7 days);
        uint256 rate = pool.rate(0);
        uint256 pay = _ceilDiv(2 * WAD * rate, RAY);
        base.mint(liquidator, pay);
        vm.startPrank(liquidator);
        base.approve(address(pool), pay);
        vm.expectEmit(true, true, true, true);
        emit IIonPool.ConfiscateVault(0, borrower, stranger, liquidator, -3 * int256(WAD), -2 * int256(WAD));
        pool.confiscateVault(0, borrower, stranger, liquidator, -3 * int256(WAD), -2 * int256(WAD));
        vm.stopPrank();
        (uint256 c, uint256 nd) = pool.vault(0, borrower);
        assertEq(c, 7 * WAD, "collateral");
        assertEq(nd, 3 * WAD, "debt");
        assertEq(lens.gem(address(pool), 0, stranger), 3 * WAD, "keeper gem");
        assertEq(base.balanceOf(liquidator), 0, "paid ceil");
        assertEq(lens.debt(address(pool)), 3 * WAD * rate, "pool debt");
        assertEq(lens.totalUnbackedDebt(address(pool)), 0, "no bad debt");
    }

    function test_confiscateWholeVaultToProtocol() public {
        _supply(lender, 100 * WAD);
        _openVault(borrower, 10 * WAD, 5 * WAD);
        vm.warp(block.timestamp + 7 days);
        uint256 rate = pool.rate(0);
        address protocol = address(0x9807);
        vm.prank(liquidator);
        pool.confiscateVault(0, borrower, protocol, address(0), -10 * int256(WAD), -5 * int256(WAD));
        (uint256 c, uint256 nd) = pool.vault(0, borrower);
        assertEq(c + nd, 0, "vault emptied");
        assertEq(lens.gem(address(pool), 0, protocol), 10 * WAD, "protocol gem");
        assertEq(lens.unbackedDebt(address(pool), protocol), 5 * WAD * rate, "bad debt");
        assertEq(lens.totalUnbackedDebt(address(pool)), 5 * WAD * rate, "total bad debt");
        assertEq(lens.debt(address(pool)), 5 * WAD * rate, "still owed to lenders");
        assertEq(lens.totalNormalizedDebt(address(pool), 0), 0, "ilk debt");
        vm.prank(liquidator);
        vm.expectRevert(IIonPool.ArithmeticError.selector);
        pool.confiscateVault(0, borrower, protocol, address(0), 0, 1); // debt never grows
    }

    /// Repaying all normalized debt, however long after borrowing, leaves exactly zero debt.
    function testFuzz_repayAllLeavesZeroDebt(uint256 collateral, uint256 nd, uint256 dt) public {
        collateral = bound(collateral, 2 * WAD, 10_000 * WAD);
        nd = bound(nd, 1 * WAD, collateral * 8 / 10);
        dt = bound(dt, 0, 5 * 365 days);
        _supply(lender, 20_000 * WAD);
        _openVault(borrower, collateral, nd);
        vm.warp(block.timestamp + dt);

        uint256 owed = _ceilDiv(nd * pool.rate(0), RAY);
        base.mint(borrower, owed);
        uint256 before = base.balanceOf(borrower);
        vm.startPrank(borrower);
        base.approve(address(pool), owed);
        pool.repay(0, borrower, borrower, pool.normalizedDebt(0, borrower));
        vm.stopPrank();

        assertEq(before - base.balanceOf(borrower), owed, "paid ceil");
        assertEq(pool.normalizedDebt(0, borrower), 0, "vault debt");
        assertEq(lens.totalNormalizedDebt(address(pool), 0), 0, "ilk debt");
        assertEq(lens.debt(address(pool)), 0, "pool debt");
        // lenders can take everything back (interest included) from what the pool holds
        assertLe(pool.totalSupply(), base.balanceOf(address(pool)), "solvent");
    }

    /// Borrowing B via nd = floor(B * RAY / rate) never sends more than B.
    function testFuzz_borrowTargetAmount(uint256 target, uint256 dt) public {
        target = bound(target, 1 * WAD, 500 * WAD);
        dt = bound(dt, 1, 3 * 365 days);
        _supply(lender, 10_000 * WAD);
        _openVault(borrower, 2000 * WAD, 100 * WAD);
        vm.warp(block.timestamp + dt);
        uint256 nd = target * RAY / pool.rate(0);
        uint256 before = base.balanceOf(borrower);
        vm.prank(borrower);
        pool.borrow(0, borrower, borrower, nd, noProof);
        uint256 got = base.balanceOf(borrower) - before;
        assertLe(got, target, "never more");
        assertLe(target - got, pool.rate(0) / RAY + 1, "within one rate step");
    }
}
