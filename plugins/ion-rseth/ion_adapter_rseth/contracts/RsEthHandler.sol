// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ILRTDepositPool, ILRTOracle} from "./IKelp.sol";
import {UniswapFlashswapDirectMintHandler} from "ion/handlers/UniswapFlashswapDirectMintHandler.sol";

/// Devnet-only: the stand-in deposit pool names its oracle (mainnet resolves it via LRTConfig).
interface ILRTDepositPoolWithOracle is ILRTDepositPool {
    function lrtOracle() external view returns (address);
}

/// @title RsEthHandler
/// @notice rsETH/wstETH market: mints rsETH at Kelp's LRTDepositPool, priced by `rsETHPrice()`.
contract RsEthHandler is UniswapFlashswapDirectMintHandler {
    ILRTDepositPool internal immutable LRT_DEPOSIT_POOL;
    ILRTOracle internal immutable LRT_ORACLE;
    IERC20 internal immutable RSETH;

    constructor(
        address pool,
        address gemJoin,
        address whitelist,
        address uniswapWstEthWethPool,
        address wstEth,
        address weth,
        address lrtDepositPool,
        address rsEth
    ) UniswapFlashswapDirectMintHandler(pool, gemJoin, whitelist, uniswapWstEthWethPool, wstEth, weth) {
        LRT_DEPOSIT_POOL = ILRTDepositPool(lrtDepositPool);
        LRT_ORACLE = ILRTOracle(ILRTDepositPoolWithOracle(lrtDepositPool).lrtOracle());
        RSETH = IERC20(rsEth);
    }

    function _mintCollateralWithEth(uint256 ethAmount) internal override returns (uint256) {
        uint256 before = RSETH.balanceOf(address(this));
        LRT_DEPOSIT_POOL.depositETH{value: ethAmount}(0, "");
        return RSETH.balanceOf(address(this)) - before;
    }

    /// The pool mints floor(eth * 1e18 / price), so ceil(amount * price / 1e18) ETH is enough.
    function _ethNeededForCollateral(uint256 lrtAmount) internal view override returns (uint256) {
        return _mulDivUp(lrtAmount, LRT_ORACLE.rsETHPrice(), 1e18);
    }
}
