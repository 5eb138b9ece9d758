// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {TestBase} from "./utils/TestBase.sol";
import {ILiquidation} from "../../ion_cli/devnet/contracts/interfaces/IOracles.sol";
import {IonPool} from "../../ion_cli/devnet/contracts/IonPool.sol";
import {IonLens} from "../../ion_cli/devnet/contracts/IonLens.sol";
import {GemJoin} from "../../ion_cli/devnet/contracts/GemJoin.sol";
import {Whitelist} from "../../ion_cli/devnet/contracts/Whitelist.sol";
import {Liquidation} from "../../ion_cli/devnet/contracts/Liquidation.sol";
import {WadRayMath} from "../../ion_cli/devnet/contracts/math/WadRayMath.sol";

/// forge's log recorder (the cheatcode address of TestBase's vm).
interface LogRecorder {
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory);
}

contract MockERC20 is ERC20 {
    constructor(string memory n) ERC20(n, n) {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// Spot is only the pool's borrowing limit; the liquidation never reads it.
contract MockSpotOracle {
    uint256 public getSpot;

    function setSpot(uint256 s) external {
        getSpot = s;
    }
}

contract MockLiqReserveOracle {
    uint256 public currentExchangeRate;

    function set(uint256 r) external {
        currentExchangeRate = r;
    }
}

contract MockInterestRate {
    uint256 public borrowRate;

    function setBorrowRate(uint256 r) external {
        borrowRate = r;
    }

    function calculateInterestRate(uint256, uint256, uint256) external view returns (uint256, uint256) {
        return (borrowRate, 0);
    }
}

contract LiquidationTest is TestBase {
    using WadRayMath for uint256;

    event Liquidate(address indexed initiator, address indexed kpr, uint8 indexed ilkIndex, uint256 repay, uint256 gemOut);

    uint8 constant ILK = 0;
    // weETH market parameters
    uint256 constant LT = 0.83e27;
    uint256 constant TH = 1.1e27;
    uint256 constant BASE_DISCOUNT = 0.01e27;
    uint256 constant MAX_DISCOUNT = 0.2e27;

    address constant BORROWER = address(0xB0B);
    address constant KEEPER = address(0xCEE9);
    address constant KPR = address(0x6E3);
    address constant PROTOCOL = address(0x9047);
    address constant LENDER = address(0x1E4D);

    MockERC20 base;
    MockERC20 lrt;
    MockSpotOracle spot;
    MockLiqReserveOracle reserve;
    MockInterestRate irm;
    IonPool pool;
    IonLens lens = new IonLens();
    GemJoin gemJoin;
    Liquidation liq;
    bytes32[] proof;

    function setUp() public {
        vm.warp(1_700_000_000);
        base = new MockERC20("wstETH");
        lrt = new MockERC20("weETH");
        spot = new MockSpotOracle();
        reserve = new MockLiqReserveOracle();
        irm = new MockInterestRate();
        pool = new IonPool(address(base), address(0x7EA5), "Ion wstETH", "iwstETH", address(this), address(irm), address(new Whitelist(new bytes32[](0), bytes32(0))));
        pool.initializeIlk(address(lrt));
        pool.updateIlkSpot(ILK, address(spot));
        pool.updateIlkDebtCeiling(ILK, type(uint256).max);
        pool.updateIlkDust(ILK, 1e45);
        pool.updateSupplyCap(type(uint256).max);
        gemJoin = new GemJoin(address(pool), address(lrt), ILK, address(this));
        pool.grantRole(pool.GEM_JOIN_ROLE(), address(gemJoin));
        liq = new Liquidation(address(pool), PROTOCOL, address(reserve), LT, TH, BASE_DISCOUNT, MAX_DISCOUNT);
        pool.grantRole(pool.LIQUIDATOR_ROLE(), address(liq));

        spot.setSpot(0.95e27); // generous borrowing limit; health comes from the reserve rate
        reserve.set(1e18);

        base.mint(LENDER, 1_000_000e18);
        vm.startPrank(LENDER);
        base.approve(address(pool), type(uint256).max);
        pool.supply(LENDER, 1_000_000e18, proof);
        vm.stopPrank();

        base.mint(KEEPER, 1_000_000e18);
        vm.prank(KEEPER);
        base.approve(address(liq), type(uint256).max);
    }

    function _openVault(uint256 collateral, uint256 normalizedDebt) internal {
        lrt.mint(BORROWER, collateral);
        vm.startPrank(BORROWER);
        lrt.approve(address(gemJoin), collateral);
        gemJoin.join(BORROWER, collateral);
        pool.depositCollateral(ILK, BORROWER, BORROWER, collateral, proof);
        pool.borrow(ILK, BORROWER, BORROWER, normalizedDebt, proof);
        vm.stopPrank();
    }

    /// Health in RAY the way the contract computes it (floor), for post-liquidation checks.
    function _health(uint256 collateral, uint256 nd) internal view returns (uint256) {
        uint256 er = reserve.currentExchangeRate() * 1e9;
        return (collateral * er).rayMulDown(LT).rayDivDown(nd * pool.rate(ILK));
    }

    // ---- getters and guards ----

    function test_Getters() public view {
        assertEq(liq.LIQUIDATION_THRESHOLD(), LT, "LT");
        assertEq(liq.TARGET_HEALTH(), TH, "TH");
        assertEq(liq.BASE_DISCOUNT(), BASE_DISCOUNT, "base");
        assertEq(liq.MAX_DISCOUNT(), MAX_DISCOUNT, "max");
        assertEq(liq.RESERVE_ORACLE(), address(reserve), "reserve");
        assertEq(liq.PROTOCOL(), PROTOCOL, "protocol");
        assertEq(liq.POOL(), address(pool), "pool");
        assertEq(liq.UNDERLYING(), address(base), "underlying");
    }

    function test_SafeVaultRevertsWithHealth() public {
        _openVault(100e18, 80e18);
        // 100 * 1.0 * 0.83 / 80 = 1.0375
        vm.expectRevert(abi.encodeWithSelector(ILiquidation.VaultIsNotUnsafe.selector, uint256(1.0375e27)));
        liq.liquidate(ILK, BORROWER, KPR);
        vm.expectRevert(abi.encodeWithSelector(ILiquidation.VaultIsNotUnsafe.selector, uint256(1.0375e27)));
        liq.getRepayAmt(ILK, BORROWER);

        // health exactly 1.0 is not liquidatable either: 80 * 1.0 * 0.83 / 66.4
        _openVaultFor(address(0xAB), 80e18, 66.4e18);
        vm.expectRevert(abi.encodeWithSelector(ILiquidation.VaultIsNotUnsafe.selector, uint256(1e27)));
        liq.liquidate(ILK, address(0xAB), KPR);
    }

    function test_DebtFreeVaultIsNotUnsafe() public {
        vm.expectRevert(abi.encodeWithSelector(ILiquidation.VaultIsNotUnsafe.selector, type(uint256).max));
        liq.liquidate(ILK, address(0xDEAD), KPR);
    }

    function test_ExchangeRateCannotBeZero() public {
        _openVault(100e18, 80e18);
        reserve.set(0);
        vm.expectRevert(ILiquidation.ExchangeRateCannotBeZero.selector);
        liq.liquidate(ILK, BORROWER, KPR);
        vm.expectRevert(ILiquidation.ExchangeRateCannotBeZero.selector);
        liq.getRepayAmt(ILK, BORROWER);
    }

    function _openVaultFor(address who, uint256 collateral, uint256 normalizedDebt) internal {
        lrt.mint(who, collateral);
        vm.startPrank(who);
        lrt.approve(address(gemJoin), collateral);
        gemJoin.join(who, collateral);
        pool.depositCollateral(ILK, who, who, collateral, proof);
        pool.borrow(ILK, who, who, normalizedDebt, proof);
        vm.stopPrank();
    }

    // ---- the three branches ----

    /// 100 collateral, 80 debt at rate 1, er 0.95: health 0.985625, discount 0.024375,
    /// price 0.92684375, repay (88 - 78.85) / (1.1 - 0.83 / 0.975625) = 36.708172706245181188
    /// (figures from an exact integer model of Appendix C's roundings).
    /// The public Liquidation emits no Approval of its own (appendix F): one standing approval
    /// of the pool at construction, so a liquidation's logs hold transfers and events only.
    function test_LiquidationEmitsNoApproval() public {
        _openVault(100e18, 80e18);
        reserve.set(0.95e18);
        LogRecorder(address(vm)).recordLogs();
        vm.prank(KEEPER);
        liq.liquidate(ILK, BORROWER, KPR);
        LogRecorder.Log[] memory logs = LogRecorder(address(vm)).getRecordedLogs();
        bytes32 approval = keccak256("Approval(address,address,uint256)");
        assertTrue(logs.length > 0, "logs recorded");
        for (uint256 i; i < logs.length; ++i) {
            assertTrue(logs[i].topics[0] != approval, "no Approval during a liquidation");
        }
    }

    function test_NormalBranch() public {
        _openVault(100e18, 80e18);
        reserve.set(0.95e18);
        uint256 expectedDart = 36_708172706245181188;
        uint256 expectedGemOut = 39_605567503956498802;

        assertEq(liq.getRepayAmt(ILK, BORROWER), expectedDart, "getRepayAmt (rate 1: base = normalized)");

        uint256 keeperBefore = base.balanceOf(KEEPER);
        uint256 poolBefore = base.balanceOf(address(pool));
        vm.expectEmit(true, true, true, true);
        emit Liquidate(KEEPER, KPR, ILK, expectedDart, expectedGemOut);
        vm.prank(KEEPER);
        (uint256 repayAmount, uint256 gemOut) = liq.liquidate(ILK, BORROWER, KPR);

        assertEq(repayAmount, expectedDart, "repayAmount");
        assertEq(gemOut, expectedGemOut, "gemOut");
        assertEq(keeperBefore - base.balanceOf(KEEPER), expectedDart, "keeper paid");
        assertEq(base.balanceOf(address(pool)) - poolBefore, expectedDart, "pool received");
        assertEq(base.balanceOf(address(liq)), 0, "nothing stuck in Liquidation");
        (uint256 c, uint256 nd) = pool.vault(ILK, BORROWER);
        assertEq(c, 100e18 - expectedGemOut, "collateral left");
        assertEq(nd, 80e18 - expectedDart, "debt left");
        assertEq(lens.gem(address(pool), ILK, KPR), expectedGemOut, "kpr gem");
        assertGe(_health(c, nd), TH, "back at target health");
        assertApproxEq(_health(c, nd), TH, 1e10, "not much beyond target");

        // kpr can take the collateral out through GemJoin
        vm.prank(KPR);
        gemJoin.exit(KPR, gemOut);
        assertEq(lrt.balanceOf(KPR), gemOut, "exited");
    }

    /// With interest the repay formula must use the accrued rate and pay ceil(dart * rate / RAY).
    function test_NormalBranchWithInterest() public {
        _openVault(100e18, 80e18);
        irm.setBorrowRate(1_796_798_806_700_000_000); // 5.67% APR
        vm.warp(block.timestamp + 365 days);
        uint256 rate = pool.rate(ILK);
        assertGe(rate, 1.05e27, "interest accrued");
        reserve.set(1.02e18); // 100 * 1.02 * 0.83 = 84.66 < 80 * 1.058
        uint256 expected = _expectedNormal(100e18, 80e18, rate, 1.02e18);
        assertEq(liq.getRepayAmt(ILK, BORROWER), expected, "getRepayAmt");

        uint256 keeperBefore = base.balanceOf(KEEPER);
        vm.prank(KEEPER);
        (uint256 repayAmount,) = liq.liquidate(ILK, BORROWER, KPR);
        assertEq(repayAmount, expected, "repayAmount");
        assertEq(keeperBefore - base.balanceOf(KEEPER), expected, "keeper paid");
        assertEq(base.balanceOf(address(liq)), 0, "nothing stuck");
        (uint256 c, uint256 nd) = pool.vault(ILK, BORROWER);
        assertGe(_health(c, nd), TH, "target health");
    }

    /// The Appendix C formula, written out independently of the contract.
    function _expectedNormal(uint256 c, uint256 nd, uint256 rate, uint256 erWad) internal pure returns (uint256) {
        uint256 er = erWad * 1e9;
        uint256 cv = (c * er).rayMulDown(LT);
        uint256 dv = nd * rate;
        uint256 h = cv.rayDivDown(dv);
        uint256 d = BASE_DISCOUNT + RAY - h;
        if (d > MAX_DISCOUNT) d = MAX_DISCOUNT;
        uint256 repay = (dv.rayMulUp(TH) - cv).rayDivUp(TH - LT.rayDivUp(RAY - d));
        uint256 dart = (repay + rate - 1) / rate;
        return (dart * rate + RAY - 1) / RAY;
    }

    /// Same vault as the normal branch but dust 75: 80 - 36.7 < 75, so the whole debt goes:
    /// gemOut = 80 / 0.92684375 (floor).
    function test_DustBranch() public {
        _openVault(100e18, 80e18);
        pool.updateIlkDust(ILK, 75e45);
        reserve.set(0.95e18);
        uint256 expectedGemOut = 86_314440810546545736;
        assertEq(liq.getRepayAmt(ILK, BORROWER), 80e18, "whole debt");

        vm.expectEmit(true, true, true, true);
        emit Liquidate(KEEPER, KPR, ILK, 80e18, expectedGemOut);
        vm.prank(KEEPER);
        (uint256 repayAmount, uint256 gemOut) = liq.liquidate(ILK, BORROWER, KPR);
        assertEq(repayAmount, 80e18, "repayAmount");
        assertEq(gemOut, expectedGemOut, "gemOut");
        (uint256 c, uint256 nd) = pool.vault(ILK, BORROWER);
        assertEq(nd, 0, "no debt left");
        assertEq(c, 100e18 - expectedGemOut, "rest of the collateral stays with the borrower");
        assertEq(lens.gem(address(pool), ILK, KPR), expectedGemOut, "kpr gem");
    }

    /// er 0.5: health 0.51875, discount capped at 0.2, repay (88 - 41.5) / (1.1 - 1.0375) = 744 > 80.
    function test_ConfiscationBranch() public {
        _openVault(100e18, 80e18);
        reserve.set(0.5e18);
        assertEq(liq.getRepayAmt(ILK, BORROWER), 0, "getRepayAmt 0 when confiscated");

        uint256 keeperBefore = base.balanceOf(KEEPER);
        vm.prank(KEEPER);
        (uint256 repayAmount, uint256 gemOut) = liq.liquidate(ILK, BORROWER, KPR);
        assertEq(repayAmount, 0, "repayAmount");
        assertEq(gemOut, 0, "gemOut");
        assertEq(base.balanceOf(KEEPER), keeperBefore, "keeper pays nothing");
        (uint256 c, uint256 nd) = pool.vault(ILK, BORROWER);
        assertEq(c, 0, "collateral taken");
        assertEq(nd, 0, "debt taken");
        assertEq(lens.gem(address(pool), ILK, PROTOCOL), 100e18, "protocol holds the collateral");
        assertEq(lens.unbackedDebt(address(pool), PROTOCOL), 80e45, "protocol holds the debt");
        assertEq(lens.gem(address(pool), ILK, KPR), 0, "kpr gets nothing");
    }

    /// LT 0.96, TH 1.2, max discount 0.2 (the ezETH market): at the max discount each unit repaid
    /// removes exactly TH units of collateral value, so no repay reaches the target: confiscate.
    function test_ConfiscationWhenTargetUnreachable() public {
        Liquidation ez = new Liquidation(address(pool), PROTOCOL, address(reserve), 0.96e27, 1.2e27, BASE_DISCOUNT, MAX_DISCOUNT);
        pool.grantRole(pool.LIQUIDATOR_ROLE(), address(ez));
        _openVault(100e18, 80e18);
        reserve.set(0.6e18); // health 100 * 0.6 * 0.96 / 80 = 0.72, discount capped at 0.2
        assertEq(ez.getRepayAmt(ILK, BORROWER), 0, "confiscation");
        ez.liquidate(ILK, BORROWER, KPR);
        assertEq(lens.gem(address(pool), ILK, PROTOCOL), 100e18, "protocol holds the collateral");
    }

    function test_LiquidationNeedsTheKeepersApproval() public {
        _openVault(100e18, 80e18);
        reserve.set(0.95e18);
        vm.prank(address(0xF00));
        vm.expectRevert();
        liq.liquidate(ILK, BORROWER, KPR);
    }

    // ---- fuzz ----

    /// The vault starts at a fuzzed health in [0.9, 1) (the reserve rate is set to land there), so
    /// most runs take the normal branch; the rest must be well-formed dust or confiscation cases.
    function testFuzz_NormalLiquidationRestoresTargetHealth(uint256 collateral, uint256 ltvBps, uint256 healthBps, uint256 dt)
        public
    {
        collateral = bound(collateral, 10e18, 10_000e18);
        ltvBps = bound(ltvBps, 5000, 9000); // borrowed 50%..90% of the collateral
        healthBps = bound(healthBps, 9000, 9999);
        dt = bound(dt, 0, 3 * 365 days);
        _openVault(collateral, collateral * ltvBps / 10_000);
        irm.setBorrowRate(3_967_964_580_300_000_000);
        vm.warp(block.timestamp + dt);
        (uint256 c0, uint256 nd0) = pool.vault(ILK, BORROWER);
        // er (WAD) = health * debt / (collateral * LT)
        reserve.set((nd0 * pool.rate(ILK)).mulDivDown(healthBps * 1e14, c0 * LT));
        vm.assume(_health(c0, nd0) < RAY && reserve.currentExchangeRate() != 0);

        uint256 owed = liq.getRepayAmt(ILK, BORROWER);
        uint256 keeperBefore = base.balanceOf(KEEPER);
        vm.prank(KEEPER);
        (uint256 repayAmount, uint256 gemOut) = liq.liquidate(ILK, BORROWER, KPR);
        assertEq(repayAmount, owed, "getRepayAmt matches");
        assertEq(keeperBefore - base.balanceOf(KEEPER), repayAmount, "keeper paid repayAmount");
        assertEq(base.balanceOf(address(liq)), 0, "nothing stuck");

        (uint256 c, uint256 nd) = pool.vault(ILK, BORROWER);
        if (repayAmount == 0) {
            assertEq(c + nd, 0, "confiscated");
            assertEq(lens.gem(address(pool), ILK, PROTOCOL), c0, "protocol took the collateral");
        } else {
            assertEq(c0 - c, gemOut, "collateral moved to kpr");
            assertEq(lens.gem(address(pool), ILK, KPR), gemOut, "kpr gem");
            // 1e9 RAY = 1e-18 of health: the roundings all favour the protocol but health itself
            // is floored twice
            if (nd != 0) assertGe(_health(c, nd) + 1e9, TH, "health back at the target (minus rounding)");
        }
    }
}
