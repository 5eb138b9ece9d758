// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {ISpotOracle, IReserveOracle, IMarketPriceFeed} from "../interfaces/IOracles.sol";
import {WadRayMath, RAY} from "../math/WadRayMath.sol";

/// @title SpotOracle
/// @notice The borrowing limit per unit of collateral (RAY, base asset per collateral): LTV times
/// the lower of the market price and the reserve exchange rate. The pool checks
/// normalizedDebt * rate <= collateral * spot on every borrow and collateral withdrawal.
/// @dev Taking the minimum means neither a depeg on the market nor a fall of the reserve rate
/// lets borrowers draw against value that is not there. A stale market price yields spot 0,
/// which freezes new borrowing and withdrawals rather than trusting an old figure.
contract SpotOracle is ISpotOracle {
    using WadRayMath for uint256;

    uint256 public immutable LTV;
    address public immutable RESERVE_ORACLE;
    address public immutable PRICE_FEED;
    /// Seconds after which the market price no longer counts (87,000 on mainnet).
    uint256 public immutable MAX_PRICE_AGE;

    constructor(uint256 ltv, address reserveOracle, address priceFeed, uint256 maxPriceAge) {
        if (ltv > RAY) revert InvalidLtv(ltv);
        LTV = ltv;
        RESERVE_ORACLE = reserveOracle;
        PRICE_FEED = priceFeed;
        MAX_PRICE_AGE = maxPriceAge;
    }

    /// @notice The market price of one collateral in the base asset (WAD), 0 when stale.
    function getPrice() public view returns (uint256) {
        (uint256 price, uint256 updatedAt) = IMarketPriceFeed(PRICE_FEED).latestPrice();
        // A timestamp from the future is not stale; only age beyond the limit is.
        if (block.timestamp > updatedAt && block.timestamp - updatedAt > MAX_PRICE_AGE) return 0;
        return price;
    }

    /// @notice LTV * min(market price, reserve rate), RAY.
    function getSpot() external view returns (uint256) {
        uint256 price = getPrice();
        uint256 exchangeRate = IReserveOracle(RESERVE_ORACLE).currentExchangeRate();
        uint256 lower = price < exchangeRate ? price : exchangeRate;
        return LTV.rayMulDown(lower.wadToRay());
    }
}
