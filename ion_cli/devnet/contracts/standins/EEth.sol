// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {DevToken} from "./DevToken.sol";

/// @notice ether.fi eETH stand-in: 1 eETH per ETH and no rebasing. On mainnet eETH rebases and
/// weETH holds shares; here the share price lives in `WeEth.getRate()` instead, so a share is
/// one eETH and `totalShares` equals the supply. The LiquidityPool mints it (see `setMinter`).
contract EEth is DevToken {
    constructor(address owner_) DevToken("ether.fi ETH", "eETH", owner_) {}

    function totalShares() external view returns (uint256) {
        return totalSupply();
    }
}
