// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {DevToken} from "ion/standins/DevToken.sol";

/// @notice Renzo ezETH stand-in. Minted by the RestakeManager (see `setMinter`) and the owner.
contract EzEth is DevToken {
    constructor(address owner_) DevToken("Renzo Restaked ETH", "ezETH", owner_) {}
}
