// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IInterestRate} from "./interfaces/IOracles.sol";
import {RAY} from "./math/WadRayMath.sol";

/// @title InterestRate
/// @notice A kinked borrow-rate curve, the same for every ilk. Rates are per second in RAY
/// without the 1 (5.67% APR is about 1.7968e18). Utilization (RAY) = totalIlkDebt (RAD) /
/// totalEthSupply (WAD), clamped at 100%; with no supply the minimum base rate applies.
/// Below the kink the rate rises linearly from MINIMUM_BASE_RATE to RATE_AT_KINK; above it,
/// RATE_AT_KINK + SLOPE_ABOVE_KINK * (u - kink) / (RAY - kink), so 100% costs RATE_AT_KINK +
/// SLOPE_ABOVE_KINK. All divisions round down.
contract InterestRate is IInterestRate {
    error InvalidOptimalUtilization(uint256 optimalUtilization);
    error InvalidRateAtKink(uint256 rateAtKink, uint256 minimumBaseRate);
    error InvalidReserveFactor(uint256 reserveFactor);

    uint256 public immutable MINIMUM_BASE_RATE;
    uint256 public immutable RATE_AT_KINK;
    uint256 public immutable OPTIMAL_UTILIZATION;
    uint256 public immutable SLOPE_ABOVE_KINK;
    uint256 public immutable RESERVE_FACTOR;

    constructor(
        uint256 minimumBaseRate,
        uint256 rateAtKink,
        uint256 optimalUtilization,
        uint256 slopeAboveKink,
        uint256 reserveFactor
    ) {
        // the kink must split [0, 1] into two non-empty segments (both are divisors below)
        if (optimalUtilization == 0 || optimalUtilization >= RAY) revert InvalidOptimalUtilization(optimalUtilization);
        if (rateAtKink < minimumBaseRate) revert InvalidRateAtKink(rateAtKink, minimumBaseRate);
        if (reserveFactor > RAY) revert InvalidReserveFactor(reserveFactor);
        MINIMUM_BASE_RATE = minimumBaseRate;
        RATE_AT_KINK = rateAtKink;
        OPTIMAL_UTILIZATION = optimalUtilization;
        SLOPE_ABOVE_KINK = slopeAboveKink;
        RESERVE_FACTOR = reserveFactor;
    }

    /// Utilization in RAY (clamped at RAY); 0 when there is no supply.
    function utilization(uint256 totalIlkDebt, uint256 totalEthSupply) public pure returns (uint256 u) {
        if (totalEthSupply == 0) return 0;
        u = totalIlkDebt / totalEthSupply;
        if (u > RAY) u = RAY;
    }

    function calculateInterestRate(uint256, uint256 totalIlkDebt, uint256 totalEthSupply)
        external
        view
        returns (uint256 borrowRate, uint256 reserveFactor)
    {
        uint256 u = utilization(totalIlkDebt, totalEthSupply);
        uint256 kink = OPTIMAL_UTILIZATION;
        if (u <= kink) {
            borrowRate = MINIMUM_BASE_RATE + (RATE_AT_KINK - MINIMUM_BASE_RATE) * u / kink;
        } else {
            borrowRate = RATE_AT_KINK + SLOPE_ABOVE_KINK * (u - kink) / (RAY - kink);
        }
        reserveFactor = RESERVE_FACTOR;
    }
}
