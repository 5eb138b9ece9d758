// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IBalancerVaultLike, IUniswapV3FlashCallback, IUniswapV3PoolLike} from "ion/interfaces/IStandIns.sol";
import {RAY} from "ion/math/WadRayMath.sol";
import {IonHandlerBase} from "ion/handlers/IonHandlerBase.sol";

/// @title EzEthWethHandler
/// @notice ezETH/WETH market leverage and deleverage in one transaction each: WETH flash-borrowed
/// from a Uniswap-style pool, swapped for or from ezETH through a Balancer-style pool (exact
/// output both ways), the flash repaid with newly borrowed WETH (leverage) or with WETH bought
/// by selling withdrawn collateral (deleverage).
contract EzEthWethHandler is IonHandlerBase, IUniswapV3FlashCallback {
    using SafeERC20 for IERC20;

    error CallbackOnlyCallableByPool(address unauthorizedCaller);
    error OutputAmountNotReceived(uint256 amountReceived, uint256 amountRequired);
    error ReceiveCallerNotPool(address unauthorizedCaller);
    error WethNotInPoolPair(address pool);
    error InvalidUniswapPool();

    IUniswapV3PoolLike public immutable FLASHLOAN_POOL;
    // Internal: the public handler publishes no getter for these.
    IERC20 internal immutable EZETH;
    IBalancerVaultLike internal immutable BALANCER_VAULT;
    bytes32 internal immutable BALANCER_POOL_ID;
    /// True when WETH is the flash pool's token0.
    bool internal immutable WETH_IS_TOKEN0;

    enum Action {
        Leverage,
        Deleverage
    }

    /// Leverage: a = initialDeposit, b = amountToLeverage, c = maxResultingAdditionalDebt.
    /// Deleverage: a = normalized debt to repay, b = unused, c = maxCollateralToRemove.
    struct FlashData {
        Action action;
        address user;
        uint256 wethFlashed;
        uint256 a;
        uint256 b;
        uint256 c;
    }

    constructor(
        address pool,
        address gemJoin,
        address whitelist,
        address weth,
        address ezEth,
        address uniswapFlashPool,
        address balancerVault,
        bytes32 balancerPoolId
    ) IonHandlerBase(pool, gemJoin, whitelist, weth) {
        EZETH = IERC20(ezEth);
        FLASHLOAN_POOL = IUniswapV3PoolLike(uniswapFlashPool);
        BALANCER_VAULT = IBalancerVaultLike(balancerVault);
        BALANCER_POOL_ID = balancerPoolId;
        if (FLASHLOAN_POOL.token0() == weth) WETH_IS_TOKEN0 = true;
        else if (FLASHLOAN_POOL.token1() != weth) revert WethNotInPoolPair(uniswapFlashPool);
        // Flash loans are repaid with borrowed base asset: the market must lend WETH.
        if (address(BASE) != weth) revert InvalidUniswapPool();
        IERC20(weth).forceApprove(balancerVault, type(uint256).max);
        EZETH.forceApprove(balancerVault, type(uint256).max);
    }

    /// @param initialDeposit ezETH the caller brings (pulled from them)
    /// @param resultingAdditionalCollateral total ezETH added to the vault, initialDeposit included
    /// @param maxResultingAdditionalDebt cap on the new WETH debt (swap cost plus flash fee)
    /// @dev payable as on mainnet, but it uses no ETH: any value sent reverts.
    function flashLeverageWethAndSwap(
        uint256 initialDeposit,
        uint256 resultingAdditionalCollateral,
        uint256 maxResultingAdditionalDebt,
        uint256 deadline,
        bytes32[] calldata proof
    ) external payable checkDeadline(deadline) onlyWhitelistedBorrowers(proof) {
        if (msg.value != 0) revert CannotSendEthToContract();
        LST_TOKEN.safeTransferFrom(msg.sender, address(this), initialDeposit);
        uint256 amountToLeverage = resultingAdditionalCollateral - initialDeposit;
        if (amountToLeverage == 0) {
            _depositCollateral(msg.sender, initialDeposit);
            return;
        }
        uint256 wethNeeded = simulateGivenOutBalancerSwap(_funds(), address(WETH), address(EZETH), amountToLeverage);
        _flash(FlashData(Action.Leverage, msg.sender, wethNeeded, initialDeposit, amountToLeverage, maxResultingAdditionalDebt));
    }

    /// @param maxCollateralToRemove cap on the ezETH sold to repay the flash loan (slippage bound)
    /// @param debtToRemove WETH debt to repay; type(uint256).max repays all of it, leaving 0
    function flashDeleverageWethAndSwap(uint256 maxCollateralToRemove, uint256 debtToRemove, uint256 deadline)
        external
        checkDeadline(deadline)
    {
        uint256 ilkRate = POOL.rate(ILK_INDEX);
        uint256 owed = POOL.normalizedDebt(ILK_INDEX, msg.sender);
        uint256 normalizedToRepay = debtToRemove == type(uint256).max ? owed : debtToRemove * RAY / ilkRate;
        if (normalizedToRepay > owed) normalizedToRepay = owed;
        if (normalizedToRepay == 0) return;
        // What the pool's repay pulls: ceil(nd * rate / RAY), at this block's rate.
        uint256 debt = normalizedToRepay * ilkRate;
        uint256 wethNeeded = debt / RAY + (debt % RAY == 0 ? 0 : 1);
        _flash(FlashData(Action.Deleverage, msg.sender, wethNeeded, normalizedToRepay, 0, maxCollateralToRemove));
    }

    function uniswapV3FlashCallback(uint256 fee0, uint256 fee1, bytes calldata data) external {
        if (msg.sender != address(FLASHLOAN_POOL)) revert CallbackOnlyCallableByPool(msg.sender);
        FlashData memory d = abi.decode(data, (FlashData));
        uint256 repayment = d.wethFlashed + (WETH_IS_TOKEN0 ? fee0 : fee1);
        if (d.action == Action.Leverage) _leverage(d, repayment);
        else _deleverage(d, repayment);
    }

    /// The `assetIn` the Balancer pool wants for exactly `amountOut` of `assetOut` (the vault's
    /// queryBatchSwap with one GIVEN_OUT step): the quote the leverage preview needs.
    function simulateGivenOutBalancerSwap(
        IBalancerVaultLike.FundManagement memory fundManagement,
        address assetIn,
        address assetOut,
        uint256 amountOut
    ) public returns (uint256) {
        IBalancerVaultLike.BatchSwapStep[] memory steps = new IBalancerVaultLike.BatchSwapStep[](1);
        steps[0] = IBalancerVaultLike.BatchSwapStep(BALANCER_POOL_ID, 0, 1, amountOut, "");
        address[] memory assets = new address[](2);
        (assets[0], assets[1]) = (assetIn, assetOut);
        int256[] memory deltas =
            BALANCER_VAULT.queryBatchSwap(IBalancerVaultLike.SwapKind.GIVEN_OUT, steps, assets, fundManagement);
        return uint256(deltas[0]);
    }

    // ---------------------------------------------------------------- internals

    function _flash(FlashData memory d) private {
        (uint256 amount0, uint256 amount1) = WETH_IS_TOKEN0 ? (d.wethFlashed, uint256(0)) : (uint256(0), d.wethFlashed);
        FLASHLOAN_POOL.flash(address(this), amount0, amount1, abi.encode(d));
    }

    /// Buys the ezETH with the flashed WETH, deposits it all, borrows the flash repayment.
    function _leverage(FlashData memory d, uint256 repayment) private {
        uint256 spent = BALANCER_VAULT.swap(
            _swapSpec(address(WETH), address(EZETH), d.b), _funds(), d.wethFlashed, block.timestamp
        );
        uint256 leftover = d.wethFlashed - spent;
        uint256 toBorrow = repayment - leftover;
        if (toBorrow > d.c) revert FlashloanRepaymentTooExpensive(toBorrow, d.c);

        _depositCollateral(d.user, d.a + d.b);
        uint256 borrowed = _borrowAtLeast(d.user, toBorrow);
        // leftover + borrowed >= repayment; a wei or two extra goes to the pool, not to dust here.
        BASE.safeTransfer(address(FLASHLOAN_POOL), leftover + borrowed);
    }

    /// Repays the debt with the flashed WETH, then sells just enough collateral to repay the flash.
    function _deleverage(FlashData memory d, uint256 repayment) private {
        POOL.repay(ILK_INDEX, d.user, address(this), d.a);
        IBalancerVaultLike.SingleSwap memory sell = _swapSpec(address(EZETH), address(WETH), repayment);
        uint256 collateralIn = simulateGivenOutBalancerSwap(_funds(), address(EZETH), address(WETH), repayment);
        if (collateralIn > d.c) revert FlashloanRepaymentTooExpensive(collateralIn, d.c);

        POOL.withdrawCollateral(ILK_INDEX, d.user, address(this), collateralIn);
        JOIN.exit(address(this), collateralIn);
        BALANCER_VAULT.swap(sell, _funds(), collateralIn, block.timestamp);
        BASE.safeTransfer(address(FLASHLOAN_POOL), repayment);
    }

    /// An exact-output single swap in the configured Balancer pool.
    function _swapSpec(address assetIn, address assetOut, uint256 amountOut)
        private
        view
        returns (IBalancerVaultLike.SingleSwap memory)
    {
        return IBalancerVaultLike.SingleSwap(
            BALANCER_POOL_ID, IBalancerVaultLike.SwapKind.GIVEN_OUT, assetIn, assetOut, amountOut, ""
        );
    }

    function _funds() private view returns (IBalancerVaultLike.FundManagement memory) {
        return IBalancerVaultLike.FundManagement(address(this), false, address(this), false);
    }
}
