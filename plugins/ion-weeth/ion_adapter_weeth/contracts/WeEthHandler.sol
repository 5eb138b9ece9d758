// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IEEth, IEtherFiLiquidityPool, IWeEth} from "./IEtherFi.sol";
import {WadRayMath} from "ion/math/WadRayMath.sol";
import {UniswapFlashswapDirectMintHandler} from "ion/handlers/UniswapFlashswapDirectMintHandler.sol";

/// @title WeEthHandler
/// @notice weETH/wstETH market: mints weETH as ether.fi does. `LiquidityPool.deposit()` mints
/// eETH shares floor(eth * S / P) (totals before the deposit), the shares are worth
/// floor(shares * P' / S') eETH (totals after), and `wrap` of that amount mints
/// floor(amount * S' / P') weETH. The ETH that mints an exact weETH amount is searched as the
/// public handler does (two candidates, else NoAmountInFound).
contract WeEthHandler is UniswapFlashswapDirectMintHandler {
    using SafeERC20 for IERC20;
    using WadRayMath for uint256;

    IEtherFiLiquidityPool internal immutable ETHER_FI_LIQUIDITY_POOL;
    IWeEth internal immutable WEETH;
    IERC20 internal immutable EETH;

    constructor(
        address pool,
        address gemJoin,
        address whitelist,
        address uniswapWstEthWethPool,
        address wstEth,
        address weth,
        address etherFiLiquidityPool,
        address weEth
    ) UniswapFlashswapDirectMintHandler(pool, gemJoin, whitelist, uniswapWstEthWethPool, wstEth, weth) {
        ETHER_FI_LIQUIDITY_POOL = IEtherFiLiquidityPool(etherFiLiquidityPool);
        WEETH = IWeEth(weEth);
        EETH = IERC20(WEETH.eETH());
        EETH.forceApprove(weEth, type(uint256).max);
    }

    function _mintCollateralWithEth(uint256 ethAmount) internal override returns (uint256) {
        uint256 shares = ETHER_FI_LIQUIDITY_POOL.deposit{value: ethAmount}();
        uint256 pooledAfter = ETHER_FI_LIQUIDITY_POOL.getTotalPooledEther();
        uint256 sharesAfter = IEEth(address(EETH)).totalShares();
        return WEETH.wrap(shares * pooledAfter / sharesAfter);
    }

    /// The first of wadDivUp(wadMulDown(lrtAmount, P), S) + 1 and one wei more that mints
    /// exactly `lrtAmount` weETH by deposit-then-wrap; NoAmountInFound() when neither does.
    function _ethNeededForCollateral(uint256 lrtAmount) internal view override returns (uint256) {
        if (lrtAmount == 0) return 0;
        uint256 pooled = ETHER_FI_LIQUIDITY_POOL.getTotalPooledEther();
        uint256 total = IEEth(address(EETH)).totalShares();
        uint256 candidate = lrtAmount.wadMulDown(pooled).wadDivUp(total) + 1;
        if (_weEthForEth(pooled, total, candidate) == lrtAmount) return candidate;
        if (_weEthForEth(pooled, total, candidate + 1) == lrtAmount) return candidate + 1;
        revert NoAmountInFound();
    }

    /// weETH that `eth` mints through deposit() and wrap, from the totals before the deposit.
    function _weEthForEth(uint256 pooled, uint256 total, uint256 eth) internal pure returns (uint256) {
        uint256 shares = pooled == 0 ? eth : eth * total / pooled;
        uint256 pooledAfter = pooled + eth;
        uint256 sharesAfter = total + shares;
        uint256 eEthAmount = shares * pooledAfter / sharesAfter;
        return eEthAmount * sharesAfter / pooledAfter;
    }
}
