// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IMarketPriceFeed} from "../interfaces/IOracles.sol";

/// @notice Chainlink-like market price of one collateral token in the base asset (WAD). It
/// reports the current block time as its update time, so a devnet resumed hours later still
/// has a fresh price; tests mark it stale to see spot drop to 0.
contract MarketPriceFeed is IMarketPriceFeed, Ownable {
    error ZeroPrice();

    event SetPrice(uint256 price);
    event SetStale(bool stale);

    uint256 public price;
    bool public stale;

    constructor(uint256 price_, address owner_) Ownable(owner_) {
        if (price_ == 0) revert ZeroPrice();
        price = price_;
    }

    function setPrice(uint256 newPrice) external onlyOwner {
        if (newPrice == 0) revert ZeroPrice();
        price = newPrice;
        emit SetPrice(newPrice);
    }

    function setStale(bool isStale) external onlyOwner {
        stale = isStale;
        emit SetStale(isStale);
    }

    /// A stale feed answers updatedAt = 0 (Chainlink's "round never completed"): older than any
    /// max age once the chain's clock is past it, and a consumer should treat 0 as stale anyway
    /// (forge tests start at timestamp 1, where no age check alone can see it).
    function latestPrice() external view returns (uint256, uint256) {
        return (price, stale ? 0 : block.timestamp);
    }
}
