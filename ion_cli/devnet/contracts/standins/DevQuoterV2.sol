// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IUniswapV3PoolLike, IUniswapV3SwapCallback} from "../interfaces/IStandIns.sol";
import {DevUniswapPoolIndex} from "./DevUniswapPoolIndex.sol";

interface ISlot0 {
    function slot0() external view returns (uint160, int24, uint16, uint16, uint16, uint8, bool);
}

/// @notice A QuoterV2-shaped quoter over the devnet's Uniswap-style pools. Like mainnet's, it
/// quotes by starting the real swap and reverting from the callback with the amounts, so a quote
/// is exactly what the pool would do (liquidity limits included). Call it with eth_call.
contract DevQuoterV2 is DevUniswapPoolIndex, IUniswapV3SwapCallback {
    struct QuoteExactInputSingleParams {
        address tokenIn;
        address tokenOut;
        uint256 amountIn;
        uint24 fee;
        uint160 sqrtPriceLimitX96;
    }

    struct QuoteExactOutputSingleParams {
        address tokenIn;
        address tokenOut;
        uint256 amount;
        uint24 fee;
        uint160 sqrtPriceLimitX96;
    }

    constructor(address[] memory pools) DevUniswapPoolIndex(pools) {}

    function quoteExactInputSingle(QuoteExactInputSingleParams memory params)
        external
        returns (uint256 amountOut, uint160 sqrtPriceX96After, uint32 initializedTicksCrossed, uint256 gasEstimate)
    {
        uint256 gasBefore = gasleft();
        IUniswapV3PoolLike pool = _pool(params.tokenIn, params.tokenOut, params.fee);
        (, amountOut) = _quote(pool, params.tokenIn, SafeCast.toInt256(params.amountIn), params.sqrtPriceLimitX96);
        (sqrtPriceX96After,,,,,,) = ISlot0(address(pool)).slot0();
        gasEstimate = gasBefore - gasleft();
        initializedTicksCrossed = 0;
    }

    function quoteExactOutputSingle(QuoteExactOutputSingleParams memory params)
        external
        returns (uint256 amountIn, uint160 sqrtPriceX96After, uint32 initializedTicksCrossed, uint256 gasEstimate)
    {
        uint256 gasBefore = gasleft();
        IUniswapV3PoolLike pool = _pool(params.tokenIn, params.tokenOut, params.fee);
        (amountIn,) = _quote(pool, params.tokenIn, -SafeCast.toInt256(params.amount), params.sqrtPriceLimitX96);
        (sqrtPriceX96After,,,,,,) = ISlot0(address(pool)).slot0();
        gasEstimate = gasBefore - gasleft();
        initializedTicksCrossed = 0;
    }

    /// Reverts with the 64-byte (amountIn, amountOut) the swap would settle: never pays.
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata data) external view {
        _onlyPool();
        bool zeroForOne = abi.decode(data, (bool));
        (int256 deltaIn, int256 deltaOut) = zeroForOne ? (amount0Delta, amount1Delta) : (amount1Delta, amount0Delta);
        uint256 amountIn = uint256(deltaIn);
        uint256 amountOut = uint256(-deltaOut);
        assembly {
            let ptr := mload(0x40)
            mstore(ptr, amountIn)
            mstore(add(ptr, 0x20), amountOut)
            revert(ptr, 64)
        }
    }

    function _quote(IUniswapV3PoolLike pool, address tokenIn, int256 amountSpecified, uint160 limit)
        private
        returns (uint256 amountIn, uint256 amountOut)
    {
        bool zeroForOne = pool.token0() == tokenIn;
        try pool.swap(
            address(this), zeroForOne, amountSpecified, limit == 0 ? _noLimit(zeroForOne) : limit, abi.encode(zeroForOne)
        ) {
            revert("DevQuoterV2: the swap did not call back");
        } catch (bytes memory reason) {
            if (reason.length != 64) {
                assembly {
                    revert(add(reason, 32), mload(reason))
                }
            }
            (amountIn, amountOut) = abi.decode(reason, (uint256, uint256));
        }
    }
}
