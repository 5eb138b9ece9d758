// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @notice Kelp LRTOracle stand-in: a stored rsETH price (ETH per rsETH, WAD) the owner sets.
/// On mainnet anyone may refresh it from the asset prices; here there is nothing to refresh from.
contract LRTOracle is Ownable {
    error ZeroPrice();

    event RsETHPriceUpdate(uint256 newPrice);

    uint256 public rsETHPrice;

    constructor(address owner_) Ownable(owner_) {
        rsETHPrice = 1e18;
    }

    function setRsETHPrice(uint256 newPrice) external onlyOwner {
        if (newPrice == 0) revert ZeroPrice();
        rsETHPrice = newPrice;
        emit RsETHPriceUpdate(newPrice);
    }

    /// Kept callable (the mainnet signature) but leaves the owner-set price as it is.
    function updateRSETHPrice() external {
        emit RsETHPriceUpdate(rsETHPrice);
    }
}
