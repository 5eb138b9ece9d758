// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

/// @notice The external interface of IonPool as published (v2), including the privileged hooks
/// GemJoin and Liquidation call. Nothing else: IonLens reads the rest through `extsload`.
/// Function order follows ../shared/docs/ion-protocol.md.
interface IIonPool {
    // ---- errors (exact signatures, decoded by the CLI) ----
    error CeilingExceeded(uint256 newDebt, uint256 debtCeiling);
    error UnsafePositionChange(uint256 newTotalDebtInVault, uint256 collateral, uint256 spot);
    error UnsafePositionChangeWithoutConsent(uint8 ilkIndex, address user, address unconsentedOperator);
    error GemTransferWithoutConsent(uint8 ilkIndex, address user, address unconsentedOperator);
    error UseOfCollateralWithoutConsent(uint8 ilkIndex, address depositor, address unconsentedOperator);
    error TakingWethWithoutConsent(address payer, address unconsentedOperator);
    error VaultCannotBeDusty(uint256 amountLeft, uint256 dust);
    error ArithmeticError();
    error IlkAlreadyAdded(address ilkAddress);
    error IlkNotInitialized(uint256 ilkIndex);
    error DepositSurpassesSupplyCap(uint256 depositAmount, uint256 supplyCap);
    error MaxIlksReached();
    error InvalidIlkAddress();
    error InvalidInterestRateModule(address invalidInterestRateModule);
    error InvalidWhitelist();
    // lender token
    error InsufficientBalance(address account, uint256 balance, uint256 needed);
    error InvalidSender(address sender);
    error InvalidReceiver(address receiver);
    error SelfTransfer(address self);
    error InvalidBurnAmount();
    error InvalidMintAmount();

    // ---- events (exact) ----
    event Supply(address indexed user, address indexed underlyingFrom, uint256 amount, uint256 supplyFactor, uint256 newDebt);
    event Withdraw(address indexed user, address indexed target, uint256 amount, uint256 supplyFactor, uint256 newDebt);
    event DepositCollateral(uint8 indexed ilkIndex, address indexed user, address indexed depositor, uint256 amount);
    event WithdrawCollateral(uint8 indexed ilkIndex, address indexed user, address indexed recipient, uint256 amount);
    event Borrow(uint8 indexed ilkIndex, address indexed user, address indexed recipient, uint256 amountOfNormalizedDebt, uint256 ilkRate, uint256 totalDebt);
    event Repay(uint8 indexed ilkIndex, address indexed user, address indexed payer, uint256 amountOfNormalizedDebt, uint256 ilkRate, uint256 totalDebt);
    event MintAndBurnGem(uint8 indexed ilkIndex, address indexed usr, int256 wad);
    event TransferGem(uint8 indexed ilkIndex, address indexed src, address indexed dst, uint256 wad);
    event AddOperator(address indexed user, address indexed operator);
    event RemoveOperator(address indexed user, address indexed operator);
    event ConfiscateVault(uint8 indexed ilkIndex, address indexed u, address v, address indexed w, int256 changeInCollateral, int256 changeInNormalizedDebt);
    event RepayBadDebt(address indexed user, address indexed payer, uint256 rad);
    event MintToTreasury(address indexed treasury, uint256 amount, uint256 supplyFactor);
    event TreasuryUpdate(address treasury);
    event IlkInitialized(uint8 indexed ilkIndex, address indexed ilkAddress);
    event IlkSpotUpdated(uint8 indexed ilkIndex, address newSpot);
    event IlkDebtCeilingUpdated(uint8 indexed ilkIndex, uint256 newDebtCeiling);
    event IlkDustUpdated(uint8 indexed ilkIndex, uint256 newDust);
    event SupplyCapUpdated(uint256 newSupplyCap);
    event InterestRateModuleUpdated(address newModule);
    event WhitelistUpdated(address newWhitelist);

    // ---- user functions ----
    function supply(address user, uint256 amount, bytes32[] calldata proof) external;
    function withdraw(address receiverOfUnderlying, uint256 amount) external;
    function depositCollateral(uint8 ilkIndex, address user, address depositor, uint256 amount, bytes32[] calldata proof) external;
    function withdrawCollateral(uint8 ilkIndex, address user, address recipient, uint256 amount) external;
    function borrow(uint8 ilkIndex, address user, address recipient, uint256 amountOfNormalizedDebt, bytes32[] calldata proof) external;
    function repay(uint8 ilkIndex, address user, address payer, uint256 amountOfNormalizedDebt) external;
    function addOperator(address operator) external;
    function removeOperator(address operator) external;
    function transferGem(uint8 ilkIndex, address src, address dst, uint256 wad) external;
    function accrueInterest() external returns (uint256 newTotalDebt);
    function repayBadDebt(address user, uint256 rad) external;

    // ---- views ----
    function vault(uint8 ilkIndex, address user) external view returns (uint256 collateral, uint256 normalizedDebt);
    function collateral(uint8 ilkIndex, address user) external view returns (uint256);
    function normalizedDebt(uint8 ilkIndex, address user) external view returns (uint256);
    function rate(uint8 ilkIndex) external view returns (uint256);
    function dust(uint8 ilkIndex) external view returns (uint256);
    function getIlkAddress(uint256 ilkIndex) external view returns (address);
    function isAllowed(address user, address operator) external view returns (bool);
    function getCurrentBorrowRate(uint8 ilkIndex) external view returns (uint256 borrowRate, uint256 reserveFactor);
    function balanceOf(address user) external view returns (uint256);
    function totalSupply() external view returns (uint256);
    function supplyFactor() external view returns (uint256);
    function normalizedBalanceOf(address user) external view returns (uint256);
    function normalizedTotalSupply() external view returns (uint256);
    function balanceOfUnaccrued(address user) external view returns (uint256);
    function supplyFactorUnaccrued() external view returns (uint256);
    function totalSupplyUnaccrued() external view returns (uint256);
    function normalizedTotalSupplyUnaccrued() external view returns (uint256);
    function underlying() external view returns (address);
    function decimals() external view returns (uint8);
    function name() external view returns (string memory);
    function symbol() external view returns (string memory);
    function treasury() external view returns (address);
    function paused() external view returns (bool);
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function approve(address spender, uint256 amount) external returns (bool);
    function allowance(address owner, address spender) external view returns (uint256);
    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;
    function nonces(address owner) external view returns (uint256);
    function calculateRewardAndDebtDistribution()
        external
        view
        returns (
            uint256 totalSupplyFactorIncrease,
            uint256 totalTreasuryMintAmount,
            uint104[] memory rateIncreases,
            uint256 totalDebtIncrease,
            uint48[] memory timestampIncreases
        );
    function calculateRewardAndDebtDistributionForIlk(uint8 ilkIndex)
        external
        view
        returns (uint104 newRateIncrease, uint48 timestampIncrease);
    function extsload(bytes32 slot) external view returns (bytes32);
    function implementation() external view returns (address);

    // ---- admin (role ION unless noted) ----
    function initializeIlk(address ilkAddress) external;
    function updateIlkSpot(uint8 ilkIndex, address newSpot) external;
    function updateIlkDebtCeiling(uint8 ilkIndex, uint256 newCeiling) external;
    function updateIlkDust(uint8 ilkIndex, uint256 newDust) external;
    function updateSupplyCap(uint256 newSupplyCap) external;
    function updateInterestRateModule(address newModule) external;
    function updateWhitelist(address newWhitelist) external;
    function pause() external; // PAUSE_ROLE
    function unpause() external; // ION

    // ---- privileged hooks of the reference deployment ----
    /// GEM_JOIN_ROLE: GemJoin credits (wad > 0) or debits (wad < 0) gem of `usr`.
    function mintAndBurnGem(uint8 ilkIndex, address usr, int256 wad) external;
    /// LIQUIDATOR_ROLE (accrues first). Maker `grab` signs: vault(u).collateral += changeInCollateral
    /// and gem[v] -= changeInCollateral (negative = collateral leaves the vault to v's gem);
    /// vault(u).normalizedDebt += changeInNormalizedDebt (must be <= 0). The removed debt
    /// d = |changeInNormalizedDebt| * rate (RAD) is settled by w: w != address(0) pays
    /// ceil(d / RAY) of the base asset (pool pulls it with transferFrom: w approves the pool);
    /// w == address(0) pays nothing and d becomes unbackedDebt[v] (confiscation to PROTOCOL).
    function confiscateVault(uint8 ilkIndex, address u, address v, address w, int256 changeInCollateral, int256 changeInNormalizedDebt) external;
}
