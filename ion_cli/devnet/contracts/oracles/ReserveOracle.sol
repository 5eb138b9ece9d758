// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IReserveOracle, IReserveFeed} from "../interfaces/IOracles.sol";
import {WadRayMath, RAY} from "../math/WadRayMath.sol";

/// @title ReserveOracle
/// @notice The slow, manipulation-resistant exchange rate of one collateral in the pool's base
/// asset (WAD). Liquidations value collateral with this figure only, never with the market price.
/// @dev Owner-free on purpose: every parameter is fixed at construction, so nobody can steer the
/// rate except through the feeds and the LRT protocol itself. The new rate is the smaller of the
/// LRT protocol's own rate and the mean of the first QUORUM feeds (a proven consensus-layer
/// valuation plugs in as such a feed), and one update moves it by at most MAX_CHANGE, so a
/// compromised source can only drag the rate slowly while liquidators and governance react.
abstract contract ReserveOracle is IReserveOracle {
    using WadRayMath for uint256;

    /// The cooldown keeps a sequence of clamped updates from compounding quickly.
    uint256 public constant UPDATE_COOLDOWN = 58 minutes;
    uint8 public constant MAX_FEED_COUNT = 3;

    uint8 public immutable ILK_INDEX;
    uint8 public immutable QUORUM;
    /// RAY fraction of the current rate that one update may move it by.
    uint256 public immutable MAX_CHANGE;
    address public immutable FEED0;
    address public immutable FEED1;
    address public immutable FEED2;

    uint256 public currentExchangeRate;
    uint256 public lastUpdated;

    constructor(uint8 ilkIndex, address[3] memory feeds, uint8 quorum, uint256 maxChange) {
        if (quorum > MAX_FEED_COUNT) revert InvalidQuorum(quorum);
        // Every feed the quorum counts must exist; the error reports how many leading feeds do.
        for (uint256 i = 0; i < quorum; ++i) {
            if (feeds[i] == address(0)) revert InvalidFeedLength(i);
        }
        if (maxChange == 0 || maxChange > RAY) revert InvalidMaxChange(maxChange);

        ILK_INDEX = ilkIndex;
        QUORUM = quorum;
        MAX_CHANGE = maxChange;
        FEED0 = feeds[0];
        FEED1 = feeds[1];
        FEED2 = feeds[2];
    }

    /// @dev Child constructors call this last: the protocol rate reads the child's immutables,
    /// which are not yet assigned while this base constructor runs. No clamp on the first value.
    /// `lastUpdated` stays 0, as in the public oracle: the first update is allowed at once.
    function _initializeExchangeRate() internal {
        uint256 rate = _getProtocolExchangeRate();
        currentExchangeRate = rate;
        emit UpdateExchangeRate(rate);
    }

    /// @notice The LRT protocol's own exchange rate of the collateral in the base asset (WAD).
    function _getProtocolExchangeRate() internal view virtual returns (uint256);

    function getProtocolExchangeRate() public view returns (uint256) {
        return _getProtocolExchangeRate();
    }

    /// @notice Anyone may refresh the rate once per cooldown.
    function updateExchangeRate() external {
        if (block.timestamp < lastUpdated + UPDATE_COOLDOWN) revert UpdateCooldown(lastUpdated);

        uint256 protocolRate = _getProtocolExchangeRate();
        uint256 target = protocolRate;
        if (QUORUM > 0) {
            uint256 feedMean = _aggregateFeeds();
            // The lower figure wins: overvaluing collateral is what loses lenders money.
            if (feedMean < target) target = feedMean;
        }

        uint256 current = currentExchangeRate;
        uint256 maxDelta = current.rayMulDown(MAX_CHANGE);
        uint256 upper = current + maxDelta;
        uint256 lower = current - maxDelta;
        if (target > upper) target = upper;
        else if (target < lower) target = lower;

        currentExchangeRate = target;
        lastUpdated = block.timestamp;
        emit UpdateExchangeRate(target);
    }

    /// @dev Arithmetic mean (floor) of the first QUORUM feeds.
    function _aggregateFeeds() internal view returns (uint256) {
        uint256 sum = IReserveFeed(FEED0).getExchangeRate(ILK_INDEX);
        if (QUORUM > 1) sum += IReserveFeed(FEED1).getExchangeRate(ILK_INDEX);
        if (QUORUM > 2) sum += IReserveFeed(FEED2).getExchangeRate(ILK_INDEX);
        return sum / QUORUM;
    }
}
