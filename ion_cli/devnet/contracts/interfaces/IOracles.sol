// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

interface IInterestRate {
    /// borrowRate: per-second rate in RAY *without* the 1; reserveFactor in RAY.
    function calculateInterestRate(uint256 ilkIndex, uint256 totalIlkDebt, uint256 totalEthSupply) external view returns (uint256 borrowRate, uint256 reserveFactor);
}

/// A reserve-oracle feed (a proven consensus-layer valuation plugs in here later).
interface IReserveFeed {
    function getExchangeRate(uint8 ilkIndex) external view returns (uint256);
}

interface IReserveOracle {
    error UpdateCooldown(uint256 lastUpdated);
    error InvalidQuorum(uint8 quorum);
    error InvalidFeedLength(uint256 length);
    error InvalidMaxChange(uint256 maxChange);

    event UpdateExchangeRate(uint256 exchangeRate);

    function currentExchangeRate() external view returns (uint256);
    function updateExchangeRate() external;
    function getProtocolExchangeRate() external view returns (uint256);
    function lastUpdated() external view returns (uint256);
    function MAX_CHANGE() external view returns (uint256);
    function QUORUM() external view returns (uint8);
    function FEED0() external view returns (address);
    function FEED1() external view returns (address);
    function FEED2() external view returns (address);
    function ILK_INDEX() external view returns (uint8);
}

interface ISpotOracle {
    error InvalidLtv(uint256 ltv);

    function getPrice() external view returns (uint256);
    function getSpot() external view returns (uint256);
    function LTV() external view returns (uint256);
    function RESERVE_ORACLE() external view returns (address);
}

/// The devnet's stand-in market price feed (Chainlink-like): price of 1 collateral in base, WAD.
interface IMarketPriceFeed {
    function latestPrice() external view returns (uint256 price, uint256 updatedAt);
}

interface ILiquidation {
    error VaultIsNotUnsafe(uint256 healthRatio);
    error ExchangeRateCannotBeZero();

    event Liquidate(address indexed initiator, address indexed kpr, uint8 indexed ilkIndex, uint256 repay, uint256 gemOut);

    function liquidate(uint8 ilkIndex, address vault, address kpr) external returns (uint256 repayAmount, uint256 gemOut);
    function getRepayAmt(uint8 ilkIndex, address vault) external view returns (uint256);
    function TARGET_HEALTH() external view returns (uint256);
    function BASE_DISCOUNT() external view returns (uint256);
    function MAX_DISCOUNT() external view returns (uint256);
    function LIQUIDATION_THRESHOLD() external view returns (uint256);
    function RESERVE_ORACLE() external view returns (address);
    function PROTOCOL() external view returns (address);
    function POOL() external view returns (address);
    function UNDERLYING() external view returns (address);
}
