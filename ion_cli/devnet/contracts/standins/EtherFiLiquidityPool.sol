// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {DevToken} from "./DevToken.sol";

/// @notice ether.fi LiquidityPool stand-in: mints 1 eETH per ETH deposited and keeps the ETH.
/// Needs `EEth.setMinter(pool, true)` from the eETH owner after deployment.
contract EtherFiLiquidityPool is Ownable {
    error ZeroDeposit();

    event Deposit(address indexed sender, uint256 amount, address referral);

    DevToken public immutable eETH;

    constructor(address eEth_, address owner_) Ownable(owner_) {
        eETH = DevToken(eEth_);
    }

    /// Returns the eETH minted (on mainnet: the shares minted; equal here, see EEth).
    function deposit(address referral) external payable returns (uint256) {
        if (msg.value == 0) revert ZeroDeposit();
        eETH.mint(msg.sender, msg.value);
        emit Deposit(msg.sender, msg.value, referral);
        return msg.value;
    }

    /// The ETH backing eETH at 1:1. The weETH rate is `WeEth.getRate()`, not pooled / shares.
    function getTotalPooledEther() external view returns (uint256) {
        return eETH.totalSupply();
    }
}
