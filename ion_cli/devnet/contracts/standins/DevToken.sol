// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @notice Shared base of the devnet's token stand-ins: an 18-decimal ERC20 the owner can mint
/// freely (devnet funding) and that a few trusted mint contracts (the LRT protocols' deposit
/// contracts) may mint when users pay ETH in. The owner registers those with `setMinter` once
/// both are deployed, because the token is deployed first and cannot know them.
abstract contract DevToken is ERC20, Ownable {
    error NotMinter(address caller);

    event SetMinter(address indexed minter, bool allowed);

    mapping(address => bool) public isMinter;

    constructor(string memory name_, string memory symbol_, address owner_) ERC20(name_, symbol_) Ownable(owner_) {}

    function setMinter(address minter, bool allowed) external onlyOwner {
        isMinter[minter] = allowed;
        emit SetMinter(minter, allowed);
    }

    /// Owner: devnet funding out of thin air. Minters: the token's own mint contract.
    function mint(address to, uint256 amount) external {
        if (msg.sender != owner() && !isMinter[msg.sender]) revert NotMinter(msg.sender);
        _mint(to, amount);
    }
}
