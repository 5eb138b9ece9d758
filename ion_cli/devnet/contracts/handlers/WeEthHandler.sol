// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IEtherFiLiquidityPool, IWeEth} from "../interfaces/IStandIns.sol";
import {UniswapFlashswapDirectMintHandler} from "./UniswapFlashswapDirectMintHandler.sol";

/// @title WeEthHandler
/// @notice weETH/wstETH market: mints weETH as ether.fi does, ETH -> eETH at the LiquidityPool
/// (1:1), then eETH -> weETH with `wrap` at `getRate()`.
contract WeEthHandler is UniswapFlashswapDirectMintHandler {
    using SafeERC20 for IERC20;

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
        uint256 eEthBefore = EETH.balanceOf(address(this));
        ETHER_FI_LIQUIDITY_POOL.deposit{value: ethAmount}(address(0));
        return WEETH.wrap(EETH.balanceOf(address(this)) - eEthBefore);
    }

    /// wrap gives floor(eth * 1e18 / rate), so ceil(amount * rate / 1e18) ETH is enough.
    function _ethNeededForCollateral(uint256 lrtAmount) internal view override returns (uint256) {
        return _mulDivUp(lrtAmount, WEETH.getRate(), 1e18);
    }
}
