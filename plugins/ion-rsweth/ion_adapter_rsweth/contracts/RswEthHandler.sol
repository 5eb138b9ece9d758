// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {UniswapFlashswapDirectMintHandler} from "ion/handlers/UniswapFlashswapDirectMintHandler.sol";

/// The part of Swell's rswETH the handler uses: the token is its own deposit contract.
interface IRswEth is IERC20 {
    function deposit() external payable;
    function depositWithReferral(address referral) external payable;
    function getRate() external view returns (uint256);
    function rswETHToETHRate() external view returns (uint256);
    function ethToRswETHRate() external view returns (uint256);
}

/// @title RswEthHandler
/// @notice rswETH/wstETH market: the rswETH token is its own deposit contract.
contract RswEthHandler is UniswapFlashswapDirectMintHandler {
    IRswEth internal immutable RSWETH;

    constructor(
        address pool,
        address gemJoin,
        address whitelist,
        address uniswapWstEthWethPool,
        address wstEth,
        address weth,
        address rswEth
    ) UniswapFlashswapDirectMintHandler(pool, gemJoin, whitelist, uniswapWstEthWethPool, wstEth, weth) {
        RSWETH = IRswEth(rswEth);
    }

    function _mintCollateralWithEth(uint256 ethAmount) internal override returns (uint256) {
        uint256 before = RSWETH.balanceOf(address(this));
        RSWETH.deposit{value: ethAmount}();
        return RSWETH.balanceOf(address(this)) - before;
    }

    /// deposit mints floor(eth * ethToRswETHRate / 1e18), so wadDivUp(amount, ethToRswETHRate)
    /// ETH is enough (the public handler's arithmetic).
    function _ethNeededForCollateral(uint256 lrtAmount) internal view override returns (uint256) {
        return _mulDivUp(lrtAmount, 1e18, RSWETH.ethToRswETHRate());
    }

    /// ETH that mints at least `lstAmount` rswETH now (the public handler's quote view).
    function getEthAmountInForLstAmountOut(uint256 lstAmount) external view returns (uint256) {
        return _ethNeededForCollateral(lstAmount);
    }

    /// rswETH that `ethAmount` mints now: floor(eth * ethToRswETHRate / 1e18).
    function getLstAmountOutForEthAmountIn(uint256 ethAmount) external view returns (uint256) {
        return ethAmount * RSWETH.ethToRswETHRate() / 1e18;
    }
}
