// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {DevToken} from "ion/standins/DevToken.sol";

/// The pool's share price, as weETH reads it.
interface IEtherFiSharePricing {
    function sharesForAmount(uint256 amount) external view returns (uint256);
    function amountForShare(uint256 share) external view returns (uint256);
}

/// @notice ether.fi weETH stand-in: one weETH is one eETH share. `wrap(x)` mints
/// `pool.sharesForAmount(x)` at the pool's current totals, `getRate()` is
/// `pool.amountForShare(1e18)` = P / S: the rate comes from the LiquidityPool's totals (move it
/// with the pool's devnet-only `setRate`). The owner may still mint weETH for devnet funding;
/// such weETH has no eETH behind it here.
contract WeEth is DevToken {
    using SafeERC20 for IERC20;

    error ZeroAmount();

    IERC20 public immutable eETH;
    address public immutable liquidityPool;

    constructor(address eEth_, address liquidityPool_, address owner_) DevToken("Wrapped eETH", "weETH", owner_) {
        eETH = IERC20(eEth_);
        liquidityPool = liquidityPool_;
    }

    function getRate() external view returns (uint256) {
        return IEtherFiSharePricing(liquidityPool).amountForShare(1 ether);
    }

    function getWeETHByeETH(uint256 eEthAmount) public view returns (uint256) {
        return IEtherFiSharePricing(liquidityPool).sharesForAmount(eEthAmount);
    }

    function getEETHByWeETH(uint256 weEthAmount) public view returns (uint256) {
        return IEtherFiSharePricing(liquidityPool).amountForShare(weEthAmount);
    }

    function wrap(uint256 eEthAmount) external returns (uint256 weEthAmount) {
        if (eEthAmount == 0) revert ZeroAmount();
        weEthAmount = getWeETHByeETH(eEthAmount);
        if (weEthAmount == 0) revert ZeroAmount();
        eETH.safeTransferFrom(msg.sender, address(this), eEthAmount);
        _mint(msg.sender, weEthAmount);
    }

    /// Pays out of the eETH held here; owner-minted weETH has none behind it.
    function unwrap(uint256 weEthAmount) external returns (uint256 eEthAmount) {
        if (weEthAmount == 0) revert ZeroAmount();
        eEthAmount = getEETHByWeETH(weEthAmount);
        _burn(msg.sender, weEthAmount);
        eETH.safeTransfer(msg.sender, eEthAmount);
    }
}
