// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IUniswapV3FlashCallback, IUniswapV3SwapCallback} from "../interfaces/IStandIns.sol";

/// @notice A Uniswap-V3-shaped pool with no ticks: one price fixed at deployment (token1 per
/// token0, WAD) and a fee in hundredths of a bip. Liquidity is whatever the pool holds. It keeps
/// Uniswap's call shape (output first, then the callback, then a balance check) so handlers
/// written for the real pool run unchanged. Every rounding favours the pool.
/// @dev Only mainnet UniswapV3Pool signatures are external (token0, token1, fee, slot0, swap,
/// flash): quotes come from the QuoterV2-style DevQuoterV2, as on mainnet.
contract DevUniswapV3Pool {
    using SafeERC20 for IERC20;

    error Locked();
    error ZeroAmount();
    error ZeroPrice();
    error InvalidFee(uint24 fee);
    error InsufficientLiquidity(address token, uint256 available, uint256 needed);
    error InsufficientInputAmount(uint256 received, uint256 required);
    error FlashNotRepaid(address token, uint256 received, uint256 required);

    /// Uniswap's event shape; liquidity and tick are 0 (there are none here).
    event Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick);
    event Flash(address indexed sender, address indexed recipient, uint256 amount0, uint256 amount1, uint256 paid0, uint256 paid1);

    uint256 private constant FEE_DENOMINATOR = 1e6;

    address public immutable token0;
    address public immutable token1;
    uint24 public immutable fee;
    /// token1 per token0, WAD.
    uint256 internal immutable price;

    bool private _locked;

    modifier lock() {
        if (_locked) revert Locked();
        _locked = true;
        _;
        _locked = false;
    }

    constructor(address token0_, address token1_, uint24 fee_, uint256 price_) {
        if (fee_ >= FEE_DENOMINATOR) revert InvalidFee(fee_);
        if (price_ == 0) revert ZeroPrice();
        token0 = token0_;
        token1 = token1_;
        fee = fee_;
        price = price_;
    }

    /// Uniswap's slot0: sqrt(price) in Q64.96 and the tick below it; the oracle fields are 0
    /// and the pool is never locked between calls.
    function slot0()
        external
        view
        returns (
            uint160 sqrtPriceX96,
            int24 tick,
            uint16 observationIndex,
            uint16 observationCardinality,
            uint16 observationCardinalityNext,
            uint8 feeProtocol,
            bool unlocked
        )
    {
        sqrtPriceX96 = _sqrtPriceX96();
        tick = _tickBelow(price);
        unlocked = !_locked;
        (observationIndex, observationCardinality, observationCardinalityNext, feeProtocol) = (0, 0, 0, 0);
    }

    /// sqrt(price) in Q64.96.
    function _sqrtPriceX96() internal view returns (uint160) {
        return uint160(Math.sqrt(Math.mulDiv(price, 1 << 192, 1e18)));
    }

    /// The largest tick t with 1.0001^t <= price (WAD), found by stepping powers of 1.0001.
    function _tickBelow(uint256 priceWad) internal pure returns (int24 tick) {
        // A view for tools (slot0), never on the swap path: 20 steps of at most 19 squarings.
        uint256 p = 1e18;
        bool up = priceWad >= 1e18;
        int24 t;
        for (int256 k = 19; k >= 0; --k) {
            uint256 step = _pow10001(uint256(k));
            uint256 next = up ? Math.mulDiv(p, step, 1e18) : Math.mulDiv(p, 1e18, step);
            if (up ? next <= priceWad : next >= priceWad) {
                p = next;
                t += int24(int256(1 << uint256(k)));
            }
        }
        tick = up ? t : (p == priceWad ? -t : -t - 1);
    }

    /// 1.0001^(2^k) in WAD.
    function _pow10001(uint256 k) private pure returns (uint256 r) {
        r = 1.0001e18;
        for (uint256 i; i < k; ++i) {
            r = Math.mulDiv(r, r, 1e18);
        }
    }

    /// Positive amountSpecified = exact input, negative = exact output. sqrtPriceLimitX96 is
    /// ignored (the price never moves). Returns the pool's deltas: positive = paid in.
    function swap(address recipient, bool zeroForOne, int256 amountSpecified, uint160, bytes calldata data)
        external
        lock
        returns (int256 amount0, int256 amount1)
    {
        if (amountSpecified == 0) revert ZeroAmount();
        (uint256 amountIn, uint256 amountOut) = amountSpecified > 0
            ? (uint256(amountSpecified), _quoteExactInput(zeroForOne, uint256(amountSpecified)))
            : (_quoteExactOutput(zeroForOne, uint256(-amountSpecified)), uint256(-amountSpecified));
        (IERC20 tokenIn, IERC20 tokenOut) =
            zeroForOne ? (IERC20(token0), IERC20(token1)) : (IERC20(token1), IERC20(token0));

        uint256 available = tokenOut.balanceOf(address(this));
        if (amountOut > available) revert InsufficientLiquidity(address(tokenOut), available, amountOut);

        (amount0, amount1) = zeroForOne
            ? (SafeCast.toInt256(amountIn), -SafeCast.toInt256(amountOut))
            : (-SafeCast.toInt256(amountOut), SafeCast.toInt256(amountIn));

        if (amountOut > 0) tokenOut.safeTransfer(recipient, amountOut);
        uint256 balanceBefore = tokenIn.balanceOf(address(this));
        IUniswapV3SwapCallback(msg.sender).uniswapV3SwapCallback(amount0, amount1, data);
        uint256 received = tokenIn.balanceOf(address(this)) - balanceBefore;
        if (received < amountIn) revert InsufficientInputAmount(received, amountIn);

        emit Swap(msg.sender, recipient, amount0, amount1, _sqrtPriceX96(), 0, 0);
    }

    /// Output for an exact input: the fee comes off the input, both steps round down.
    function _quoteExactInput(bool zeroForOne, uint256 amountIn) internal view returns (uint256) {
        uint256 inLessFee = amountIn * (FEE_DENOMINATOR - fee) / FEE_DENOMINATOR;
        return zeroForOne ? inLessFee * price / 1e18 : inLessFee * 1e18 / price;
    }

    /// Input for an exact output: both steps round up.
    function _quoteExactOutput(bool zeroForOne, uint256 amountOut) internal view returns (uint256) {
        uint256 inLessFee = zeroForOne ? Math.ceilDiv(amountOut * 1e18, price) : Math.ceilDiv(amountOut * price, 1e18);
        return Math.ceilDiv(inLessFee * FEE_DENOMINATOR, FEE_DENOMINATOR - fee);
    }

    /// Lends both tokens for one callback; fee = ceil(amount * fee / 1e6) each, kept by the pool.
    function flash(address recipient, uint256 amount0, uint256 amount1, bytes calldata data) external lock {
        uint256 fee0 = Math.ceilDiv(amount0 * fee, FEE_DENOMINATOR);
        uint256 fee1 = Math.ceilDiv(amount1 * fee, FEE_DENOMINATOR);
        uint256 balance0Before = IERC20(token0).balanceOf(address(this));
        uint256 balance1Before = IERC20(token1).balanceOf(address(this));
        if (amount0 > balance0Before) revert InsufficientLiquidity(token0, balance0Before, amount0);
        if (amount1 > balance1Before) revert InsufficientLiquidity(token1, balance1Before, amount1);

        if (amount0 > 0) IERC20(token0).safeTransfer(recipient, amount0);
        if (amount1 > 0) IERC20(token1).safeTransfer(recipient, amount1);
        IUniswapV3FlashCallback(msg.sender).uniswapV3FlashCallback(fee0, fee1, data);

        uint256 balance0After = IERC20(token0).balanceOf(address(this));
        uint256 balance1After = IERC20(token1).balanceOf(address(this));
        if (balance0After < balance0Before + fee0) revert FlashNotRepaid(token0, balance0After, balance0Before + fee0);
        if (balance1After < balance1Before + fee1) revert FlashNotRepaid(token1, balance1After, balance1Before + fee1);

        emit Flash(msg.sender, recipient, amount0, amount1, balance0After - balance0Before, balance1After - balance1Before);
    }
}
