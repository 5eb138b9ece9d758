// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IUniswapV3PoolLike, IUniswapV3SwapCallback} from "../interfaces/IStandIns.sol";
import {IonHandlerBase} from "./IonHandlerBase.sol";

/// @title UniswapFlashswapDirectMintHandler
/// @notice Leverage for LRT markets whose base asset is wstETH, in one transaction:
/// 1. exact-output flash swap of WETH out of the Uniswap wstETH/WETH pool (wstETH owed later),
/// 2. in the callback: WETH -> ETH -> the LRT, minted at the LRT protocol's own deposit contract,
/// 3. deposit the minted LRT plus the user's initial deposit into the user's vault,
/// 4. borrow the wstETH owed to the pool against it and pay the pool.
/// The new debt is what the swap costs; `maxResultingDebt` bounds it (the slippage bound).
/// @dev Subclasses say how to mint the LRT from ETH and how much ETH an exact amount needs.
abstract contract UniswapFlashswapDirectMintHandler is IonHandlerBase, IUniswapV3SwapCallback {
    using SafeERC20 for IERC20;

    /// Uniswap's price-limit extremes plus/minus one: "no limit" in either direction.
    uint160 internal constant MIN_SQRT_RATIO_PLUS_ONE = 4295128740;
    uint160 internal constant MAX_SQRT_RATIO_MINUS_ONE = 1461446703485210103287273052203988822378723970341;

    error CallbackOnlyCallableByPool(address unauthorizedCaller);
    error OutputAmountNotReceived(uint256 amountReceived, uint256 amountRequired);
    error InvalidUniswapPool();
    error InvalidZeroLiquidityRegionSwap();
    error NoAmountInFound();

    // Internal: the public handlers publish no getter for these (only the IonHandlerBase ones).
    IUniswapV3PoolLike internal immutable UNISWAP_POOL;
    /// True when WETH is the pool's token0 (then wstETH -> WETH is oneForZero).
    bool internal immutable WETH_IS_TOKEN0;

    struct FlashswapData {
        address user;
        uint256 initialDeposit;
        uint256 amountToMint;
        uint256 maxResultingDebt;
    }

    constructor(address pool, address gemJoin, address whitelist, address uniswapPool, address wstEth, address weth)
        IonHandlerBase(pool, gemJoin, whitelist, weth)
    {
        UNISWAP_POOL = IUniswapV3PoolLike(uniswapPool);
        address token0 = UNISWAP_POOL.token0();
        address token1 = UNISWAP_POOL.token1();
        if (token0 == weth && token1 == wstEth) WETH_IS_TOKEN0 = true;
        else if (!(token0 == wstEth && token1 == weth)) revert InvalidUniswapPool();
        // The borrowed base asset pays the swap: the market must lend wstETH.
        if (address(BASE) != wstEth) revert InvalidUniswapPool();
    }

    /// @param initialDeposit collateral the caller brings (pulled from them)
    /// @param resultingAdditionalCollateral total collateral added to the vault, including
    ///        initialDeposit (a few wei more when the mint rounds in the user's favour)
    /// @param maxResultingDebt cap on the wstETH borrowed to pay for the swap
    function flashswapAndMint(
        uint256 initialDeposit,
        uint256 resultingAdditionalCollateral,
        uint256 maxResultingDebt,
        uint256 deadline,
        bytes32[] calldata proof
    ) external checkDeadline(deadline) onlyWhitelistedBorrowers(proof) {
        LST_TOKEN.safeTransferFrom(msg.sender, address(this), initialDeposit);
        uint256 amountToMint = resultingAdditionalCollateral - initialDeposit;
        if (amountToMint == 0) {
            _depositCollateral(msg.sender, initialDeposit);
            return;
        }

        _flashswapWeth(
            _ethNeededForCollateral(amountToMint),
            FlashswapData(msg.sender, initialDeposit, amountToMint, maxResultingDebt)
        );
    }

    /// Exact-output swap of `ethNeeded` WETH, paid in wstETH from the callback.
    function _flashswapWeth(uint256 ethNeeded, FlashswapData memory d) private {
        // wstETH in, WETH out: zeroForOne when wstETH is token0.
        bool zeroForOne = !WETH_IS_TOKEN0;
        UNISWAP_POOL.swap(
            address(this),
            zeroForOne,
            -int256(ethNeeded),
            zeroForOne ? MIN_SQRT_RATIO_PLUS_ONE : MAX_SQRT_RATIO_MINUS_ONE,
            abi.encode(d)
        );
    }

    /// The pool sent the WETH already; mint, deposit, borrow what the pool is owed and pay it.
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata data) external {
        if (msg.sender != address(UNISWAP_POOL)) revert CallbackOnlyCallableByPool(msg.sender);
        FlashswapData memory d = abi.decode(data, (FlashswapData));

        if (amount0Delta <= 0 && amount1Delta <= 0) revert InvalidZeroLiquidityRegionSwap();
        (int256 wethDelta, int256 wstEthDelta) = WETH_IS_TOKEN0 ? (amount0Delta, amount1Delta) : (amount1Delta, amount0Delta);
        if (wstEthDelta <= 0) revert NoAmountInFound();
        uint256 wethReceived = uint256(-wethDelta);
        uint256 amountToPay = uint256(wstEthDelta);
        if (amountToPay > d.maxResultingDebt) revert FlashloanRepaymentTooExpensive(amountToPay, d.maxResultingDebt);

        WETH.withdraw(wethReceived);
        uint256 minted = _mintCollateralWithEth(wethReceived);
        if (minted < d.amountToMint) revert OutputAmountNotReceived(minted, d.amountToMint);

        // Rounding of the mint can give a few wei more than asked: they go to the user too.
        _depositCollateral(d.user, d.initialDeposit + minted);
        uint256 borrowed = _borrowAtLeast(d.user, amountToPay);
        // borrowed exceeds amountToPay by at most a wei or two; the pool gets them rather than
        // leaving dust in the handler.
        BASE.safeTransfer(msg.sender, borrowed);
    }

    /// Mints the LRT with `ethAmount` ETH held by the handler; returns the LRT received.
    function _mintCollateralWithEth(uint256 ethAmount) internal virtual returns (uint256);

    /// ETH that mints at least `lrtAmount` of the LRT at the protocol's current rate.
    function _ethNeededForCollateral(uint256 lrtAmount) internal view virtual returns (uint256);

    /// ceil(a * b / d) for the subclasses' rate conversions.
    function _mulDivUp(uint256 a, uint256 b, uint256 d) internal pure returns (uint256) {
        uint256 product = a * b;
        return product / d + (product % d == 0 ? 0 : 1);
    }
}
