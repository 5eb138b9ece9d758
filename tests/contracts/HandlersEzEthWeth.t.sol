// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {HandlersFixture} from "./HandlersFixture.sol";
import {IBalancerVaultLike} from "../../ion_cli/devnet/contracts/interfaces/IStandIns.sol";
import {IonPool} from "../../ion_cli/devnet/contracts/IonPool.sol";
import {GemJoin} from "../../ion_cli/devnet/contracts/GemJoin.sol";
import {EzEth} from "../../plugins/ion-ezeth/ion_adapter_ezeth/contracts/EzEth.sol";
import {DevBalancerVault} from "../../ion_cli/devnet/contracts/standins/DevBalancerVault.sol";
import {IonHandlerBase} from "../../ion_cli/devnet/contracts/handlers/IonHandlerBase.sol";
import {EzEthWethHandler} from "../../plugins/ion-ezeth/ion_adapter_ezeth/contracts/EzEthWethHandler.sol";
import {BalancerQuery} from "./utils/BalancerQuery.sol";
import {DevUniswapV3Pool} from "../../ion_cli/devnet/contracts/standins/DevUniswapV3Pool.sol";

/// The ezETH/WETH market: flash WETH from the Uniswap-style pool, swap through the
/// Balancer-style vault, end to end against the real IonPool.
contract HandlersEzEthWethTest is HandlersFixture {
    using BalancerQuery for DevBalancerVault;

    bytes32 internal constant POOL_ID = keccak256("ezETH/WETH");
    uint256 internal constant EZETH_PRICE = 1.01e18; // WETH per ezETH in the vault
    uint256 internal constant VAULT_FEE = 0.0004e18;

    EzEth internal ezEth;
    DevBalancerVault internal vault;
    IonPool internal pool;
    GemJoin internal join;
    EzEthWethHandler internal handler;

    function setUp() public override {
        super.setUp();
        ezEth = new EzEth(address(this));
        DevBalancerVault.PoolSpec[] memory specs = new DevBalancerVault.PoolSpec[](1);
        specs[0] = DevBalancerVault.PoolSpec(POOL_ID, address(ezEth), address(weth), EZETH_PRICE, VAULT_FEE);
        vault = new DevBalancerVault(specs);
        _fund(address(ezEth), address(vault), 5000 ether);
        _fund(address(weth), address(vault), 5000 ether);
        // LTV 0.93 at about 1.01 WETH per ezETH
        (pool, join) = _market(address(ezEth), address(weth), 0.93e27, 4);
        handler = new EzEthWethHandler(
            address(pool), address(join), address(wl), address(weth), address(ezEth), address(uniPool), address(vault), POOL_ID
        );
        wl.approveProtocolWhitelist(address(handler));
        _optIn(USER, pool, address(handler), address(ezEth));
        _fund(address(ezEth), USER, 10 ether);
    }

    function _buy(uint256 ezEthOut) internal returns (uint256 wethIn) {
        return vault.query(
            IBalancerVaultLike.SingleSwap(POOL_ID, IBalancerVaultLike.SwapKind.GIVEN_OUT, address(weth), address(ezEth), ezEthOut, "")
        );
    }

    function _sellFor(uint256 wethOut) internal returns (uint256 ezEthIn) {
        return vault.query(
            IBalancerVaultLike.SingleSwap(POOL_ID, IBalancerVaultLike.SwapKind.GIVEN_OUT, address(ezEth), address(weth), wethOut, "")
        );
    }

    /// New debt of leveraging by `amount`: the WETH the vault wants plus the flash fee.
    function _leverageCost(uint256 amount) internal returns (uint256) {
        uint256 wethIn = _buy(amount);
        return wethIn + _ceilDiv(wethIn * 100, 1e6);
    }

    function test_LeverageThenDeleverageAllToZeroDebt() public {
        uint256 cost = _leverageCost(20 ether);
        vm.prank(USER);
        handler.flashLeverageWethAndSwap(5 ether, 25 ether, cost, block.timestamp, noProof);

        (uint256 c, uint256 nd) = pool.vault(0, USER);
        assertEq(c, 25 ether, "resulting collateral");
        assertGe(_owed(nd, pool.rate(0)), cost, "debt covers the flash");
        assertLe(_owed(nd, pool.rate(0)), cost + 2, "and only rounding more");
        assertEq(ezEth.balanceOf(USER), 5 ether, "initial deposit pulled");
        assertEq(weth.balanceOf(USER), 0, "nothing borrowed to the user");
        _assertHandlerEmpty();

        vm.warp(block.timestamp + 90 days);
        uint256 debtNow = _owed(nd, pool.rate(0));
        uint256 collateralSold = _sellFor(debtNow + _ceilDiv(debtNow * 100, 1e6));
        vm.prank(USER);
        handler.flashDeleverageWethAndSwap(25 ether, type(uint256).max, block.timestamp);

        (c, nd) = pool.vault(0, USER);
        assertEq(nd, 0, "exactly zero debt");
        assertEq(c, 25 ether - collateralSold, "only what paid the flash was sold");
        _assertHandlerEmpty();

        // The rest comes out with a plain withdraw.
        vm.prank(USER);
        handler.repayAndWithdraw(0, c);
        assertEq(ezEth.balanceOf(USER), 5 ether + c, "collateral home");
    }

    function test_PartialDeleverage() public {
        vm.prank(USER);
        handler.flashLeverageWethAndSwap(5 ether, 25 ether, 30 ether, block.timestamp, noProof);
        vm.warp(block.timestamp + 7 days);
        uint256 rate = pool.rate(0);
        uint256 ndBefore = pool.normalizedDebt(0, USER);

        vm.prank(USER);
        handler.flashDeleverageWethAndSwap(11 ether, 10 ether, block.timestamp);
        uint256 repaidNd = uint256(10 ether) * RAY / rate;
        assertEq(pool.normalizedDebt(0, USER), ndBefore - repaidNd, "nd = floor(debt * RAY / rate) repaid");
        uint256 flashed = _owed(repaidNd, rate);
        assertEq(pool.collateral(0, USER), 25 ether - _sellFor(flashed + _ceilDiv(flashed * 100, 1e6)), "collateral sold");
        _assertHandlerEmpty();
    }

    /// The public handler's Balancer quote: what the vault wants for an exact ezETH amount.
    function test_SimulateGivenOutBalancerSwapIsTheVaultsQuote() public {
        IBalancerVaultLike.FundManagement memory funds =
            IBalancerVaultLike.FundManagement(address(handler), false, address(handler), false);
        uint256 quoted = handler.simulateGivenOutBalancerSwap(funds, address(weth), address(ezEth), 20 ether);
        assertEq(quoted, _buy(20 ether), "WETH in for 20 ezETH out");
        assertEq(address(handler.FLASHLOAN_POOL()), address(uniPool), "FLASHLOAN_POOL");
        assertEq(address(handler.MINT_ASSET()), address(weth), "MINT_ASSET");
    }

    function test_ConstructorRejectsAFlashPoolWithoutWeth() public {
        DevUniswapV3Pool noWeth = new DevUniswapV3Pool(address(ezEth), address(wstEth), 100, 1e18);
        vm.expectRevert(abi.encodeWithSelector(EzEthWethHandler.WethNotInPoolPair.selector, address(noWeth)));
        new EzEthWethHandler(
            address(pool), address(join), address(wl), address(weth), address(ezEth), address(noWeth), address(vault), POOL_ID
        );
    }

    function test_LeverageSlippageBound() public {
        uint256 cost = _leverageCost(20 ether);
        vm.prank(USER);
        vm.expectRevert(abi.encodeWithSelector(IonHandlerBase.FlashloanRepaymentTooExpensive.selector, cost, cost - 1));
        handler.flashLeverageWethAndSwap(5 ether, 25 ether, cost - 1, block.timestamp, noProof);
    }

    function test_DeleverageCollateralBound() public {
        vm.prank(USER);
        handler.flashLeverageWethAndSwap(5 ether, 25 ether, 30 ether, block.timestamp, noProof);
        uint256 debt = _owed(pool.normalizedDebt(0, USER), pool.rate(0));
        uint256 needed = _sellFor(debt + _ceilDiv(debt * 100, 1e6));
        vm.prank(USER);
        vm.expectRevert(abi.encodeWithSelector(IonHandlerBase.FlashloanRepaymentTooExpensive.selector, needed, needed - 1));
        handler.flashDeleverageWethAndSwap(needed - 1, type(uint256).max, block.timestamp);
    }

    function test_Deadlines() public {
        vm.startPrank(USER);
        vm.expectRevert(abi.encodeWithSelector(IonHandlerBase.TransactionDeadlineReached.selector, block.timestamp - 1));
        handler.flashLeverageWethAndSwap(5 ether, 25 ether, 30 ether, block.timestamp - 1, noProof);
        vm.expectRevert(abi.encodeWithSelector(IonHandlerBase.TransactionDeadlineReached.selector, block.timestamp - 1));
        handler.flashDeleverageWethAndSwap(25 ether, type(uint256).max, block.timestamp - 1);
        vm.stopPrank();
    }

    function test_RejectsEthSentWithLeverage() public {
        vm.deal(USER, 1 ether);
        vm.prank(USER);
        vm.expectRevert(IonHandlerBase.CannotSendEthToContract.selector);
        handler.flashLeverageWethAndSwap{value: 1}(5 ether, 25 ether, 30 ether, block.timestamp, noProof);
    }

    function test_FlashCallbackOnlyFromFlashPool() public {
        vm.prank(USER);
        vm.expectRevert(abi.encodeWithSelector(EzEthWethHandler.CallbackOnlyCallableByPool.selector, USER));
        handler.uniswapV3FlashCallback(0, 0, "");
    }

    function test_LeverageWithoutAdditionalCollateralOnlyDeposits() public {
        vm.prank(USER);
        handler.flashLeverageWethAndSwap(5 ether, 5 ether, 0, block.timestamp, noProof);
        (uint256 c, uint256 nd) = pool.vault(0, USER);
        assertEq(c, 5 ether, "deposited");
        assertEq(nd, 0, "no debt");
    }

    function test_DeleverageWithoutDebtDoesNothing() public {
        vm.prank(USER);
        handler.flashDeleverageWethAndSwap(25 ether, type(uint256).max, block.timestamp);
        assertEq(pool.normalizedDebt(0, USER), 0, "still none");
    }

    function _assertHandlerEmpty() internal view {
        assertEq(weth.balanceOf(address(handler)), 0, "handler WETH");
        assertEq(ezEth.balanceOf(address(handler)), 0, "handler ezETH");
        assertEq(lens.gem(address(pool), 0, address(handler)), 0, "handler gem");
        assertEq(address(handler).balance, 0, "handler ETH");
    }
}
