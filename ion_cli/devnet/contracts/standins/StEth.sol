// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {DevToken} from "./DevToken.sol";

/// @notice Lido stETH stand-in: 1 stETH per ETH staked and no rebasing (the rate that matters
/// on the devnet is wstETH's `stEthPerToken`). The contract keeps the ETH it receives.
contract StEth is DevToken {
    error ZeroDeposit();

    event Submitted(address indexed sender, uint256 amount, address referral);

    constructor(address owner_) DevToken("Liquid staked Ether 2.0", "stETH", owner_) {}

    receive() external payable {
        _submit(address(0));
    }

    function submit(address referral) external payable returns (uint256) {
        return _submit(referral);
    }

    function _submit(address referral) private returns (uint256) {
        if (msg.value == 0) revert ZeroDeposit();
        _mint(msg.sender, msg.value);
        emit Submitted(msg.sender, msg.value, referral);
        return msg.value;
    }
}
