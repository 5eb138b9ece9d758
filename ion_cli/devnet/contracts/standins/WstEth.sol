// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IStEth} from "../interfaces/IStandIns.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {DevToken} from "./DevToken.sol";

/// @notice Lido wstETH stand-in. `stEthPerToken` is a number the owner sets (mainnet derives it
/// from Lido's accounting); wrap/unwrap convert at it, rounding down as Lido does.
contract WstEth is DevToken {
    using SafeERC20 for IERC20;

    error ZeroAmount();
    error ZeroRate();

    event SetStEthPerToken(uint256 stEthPerToken);

    IStEth public immutable stETH;
    uint256 public stEthPerToken;

    constructor(address stEth_, address owner_) DevToken("Wrapped liquid staked Ether 2.0", "wstETH", owner_) {
        stETH = IStEth(stEth_);
        stEthPerToken = 1e18;
    }

    function setStEthPerToken(uint256 newStEthPerToken) external onlyOwner {
        if (newStEthPerToken == 0) revert ZeroRate();
        stEthPerToken = newStEthPerToken;
        emit SetStEthPerToken(newStEthPerToken);
    }

    function tokensPerStEth() external view returns (uint256) {
        return getWstETHByStETH(1e18);
    }

    function getWstETHByStETH(uint256 stEthAmount) public view returns (uint256) {
        return stEthAmount * 1e18 / stEthPerToken;
    }

    function getStETHByWstETH(uint256 wstEthAmount) public view returns (uint256) {
        return wstEthAmount * stEthPerToken / 1e18;
    }

    function wrap(uint256 stEthAmount) external returns (uint256 wstEthAmount) {
        if (stEthAmount == 0) revert ZeroAmount();
        wstEthAmount = getWstETHByStETH(stEthAmount);
        IERC20(stETH).safeTransferFrom(msg.sender, address(this), stEthAmount);
        _mint(msg.sender, wstEthAmount);
    }

    /// Pays out of the stETH this contract holds; wstETH minted by the owner has no stETH behind
    /// it, so unwrapping that can fail on the devnet.
    function unwrap(uint256 wstEthAmount) external returns (uint256 stEthAmount) {
        if (wstEthAmount == 0) revert ZeroAmount();
        stEthAmount = getStETHByWstETH(wstEthAmount);
        _burn(msg.sender, wstEthAmount);
        IERC20(stETH).safeTransfer(msg.sender, stEthAmount);
    }

    /// As on mainnet: ETH sent here is staked for stETH and wrapped for the sender.
    receive() external payable {
        if (msg.value == 0) revert ZeroAmount();
        stETH.submit{value: msg.value}(address(0));
        _mint(msg.sender, getWstETHByStETH(msg.value));
    }
}
