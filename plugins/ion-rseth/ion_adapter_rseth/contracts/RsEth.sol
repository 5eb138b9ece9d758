// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {DevToken} from "ion/standins/DevToken.sol";

/// @notice Kelp rsETH stand-in. Minted by the LRTDepositPool (see `setMinter`) and the owner.
contract RsEth is DevToken {
    constructor(address owner_) DevToken("rsETH", "rsETH", owner_) {}
}
