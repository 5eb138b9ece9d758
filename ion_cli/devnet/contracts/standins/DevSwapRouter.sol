// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IUniswapV3PoolLike, IUniswapV3SwapCallback} from "../interfaces/IStandIns.sol";
import {DevUniswapPoolIndex} from "./DevUniswapPoolIndex.sol";

/// @notice A SwapRouter02-shaped router over the devnet's Uniswap-style pools: exact-input and
/// exact-output single-pool swaps with mainnet's parameter structs (no deadline, as in
/// SwapRouter02). The payer approves this router; the pool is paid from the callback.
contract DevSwapRouter is DevUniswapPoolIndex, IUniswapV3SwapCallback {
    using SafeERC20 for IERC20;

    error TooLittleReceived(uint256 amountOut, uint256 amountOutMinimum);
    error TooMuchRequested(uint256 amountIn, uint256 amountInMaximum);
    error EthNotSupported();

    struct ExactInputSingleParams {
        address tokenIn;
        address tokenOut;
        uint24 fee;
        address recipient;
        uint256 amountIn;
        uint256 amountOutMinimum;
        uint160 sqrtPriceLimitX96;
    }

    struct ExactOutputSingleParams {
        address tokenIn;
        address tokenOut;
        uint24 fee;
        address recipient;
        uint256 amountOut;
        uint256 amountInMaximum;
        uint160 sqrtPriceLimitX96;
    }

    struct CallbackData {
        address tokenIn;
        address payer;
    }

    constructor(address[] memory pools) DevUniswapPoolIndex(pools) {}

    function exactInputSingle(ExactInputSingleParams calldata params) external payable returns (uint256 amountOut) {
        if (msg.value != 0) revert EthNotSupported();
        (, amountOut) = _swap(
            params.tokenIn, params.tokenOut, params.fee, params.recipient, _toInt(params.amountIn), params.sqrtPriceLimitX96
        );
        if (amountOut < params.amountOutMinimum) revert TooLittleReceived(amountOut, params.amountOutMinimum);
    }

    function exactOutputSingle(ExactOutputSingleParams calldata params) external payable returns (uint256 amountIn) {
        if (msg.value != 0) revert EthNotSupported();
        (amountIn,) = _swap(
            params.tokenIn, params.tokenOut, params.fee, params.recipient, -_toInt(params.amountOut), params.sqrtPriceLimitX96
        );
        if (amountIn > params.amountInMaximum) revert TooMuchRequested(amountIn, params.amountInMaximum);
    }

    /// Pays the pool what it is owed, from the payer's approval to this router.
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata data) external {
        _onlyPool();
        CallbackData memory d = abi.decode(data, (CallbackData));
        uint256 owed = uint256(amount0Delta > 0 ? amount0Delta : amount1Delta);
        IERC20(d.tokenIn).safeTransferFrom(d.payer, msg.sender, owed);
    }

    /// One swap through the pool of (tokenIn, tokenOut, fee); returns (paid in, paid out).
    function _swap(
        address tokenIn,
        address tokenOut,
        uint24 fee,
        address recipient,
        int256 amountSpecified,
        uint160 limit
    ) private returns (uint256, uint256) {
        IUniswapV3PoolLike pool = _pool(tokenIn, tokenOut, fee);
        // the pool's own token order decides the direction (stand-in pools may list either first)
        bool zeroForOne = pool.token0() == tokenIn;
        bytes memory data = abi.encode(CallbackData(tokenIn, msg.sender));
        (int256 amount0, int256 amount1) =
            pool.swap(recipient, zeroForOne, amountSpecified, limit == 0 ? _noLimit(zeroForOne) : limit, data);
        return _inOut(zeroForOne, amount0, amount1);
    }

    function _inOut(bool zeroForOne, int256 amount0, int256 amount1) private pure returns (uint256, uint256) {
        return zeroForOne ? (uint256(amount0), uint256(-amount1)) : (uint256(amount1), uint256(-amount0));
    }

    function _toInt(uint256 x) private pure returns (int256) {
        return SafeCast.toInt256(x);
    }
}
