// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {IIonPool} from "./interfaces/IIonPool.sol";
import {IInterestRate, ISpotOracle} from "./interfaces/IOracles.sol";
import {IWhitelist} from "./interfaces/IWhitelist.sol";
import {IonPoolLayout} from "./IonPoolLayout.sol";
import {LenderToken} from "./LenderToken.sol";
import {WadRayMath, RAY} from "./math/WadRayMath.sol";

/// @title IonPool (clean-room reference)
/// @notice A Maker-Vat-style ledger lending one base asset against collateral "ilks", with a
/// rebasing lender token. Units: collateral / normalized debt / token amounts WAD, rate and spot
/// RAY, debt RAD. Every user function accrues interest first and reverts while paused.
/// @dev Only the public pool's external interface: the ledger's other figures (ilk count, debt,
/// spot oracle, gem, liquidity...) are read by IonLens through `extsload`, from the namespaced
/// struct that IonPoolLayout describes. Behaviour the client can notice follows the public pool
/// (ion-protocol.md appendix F): an uninitialized ilk index panics (0x32), a withdrawal or a
/// borrow beyond the pool's liquidity panics (0x11), the base asset moves before the lender
/// token's mint/burn and before the Supply/Withdraw/Borrow/Repay events, operators are not
/// pausable. Interest stops while the pool is paused: `pause` accrues up to the pause and
/// `unpause` restarts the clock. An ilk with no debt does not grow its rate.
contract IonPool is LenderToken, AccessControl {
    using SafeERC20 for IERC20;
    using WadRayMath for uint256;

    bytes32 public constant ION = keccak256("ION");
    bytes32 public constant PAUSE_ROLE = keccak256("PAUSE_ROLE");
    bytes32 public constant GEM_JOIN_ROLE = keccak256("GEM_JOIN_ROLE");
    bytes32 public constant LIQUIDATOR_ROLE = keccak256("LIQUIDATOR_ROLE");

    /// Field order is IonPoolLayout's (ILK_*): IonLens reads these slots.
    struct Ilk {
        address ilkAddress;
        address spot; // ISpotOracle
        uint256 totalNormalizedDebt; // WAD
        uint256 rate; // RAY, stored (without pending accrual)
        uint256 lastRateUpdate; // timestamp
        uint256 debtCeiling; // RAD
        uint256 dust; // RAD
    }

    struct Vault {
        uint256 collateral; // WAD
        uint256 normalizedDebt; // WAD
    }

    /// @custom:storage-location erc7201:ion.reference.IonPool
    /// Field order is IonPoolLayout's: IonLens reads these slots.
    struct IonPoolStorage {
        Ilk[] ilks;
        mapping(address => uint256) ilkIndexPlusOne;
        mapping(uint8 => mapping(address => Vault)) vaults;
        mapping(uint8 => mapping(address => uint256)) gem;
        mapping(address => uint256) unbackedDebt;
        mapping(address => mapping(address => bool)) isOperator;
        uint256 debt; // RAD: all ilks' normalized debt * rate, plus unbacked debt
        uint256 weth; // WAD: base asset the pool holds for lenders (donations not counted)
        uint256 supplyCap; // WAD
        uint256 totalUnbackedDebt; // RAD
        IInterestRate interestRateModule;
        IWhitelist whitelist;
    }

    function _s() private pure returns (IonPoolStorage storage $) {
        bytes32 root = IonPoolLayout.ROOT;
        assembly {
            $.slot := root
        }
    }

    constructor(
        address underlying_,
        address treasury_,
        string memory name_,
        string memory symbol_,
        address admin,
        address interestRateModule_,
        address whitelist_
    ) LenderToken(underlying_, treasury_, name_, symbol_) {
        if (interestRateModule_ == address(0)) revert InvalidInterestRateModule(interestRateModule_);
        if (whitelist_ == address(0)) revert InvalidWhitelist();
        IonPoolStorage storage $ = _s();
        $.interestRateModule = IInterestRate(interestRateModule_);
        $.whitelist = IWhitelist(whitelist_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ION, admin);
        _grantRole(PAUSE_ROLE, admin);
        emit InterestRateModuleUpdated(interestRateModule_);
        emit WhitelistUpdated(whitelist_);
        emit TreasuryUpdate(treasury_);
    }

    modifier onlyInitializedIlk(uint8 ilkIndex) {
        if (ilkIndex >= _s().ilks.length) revert IlkNotInitialized(ilkIndex);
        _;
    }

    // =========================================================================================
    // Admin
    // =========================================================================================

    function initializeIlk(address ilkAddress) external onlyRole(ION) {
        IonPoolStorage storage $ = _s();
        if (ilkAddress == address(0)) revert InvalidIlkAddress();
        if ($.ilkIndexPlusOne[ilkAddress] != 0) revert IlkAlreadyAdded(ilkAddress);
        // ilk indices are uint8 everywhere in the interface
        if ($.ilks.length == 256) revert MaxIlksReached();
        $.ilks.push(
            Ilk({
                ilkAddress: ilkAddress,
                spot: address(0),
                totalNormalizedDebt: 0,
                rate: RAY,
                lastRateUpdate: block.timestamp,
                debtCeiling: 0,
                dust: 0
            })
        );
        $.ilkIndexPlusOne[ilkAddress] = $.ilks.length;
        emit IlkInitialized(uint8($.ilks.length - 1), ilkAddress);
    }

    function updateIlkSpot(uint8 ilkIndex, address newSpot) external onlyRole(ION) onlyInitializedIlk(ilkIndex) {
        _s().ilks[ilkIndex].spot = newSpot;
        emit IlkSpotUpdated(ilkIndex, newSpot);
    }

    function updateIlkDebtCeiling(uint8 ilkIndex, uint256 newCeiling) external onlyRole(ION) onlyInitializedIlk(ilkIndex) {
        _s().ilks[ilkIndex].debtCeiling = newCeiling;
        emit IlkDebtCeilingUpdated(ilkIndex, newCeiling);
    }

    function updateIlkDust(uint8 ilkIndex, uint256 newDust) external onlyRole(ION) onlyInitializedIlk(ilkIndex) {
        _s().ilks[ilkIndex].dust = newDust;
        emit IlkDustUpdated(ilkIndex, newDust);
    }

    function updateSupplyCap(uint256 newSupplyCap) external onlyRole(ION) {
        _s().supplyCap = newSupplyCap;
        emit SupplyCapUpdated(newSupplyCap);
    }

    /// Accrues with the old module first, so past interest is priced by the curve that was live.
    function updateInterestRateModule(address newModule) external onlyRole(ION) {
        if (newModule == address(0)) revert InvalidInterestRateModule(newModule);
        if (!paused()) _accrueInterest();
        _s().interestRateModule = IInterestRate(newModule);
        emit InterestRateModuleUpdated(newModule);
    }

    function updateWhitelist(address newWhitelist) external onlyRole(ION) {
        if (newWhitelist == address(0)) revert InvalidWhitelist();
        _s().whitelist = IWhitelist(newWhitelist);
        emit WhitelistUpdated(newWhitelist);
    }

    /// Accrues up to now, then freezes the ledger (no interest while paused).
    function pause() external onlyRole(PAUSE_ROLE) {
        _accrueInterest();
        _pause();
    }

    /// Restarts every ilk's clock: the paused period bears no interest.
    function unpause() external onlyRole(ION) {
        _unpause();
        Ilk[] storage ilks = _s().ilks;
        uint256 n = ilks.length;
        for (uint256 i; i < n; ++i) {
            ilks[i].lastRateUpdate = block.timestamp;
        }
    }

    // =========================================================================================
    // Privileged hooks (GemJoin, Liquidation)
    // =========================================================================================

    /// GemJoin credits (wad > 0) or debits (wad < 0) the free collateral ("gem") of `usr`.
    /// Not pausable here: GemJoin refuses joins while the pool is paused, exits stay open.
    function mintAndBurnGem(uint8 ilkIndex, address usr, int256 wad) external onlyRole(GEM_JOIN_ROLE) {
        IonPoolStorage storage $ = _s();
        $.gem[ilkIndex][usr] = _add($.gem[ilkIndex][usr], wad);
        emit MintAndBurnGem(ilkIndex, usr, wad);
    }

    /// @notice Liquidation hook (Maker `grab` signs). Accrues first, so a repay figure computed
    /// from the `rate` view in the same block is exact.
    /// - collateral: vault(u).collateral += changeInCollateral; gem[v] -= changeInCollateral
    ///   (negative: collateral leaves the vault and becomes v's gem, e.g. the keeper's).
    /// - debt: vault(u).normalizedDebt += changeInNormalizedDebt, which must be <= 0 (a
    ///   liquidation never adds debt). d = |changeInNormalizedDebt| * rate (RAD) is settled:
    ///   * w != address(0): w pays ceil(d / RAY) of the base asset (transferFrom w to the pool;
    ///     w must have approved the pool). The pool's debt shrinks by d.
    ///   * w == address(0): nobody pays; d moves to unbackedDebt[v] and totalUnbackedDebt (bad
    ///     debt owned by v, the protocol), to be cleared later with `repayBadDebt`.
    /// No safety, consent, ceiling or dust checks: the caller is trusted with LIQUIDATOR_ROLE.
    function confiscateVault(
        uint8 ilkIndex,
        address u,
        address v,
        address w,
        int256 changeInCollateral,
        int256 changeInNormalizedDebt
    ) external onlyRole(LIQUIDATOR_ROLE) whenNotPaused {
        if (changeInNormalizedDebt > 0) revert ArithmeticError();
        _accrueInterest();

        IonPoolStorage storage $ = _s();
        Ilk storage ilk = $.ilks[ilkIndex];
        Vault storage position = $.vaults[ilkIndex][u];
        position.collateral = _add(position.collateral, changeInCollateral);
        $.gem[ilkIndex][v] = _add($.gem[ilkIndex][v], -changeInCollateral);
        position.normalizedDebt = _add(position.normalizedDebt, changeInNormalizedDebt);
        ilk.totalNormalizedDebt = _add(ilk.totalNormalizedDebt, changeInNormalizedDebt);

        uint256 removedDebt = uint256(-changeInNormalizedDebt) * ilk.rate;
        if (w == address(0)) {
            // the debt stays in `debt` (lenders are still owed it) but is now unbacked
            $.unbackedDebt[v] += removedDebt;
            $.totalUnbackedDebt += removedDebt;
        } else {
            $.debt -= removedDebt;
        }
        if (w != address(0) && removedDebt != 0) {
            uint256 amount = removedDebt.radToWadUp();
            $.weth += amount;
            UNDERLYING.safeTransferFrom(w, address(this), amount);
        }
        emit ConfiscateVault(ilkIndex, u, v, w, changeInCollateral, changeInNormalizedDebt);
    }

    /// msg.sender pays ceil(rad / RAY) of the base asset to clear `rad` of `user`'s bad debt.
    function repayBadDebt(address user, uint256 rad) external whenNotPaused {
        IonPoolStorage storage $ = _s();
        $.unbackedDebt[user] -= rad;
        $.totalUnbackedDebt -= rad;
        $.debt -= rad;
        uint256 amount = rad.radToWadUp();
        $.weth += amount;
        UNDERLYING.safeTransferFrom(msg.sender, address(this), amount);
        emit RepayBadDebt(user, msg.sender, rad);
    }

    // =========================================================================================
    // Lenders
    // =========================================================================================

    /// msg.sender pays `amount` of the base asset; `user` receives amount.rayDivDown(supplyFactor)
    /// normalized lender tokens.
    function supply(address user, uint256 amount, bytes32[] calldata proof) external whenNotPaused {
        IonPoolStorage storage $ = _s();
        if (!$.whitelist.isWhitelistedLender(msg.sender, user, proof)) revert IWhitelist.NotWhitelistedLender(user);
        uint256 newDebt = _accrueInterest();
        uint256 factor = _supplyFactor;
        $.weth += amount;
        UNDERLYING.safeTransferFrom(msg.sender, address(this), amount);
        _mint(user, amount, factor);
        if (_normalizedTotalSupply.rayMulDown(factor) > $.supplyCap) revert DepositSurpassesSupplyCap(amount, $.supplyCap);
        emit Supply(user, msg.sender, amount, factor, newDebt);
    }

    /// Burns amount.rayDivUp(supplyFactor) normalized tokens of msg.sender, sends `amount`.
    /// More than the pool's liquidity panics (arithmetic underflow), as on the public pool.
    function withdraw(address receiverOfUnderlying, uint256 amount) external whenNotPaused {
        uint256 newDebt = _accrueInterest();
        uint256 factor = _supplyFactor;
        _s().weth -= amount;
        UNDERLYING.safeTransfer(receiverOfUnderlying, amount);
        _burn(msg.sender, amount, factor);
        emit Withdraw(msg.sender, receiverOfUnderlying, amount, factor, newDebt);
    }

    // =========================================================================================
    // Borrowers
    // =========================================================================================

    /// Moves `amount` of depositor's gem into user's vault.
    function depositCollateral(uint8 ilkIndex, address user, address depositor, uint256 amount, bytes32[] calldata proof)
        external
        whenNotPaused
    {
        _onlyWhitelistedBorrower(ilkIndex, user, proof);
        _accrueInterest();
        _modifyPosition(ilkIndex, user, depositor, address(0), _toInt(amount), 0);
        emit DepositCollateral(ilkIndex, user, depositor, amount);
    }

    /// Moves `amount` of user's vault collateral to recipient's gem (exit it through GemJoin).
    function withdrawCollateral(uint8 ilkIndex, address user, address recipient, uint256 amount)
        external
        whenNotPaused
    {
        _accrueInterest();
        _modifyPosition(ilkIndex, user, recipient, address(0), -_toInt(amount), 0);
        emit WithdrawCollateral(ilkIndex, user, recipient, amount);
    }

    /// Adds normalized debt to user's vault; sends floor(nd * rate / RAY) base asset to recipient.
    function borrow(
        uint8 ilkIndex,
        address user,
        address recipient,
        uint256 amountOfNormalizedDebt,
        bytes32[] calldata proof
    ) external whenNotPaused {
        _onlyWhitelistedBorrower(ilkIndex, user, proof);
        _accrueInterest();
        uint256 ilkRate = _modifyPosition(ilkIndex, user, address(0), recipient, 0, _toInt(amountOfNormalizedDebt));
        uint256 amount = (amountOfNormalizedDebt * ilkRate).radToWadDown();
        IonPoolStorage storage $ = _s();
        $.weth -= amount;
        UNDERLYING.safeTransfer(recipient, amount);
        emit Borrow(ilkIndex, user, recipient, amountOfNormalizedDebt, ilkRate, $.debt);
    }

    /// Removes normalized debt from user's vault; pulls ceil(nd * rate / RAY) from payer.
    function repay(uint8 ilkIndex, address user, address payer, uint256 amountOfNormalizedDebt)
        external
        whenNotPaused
    {
        _accrueInterest();
        uint256 ilkRate = _modifyPosition(ilkIndex, user, address(0), payer, 0, -_toInt(amountOfNormalizedDebt));
        uint256 amount = (amountOfNormalizedDebt * ilkRate).radToWadUp();
        IonPoolStorage storage $ = _s();
        $.weth += amount;
        UNDERLYING.safeTransferFrom(payer, address(this), amount);
        emit Repay(ilkIndex, user, payer, amountOfNormalizedDebt, ilkRate, $.debt);
    }

    /// Not pausable (as on the public pool): consent can be withdrawn while the pool is paused.
    function addOperator(address operator) external {
        _s().isOperator[msg.sender][operator] = true;
        emit AddOperator(msg.sender, operator);
    }

    function removeOperator(address operator) external {
        _s().isOperator[msg.sender][operator] = false;
        emit RemoveOperator(msg.sender, operator);
    }

    function transferGem(uint8 ilkIndex, address src, address dst, uint256 wad) external whenNotPaused {
        if (!isAllowed(src, msg.sender)) revert GemTransferWithoutConsent(ilkIndex, src, msg.sender);
        _accrueInterest();
        IonPoolStorage storage $ = _s();
        $.gem[ilkIndex][src] = _add($.gem[ilkIndex][src], -_toInt(wad));
        $.gem[ilkIndex][dst] += wad;
        emit TransferGem(ilkIndex, src, dst, wad);
    }

    function accrueInterest() external whenNotPaused returns (uint256 newTotalDebt) {
        return _accrueInterest();
    }

    // =========================================================================================
    // Views (the public pool's; the rest is IonLens's, through extsload)
    // =========================================================================================

    function vault(uint8 ilkIndex, address user) external view returns (uint256, uint256) {
        Vault storage v = _s().vaults[ilkIndex][user];
        return (v.collateral, v.normalizedDebt);
    }

    function collateral(uint8 ilkIndex, address user) external view returns (uint256) {
        return _s().vaults[ilkIndex][user].collateral;
    }

    function normalizedDebt(uint8 ilkIndex, address user) external view returns (uint256) {
        return _s().vaults[ilkIndex][user].normalizedDebt;
    }

    /// The ilk's rate including interest pending since the last accrual.
    function rate(uint8 ilkIndex) external view returns (uint256) {
        (uint256 rateIncrease,,) = _ilkAccrual(ilkIndex, _totalSupplyUnaccrued());
        return _s().ilks[ilkIndex].rate + rateIncrease;
    }

    function dust(uint8 ilkIndex) external view returns (uint256) {
        return _s().ilks[ilkIndex].dust;
    }

    function getIlkAddress(uint256 ilkIndex) external view returns (address) {
        return _s().ilks[ilkIndex].ilkAddress;
    }

    function isAllowed(address user, address operator) public view returns (bool) {
        return user == operator || _s().isOperator[user][operator];
    }

    /// (RAY + per-second rate, reserve factor) at the stored totals: interest pending since the
    /// last accrual is not counted, as on the public pool.
    function getCurrentBorrowRate(uint8 ilkIndex) external view returns (uint256 borrowRate, uint256 reserveFactor) {
        IonPoolStorage storage $ = _s();
        Ilk storage ilk = $.ilks[ilkIndex];
        (borrowRate, reserveFactor) = $.interestRateModule.calculateInterestRate(
            ilkIndex, ilk.totalNormalizedDebt * ilk.rate, _totalSupplyUnaccrued()
        );
        borrowRate += RAY;
    }

    /// Supply factor including interest pending since the last accrual.
    function supplyFactor() public view override returns (uint256) {
        (, uint256 supplyFactorIncrease,,) = _pendingInterest();
        return _supplyFactor + supplyFactorIncrease;
    }

    function supplyFactorUnaccrued() external view returns (uint256) {
        return _supplyFactor;
    }

    function totalSupplyUnaccrued() external view returns (uint256) {
        return _totalSupplyUnaccrued();
    }

    function normalizedTotalSupplyUnaccrued() external view returns (uint256) {
        return _normalizedTotalSupply;
    }

    /// The normalized total supply once the pending treasury share is minted.
    function normalizedTotalSupply() external view override returns (uint256) {
        (, uint256 supplyFactorIncrease, uint256 treasuryMint,) = _pendingInterest();
        return _normalizedTotalSupply + _treasuryShares(treasuryMint, _supplyFactor + supplyFactorIncrease);
    }

    /// What the next accrual would do to the whole pool.
    function calculateRewardAndDebtDistribution()
        external
        view
        returns (
            uint256 totalSupplyFactorIncrease,
            uint256 totalTreasuryMintAmount,
            uint104[] memory rateIncreases,
            uint256 totalDebtIncrease,
            uint48[] memory timestampIncreases
        )
    {
        uint256[] memory increases;
        (increases, totalSupplyFactorIncrease, totalTreasuryMintAmount, totalDebtIncrease) = _pendingInterest();
        Ilk[] storage ilks = _s().ilks;
        uint256 n = increases.length;
        rateIncreases = new uint104[](n);
        timestampIncreases = new uint48[](n);
        for (uint256 i; i < n; ++i) {
            rateIncreases[i] = uint104(increases[i]);
            timestampIncreases[i] = uint48(block.timestamp - ilks[i].lastRateUpdate);
        }
    }

    /// One ilk's part of the next accrual: its rate increase (RAY) and the seconds since its last.
    function calculateRewardAndDebtDistributionForIlk(uint8 ilkIndex)
        external
        view
        returns (uint104 newRateIncrease, uint48 timestampIncrease)
    {
        (uint256 rateIncrease,,) = _ilkAccrual(ilkIndex, _totalSupplyUnaccrued());
        newRateIncrease = uint104(rateIncrease);
        timestampIncrease = uint48(block.timestamp - _s().ilks[ilkIndex].lastRateUpdate);
    }

    function extsload(bytes32 slot) external view returns (bytes32 value) {
        assembly {
            value := sload(slot)
        }
    }

    /// No proxy on the devnet: the implementation is the pool itself.
    function implementation() external view returns (address) {
        return address(this);
    }

    // =========================================================================================
    // Internals
    // =========================================================================================

    /// @dev The position change of Maker's `frob`: u's vault gains dink collateral taken from
    /// v's gem and dart normalized debt whose base asset goes to / comes from w. Checks run in the
    /// documented order; the caller accrued interest already. Returns the ilk's rate.
    function _modifyPosition(uint8 ilkIndex, address u, address v, address w, int256 dink, int256 dart)
        internal
        returns (uint256 ilkRate)
    {
        // 1. ilk initialized: an index past the end panics (0x32), as on the public pool
        Ilk storage ilk = _s().ilks[ilkIndex];
        Vault storage position = _s().vaults[ilkIndex][u];
        ilkRate = ilk.rate;

        uint256 newCollateral = _add(position.collateral, dink);
        uint256 newNormalizedDebt = _add(position.normalizedDebt, dart);
        uint256 newTotalDebtInVault = newNormalizedDebt * ilkRate;

        // 2. debt ceiling, only when debt grows
        if (dart > 0) _checkCeiling(ilk, _add(ilk.totalNormalizedDebt, dart) * ilkRate);

        // 3. safety, when debt grows or collateral shrinks. A debt-free vault is always safe, so
        //    the oracle is not asked (a stale or unset spot must not lock debt-free collateral).
        bool lessSafe = dart > 0 || dink < 0;
        if (lessSafe && newTotalDebtInVault != 0) _checkSafe(ilk.spot, newTotalDebtInVault, newCollateral);

        // 4. consent: the vault owner for a riskier vault, the gem owner for collateral taken
        //    from it, the payer for base asset taken from it
        if (lessSafe && !isAllowed(u, msg.sender)) revert UnsafePositionChangeWithoutConsent(ilkIndex, u, msg.sender);
        if (dink > 0 && !isAllowed(v, msg.sender)) revert UseOfCollateralWithoutConsent(ilkIndex, v, msg.sender);
        if (dart < 0 && !isAllowed(w, msg.sender)) revert TakingWethWithoutConsent(w, msg.sender);

        // 5. dust: a vault with debt must owe at least `dust`
        if (newNormalizedDebt != 0 && newTotalDebtInVault < ilk.dust) {
            revert VaultCannotBeDusty(newTotalDebtInVault, ilk.dust);
        }

        position.collateral = newCollateral;
        position.normalizedDebt = newNormalizedDebt;
        if (dink != 0) _s().gem[ilkIndex][v] = _add(_s().gem[ilkIndex][v], -dink);
        if (dart != 0) {
            ilk.totalNormalizedDebt = _add(ilk.totalNormalizedDebt, dart);
            if (dart > 0) _s().debt += uint256(dart) * ilkRate;
            else _s().debt -= uint256(-dart) * ilkRate;
        }
    }

    function _checkCeiling(Ilk storage ilk, uint256 newIlkDebt) internal view {
        if (newIlkDebt > ilk.debtCeiling) revert CeilingExceeded(newIlkDebt, ilk.debtCeiling);
    }

    function _checkSafe(address spotOracle, uint256 newTotalDebtInVault, uint256 newCollateral) internal view {
        uint256 ilkSpot = spotOracle == address(0) ? 0 : ISpotOracle(spotOracle).getSpot();
        if (newTotalDebtInVault > newCollateral * ilkSpot) {
            revert UnsafePositionChange(newTotalDebtInVault, newCollateral, ilkSpot);
        }
    }

    function _onlyWhitelistedBorrower(uint8 ilkIndex, address user, bytes32[] calldata proof) internal view {
        if (!_s().whitelist.isWhitelistedBorrower(ilkIndex, msg.sender, user, proof)) {
            revert IWhitelist.NotWhitelistedBorrower(ilkIndex, user);
        }
    }

    /// One ilk's pending accrual: rate increase (RAY), new debt (RAD), reserve share (RAD).
    function _ilkAccrual(uint8 ilkIndex, uint256 totalEthSupply)
        internal
        view
        returns (uint256 rateIncrease, uint256 newDebt, uint256 reserve)
    {
        IonPoolStorage storage $ = _s();
        Ilk storage ilk = $.ilks[ilkIndex];
        uint256 dt = block.timestamp - ilk.lastRateUpdate;
        if (dt == 0 || ilk.totalNormalizedDebt == 0 || paused()) return (0, 0, 0);
        (uint256 borrowRate, uint256 reserveFactor) =
            $.interestRateModule.calculateInterestRate(ilkIndex, ilk.totalNormalizedDebt * ilk.rate, totalEthSupply);
        if (borrowRate == 0) return (0, 0, 0);
        rateIncrease = ilk.rate.rayMulUp(WadRayMath.rpow(RAY + borrowRate, dt, RAY) - RAY);
        newDebt = ilk.totalNormalizedDebt * rateIncrease;
        reserve = newDebt.rayMulDown(reserveFactor);
    }

    /// Pending accrual of the whole pool: per-ilk rate increases, the supply factor increase
    /// (lenders' share of the new debt spread over the normalized supply), the treasury's share
    /// (WAD of lender token) and the total new debt (RAD).
    function _pendingInterest()
        internal
        view
        returns (uint256[] memory rateIncreases, uint256 supplyFactorIncrease, uint256 treasuryMint, uint256 debtIncrease)
    {
        uint256 n = _s().ilks.length;
        rateIncreases = new uint256[](n);
        uint256 totalEthSupply = _totalSupplyUnaccrued();
        uint256 totalReserve;
        for (uint256 i; i < n; ++i) {
            (uint256 rateIncrease, uint256 newDebt, uint256 reserve) = _ilkAccrual(uint8(i), totalEthSupply);
            rateIncreases[i] = rateIncrease;
            debtIncrease += newDebt;
            totalReserve += reserve;
        }
        uint256 normalizedSupply = _normalizedTotalSupply;
        // RAD / WAD = RAY, rounded down: lenders never get more than the borrowers owe
        if (normalizedSupply != 0) supplyFactorIncrease = (debtIncrease - totalReserve) / normalizedSupply;
        treasuryMint = totalReserve.radToWadDown();
    }

    /// Normalized lender tokens a treasury mint of `amount` creates at `factor` (0 if it rounds away).
    function _treasuryShares(uint256 amount, uint256 factor) internal pure returns (uint256) {
        return amount == 0 ? 0 : amount.rayDivDown(factor);
    }

    function _accrueInterest() internal returns (uint256 newTotalDebt) {
        (uint256[] memory rateIncreases, uint256 supplyFactorIncrease, uint256 treasuryMint, uint256 debtIncrease) =
            _pendingInterest();
        IonPoolStorage storage $ = _s();
        uint256 n = $.ilks.length;
        for (uint256 i; i < n; ++i) {
            Ilk storage ilk = $.ilks[i];
            ilk.rate += rateIncreases[i];
            ilk.lastRateUpdate = block.timestamp;
        }
        uint256 factor = _supplyFactor + supplyFactorIncrease;
        _supplyFactor = factor;
        newTotalDebt = $.debt + debtIncrease;
        $.debt = newTotalDebt;
        // the reserve share becomes lender token of the treasury (skipped if it rounds to 0)
        if (_treasuryShares(treasuryMint, factor) != 0) {
            _mint(TREASURY, treasuryMint, factor);
            emit MintToTreasury(TREASURY, treasuryMint, factor);
        }
    }

    function _toInt(uint256 x) internal pure returns (int256) {
        if (x > uint256(type(int256).max)) revert ArithmeticError();
        return int256(x);
    }

    /// x + y for a signed change; ArithmeticError instead of a panic so the CLI can decode it.
    function _add(uint256 x, int256 y) internal pure returns (uint256) {
        if (y >= 0) {
            uint256 z = x + uint256(y);
            return z;
        }
        uint256 sub = uint256(-y);
        if (sub > x) revert ArithmeticError();
        return x - sub;
    }
}
