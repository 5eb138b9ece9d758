// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {DevToken} from "ion/standins/DevToken.sol";

/// @notice Swell rswETH stand-in: the token is its own deposit contract and keeps the ETH.
/// `rswETHToETHRate` (ETH per rswETH) is set by the owner. As Swell's rswETH, a deposit mints
/// floor(value * ethToRswETHRate() / 1e18) with ethToRswETHRate() = floor(1e36 / rate).
contract RswEth is DevToken {
    error ZeroDeposit();
    error ZeroRate();

    event ETHDepositReceived(address indexed from, uint256 amount, uint256 mintAmount, address referral);
    event SetRate(uint256 rate);

    uint256 private _rate;

    constructor(address owner_) DevToken("rswETH", "rswETH", owner_) {
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

    function rswETHToETHRate() external view returns (uint256) {
        return _rate;
    }

    function ethToRswETHRate() external view returns (uint256) {
        return 1e36 / _rate;
    }

    function deposit() external payable {
        _deposit(address(0));
    }

    function depositWithReferral(address referral) external payable {
        _deposit(referral);
    }

    /// Mints floor(ETH * ethToRswETHRate() / 1e18), Swell's arithmetic (the inverse rate
    /// rounded down first), not floor(ETH * 1e18 / rate).
    function _deposit(address referral) private {
        if (msg.value == 0) revert ZeroDeposit();
        uint256 minted = msg.value * (1e36 / _rate) / 1e18;
        _mint(msg.sender, minted);
        emit ETHDepositReceived(msg.sender, msg.value, minted, referral);
    }
}
