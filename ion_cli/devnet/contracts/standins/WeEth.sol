// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {DevToken} from "./DevToken.sol";

/// @notice ether.fi weETH stand-in: wraps eETH at `getRate()` (eETH per weETH), a number the
/// owner sets so tests can move the exchange rate that the reserve oracle and adapters read.
contract WeEth is DevToken {
    using SafeERC20 for IERC20;

    error ZeroAmount();
    error ZeroRate();

    event SetRate(uint256 rate);

    IERC20 public immutable eETH;
    address public immutable liquidityPool;
    uint256 private _rate;

    constructor(address eEth_, address liquidityPool_, address owner_) DevToken("Wrapped eETH", "weETH", owner_) {
        eETH = IERC20(eEth_);
        liquidityPool = liquidityPool_;
        _rate = 1e18;
    }

    function setRate(uint256 newRate) external onlyOwner {
        if (newRate == 0) revert ZeroRate();
        _rate = newRate;
        emit SetRate(newRate);
    }

    function getRate() external view returns (uint256) {
        return _rate;
    }

    function getWeETHByeETH(uint256 eEthAmount) public view returns (uint256) {
        return eEthAmount * 1e18 / _rate;
    }

    function getEETHByWeETH(uint256 weEthAmount) public view returns (uint256) {
        return weEthAmount * _rate / 1e18;
    }

    function wrap(uint256 eEthAmount) external returns (uint256 weEthAmount) {
        if (eEthAmount == 0) revert ZeroAmount();
        weEthAmount = getWeETHByeETH(eEthAmount);
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
