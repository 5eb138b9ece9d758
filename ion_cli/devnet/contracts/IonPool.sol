// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {IIonPool} from "./interfaces/IIonPool.sol";
import {IInterestRate, ISpotOracle} from "./interfaces/IOracles.sol";
import {IWhitelist} from "./interfaces/IWhitelist.sol";
import {LenderToken} from "./LenderToken.sol";
import {WadRayMath, RAY} from "./math/WadRayMath.sol";

/// @title IonPool (clean-room reference)
/// @notice A Maker-Vat-style ledger lending one base asset against collateral "ilks", with a
/// rebasing lender token. Units: collateral / normalized debt / token amounts WAD, rate and spot
/// RAY, debt RAD. Every user function accrues interest first and reverts while paused.
/// @dev Interest stops while the pool is paused: `pause` accrues up to the pause and `unpause`
/// restarts the clock, so the views never show interest for paused time. An ilk with no debt
/// does not grow its rate (nobody owes anything), its clock simply moves on.
contract IonPool is LenderToken, AccessControl {
    using SafeERC20 for IERC20;
    using WadRayMath for uint256;

    bytes32 public constant ION = keccak256("ION");
    bytes32 public constant PAUSE_ROLE = keccak256("PAUSE_ROLE");
    bytes32 public constant GEM_JOIN_ROLE = keccak256("GEM_JOIN_ROLE");
    bytes32 public constant LIQUIDATOR_ROLE = keccak256("LIQUIDATOR_ROLE");

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

    Ilk[] internal _ilks;
    mapping(address => uint256) internal _ilkIndexPlusOne;
    mapping(uint8 => mapping(address => Vault)) internal _vaults;
    mapping(uint8 => mapping(address => uint256)) internal _gem;
    mapping(address => uint256) internal _unbackedDebt;
    mapping(address => mapping(address => bool)) internal _isOperator;

    /// Total debt of the pool in RAD (all ilks' normalized debt * rate, plus unbacked debt).
    uint256 internal _debt;
    uint256 internal _totalUnbackedDebt;
    uint256 internal _supplyCap;
    IInterestRate internal _interestRateModule;
    IWhitelist internal _whitelist;

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
        _interestRateModule = IInterestRate(interestRateModule_);
        _whitelist = IWhitelist(whitelist_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ION, admin);
        _grantRole(PAUSE_ROLE, admin);
    }

    modifier onlyInitializedIlk(uint8 ilkIndex) {
        if (ilkIndex >= _ilks.length) revert IlkNotInitialized(ilkIndex);
        _;
    }

    // =========================================================================================
    // Admin
    // =========================================================================================

    function initializeIlk(address ilkAddress) external onlyRole(ION) {
        if (ilkAddress == address(0)) revert InvalidIlkAddress();
        if (_ilkIndexPlusOne[ilkAddress] != 0) revert IlkAlreadyAdded(ilkAddress);
        // ilk indices are uint8 everywhere in the interface
        if (_ilks.length == 256) revert MaxIlksReached();
        _ilks.push(
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
        _ilkIndexPlusOne[ilkAddress] = _ilks.length;
    }

    function updateIlkSpot(uint8 ilkIndex, address newSpot) external onlyRole(ION) onlyInitializedIlk(ilkIndex) {
        _ilks[ilkIndex].spot = newSpot;
    }

    function updateIlkDebtCeiling(uint8 ilkIndex, uint256 newCeiling) external onlyRole(ION) onlyInitializedIlk(ilkIndex) {
        _ilks[ilkIndex].debtCeiling = newCeiling;
    }

    function updateIlkDust(uint8 ilkIndex, uint256 newDust) external onlyRole(ION) onlyInitializedIlk(ilkIndex) {
        _ilks[ilkIndex].dust = newDust;
    }

    function updateSupplyCap(uint256 newSupplyCap) external onlyRole(ION) {
        _supplyCap = newSupplyCap;
    }

    /// Accrues with the old module first, so past interest is priced by the curve that was live.
    function updateInterestRateModule(address newModule) external onlyRole(ION) {
        if (newModule == address(0)) revert InvalidInterestRateModule(newModule);
        if (!paused()) _accrueInterest();
        _interestRateModule = IInterestRate(newModule);
    }

    function updateWhitelist(address newWhitelist) external onlyRole(ION) {
        if (newWhitelist == address(0)) revert InvalidWhitelist();
        _whitelist = IWhitelist(newWhitelist);
    }

    /// Accrues up to now, then freezes the ledger (no interest while paused).
    function pause() external onlyRole(PAUSE_ROLE) {
        _accrueInterest();
        _pause();
    }

    /// Restarts every ilk's clock: the paused period bears no interest.
    function unpause() external onlyRole(ION) {
        _unpause();
        uint256 n = _ilks.length;
        for (uint256 i; i < n; ++i) {
            _ilks[i].lastRateUpdate = block.timestamp;
        }
    }

    // =========================================================================================
    // Privileged hooks (GemJoin, Liquidation)
    // =========================================================================================

    /// GemJoin credits (wad > 0) or debits (wad < 0) the free collateral ("gem") of `usr`.
    /// Not pausable, so collateral can always leave through GemJoin (which has its own pause).
    function mintAndBurnGem(uint8 ilkIndex, address usr, int256 wad)
        external
        onlyRole(GEM_JOIN_ROLE)
        onlyInitializedIlk(ilkIndex)
    {
        _gem[ilkIndex][usr] = _add(_gem[ilkIndex][usr], wad);
        emit MintAndBurnGem(ilkIndex, usr, wad);
    }

    /// @notice Liquidation hook (Maker `grab` signs). Accrues first, so a repay figure computed
    /// from the `rate` view in the same block is exact.
    /// - collateral: vault(u).collateral += changeInCollateral; gem[v] -= changeInCollateral
    ///   (negative: collateral leaves the vault and becomes v's gem, e.g. the keeper's).
    /// - debt: vault(u).normalizedDebt += changeInNormalizedDebt, which must be <= 0 (a
    ///   liquidation never adds debt). d = |changeInNormalizedDebt| * rate (RAD) is settled:
    ///   * w != address(0): w pays ceil(d / RAY) of the base asset (transferFrom w to the pool;
    ///     w must have approved the pool). The pool's debt shrinks by d. Used for a normal
    ///     liquidation and for the dust branch (all debt removed, part of the collateral).
    ///   * w == address(0): nobody pays; d moves to unbackedDebt[v] and totalUnbackedDebt (bad
    ///     debt owned by v, the protocol). Used to confiscate the whole vault to PROTOCOL:
    ///     confiscateVault(ilk, vault, PROTOCOL, address(0), -collateral, -normalizedDebt).
    /// No safety, consent, ceiling or dust checks: the caller is trusted with LIQUIDATOR_ROLE.
    function confiscateVault(
        uint8 ilkIndex,
        address u,
        address v,
        address w,
        int256 changeInCollateral,
        int256 changeInNormalizedDebt
    ) external onlyRole(LIQUIDATOR_ROLE) whenNotPaused onlyInitializedIlk(ilkIndex) {
        if (changeInNormalizedDebt > 0) revert ArithmeticError();
        _accrueInterest();

        Ilk storage ilk = _ilks[ilkIndex];
        Vault storage position = _vaults[ilkIndex][u];
        position.collateral = _add(position.collateral, changeInCollateral);
        _gem[ilkIndex][v] = _add(_gem[ilkIndex][v], -changeInCollateral);
        position.normalizedDebt = _add(position.normalizedDebt, changeInNormalizedDebt);
        ilk.totalNormalizedDebt = _add(ilk.totalNormalizedDebt, changeInNormalizedDebt);

        uint256 removedDebt = uint256(-changeInNormalizedDebt) * ilk.rate;
        if (w == address(0)) {
            // the debt stays in `_debt` (lenders are still owed it) but is now unbacked
            _unbackedDebt[v] += removedDebt;
            _totalUnbackedDebt += removedDebt;
        } else {
            _debt -= removedDebt;
        }
        emit ConfiscateVault(ilkIndex, u, v, w, changeInCollateral, changeInNormalizedDebt);

        if (w != address(0) && removedDebt != 0) {
            UNDERLYING.safeTransferFrom(w, address(this), removedDebt.radToWadUp());
        }
    }

    // =========================================================================================
    // Lenders
    // =========================================================================================

    /// msg.sender pays `amount` of the base asset; `user` receives amount.rayDivDown(supplyFactor)
    /// normalized lender tokens.
    function supply(address user, uint256 amount, bytes32[] calldata proof) external whenNotPaused {
        if (!_whitelist.isWhitelistedLender(msg.sender, user, proof)) revert IWhitelist.NotWhitelistedLender(user);
        uint256 newDebt = _accrueInterest();
        uint256 factor = _supplyFactor;
        _mint(user, amount, factor);
        if (_normalizedTotalSupply.rayMulDown(factor) > _supplyCap) revert DepositSurpassesSupplyCap(amount, _supplyCap);
        emit Supply(user, msg.sender, amount, factor, newDebt);
        UNDERLYING.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// Burns amount.rayDivUp(supplyFactor) normalized tokens of msg.sender, sends `amount`.
    function withdraw(address receiverOfUnderlying, uint256 amount) external whenNotPaused {
        uint256 newDebt = _accrueInterest();
        uint256 factor = _supplyFactor;
        _burn(msg.sender, amount, factor);
        emit Withdraw(msg.sender, receiverOfUnderlying, amount, factor, newDebt);
        UNDERLYING.safeTransfer(receiverOfUnderlying, amount);
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
        emit Borrow(ilkIndex, user, recipient, amountOfNormalizedDebt, ilkRate, _debt);
        UNDERLYING.safeTransfer(recipient, (amountOfNormalizedDebt * ilkRate).radToWadDown());
    }

    /// Removes normalized debt from user's vault; pulls ceil(nd * rate / RAY) from payer.
    function repay(uint8 ilkIndex, address user, address payer, uint256 amountOfNormalizedDebt)
        external
        whenNotPaused
    {
        _accrueInterest();
        uint256 ilkRate = _modifyPosition(ilkIndex, user, address(0), payer, 0, -_toInt(amountOfNormalizedDebt));
        emit Repay(ilkIndex, user, payer, amountOfNormalizedDebt, ilkRate, _debt);
        UNDERLYING.safeTransferFrom(payer, address(this), (amountOfNormalizedDebt * ilkRate).radToWadUp());
    }

    function addOperator(address operator) external whenNotPaused {
        _isOperator[msg.sender][operator] = true;
        emit AddOperator(msg.sender, operator);
    }

    function removeOperator(address operator) external whenNotPaused {
        _isOperator[msg.sender][operator] = false;
        emit RemoveOperator(msg.sender, operator);
    }

    function transferGem(uint8 ilkIndex, address src, address dst, uint256 wad)
        external
        whenNotPaused
        onlyInitializedIlk(ilkIndex)
    {
        if (!isAllowed(src, msg.sender)) revert GemTransferWithoutConsent(ilkIndex, src, msg.sender);
        _accrueInterest();
        _gem[ilkIndex][src] = _add(_gem[ilkIndex][src], -_toInt(wad));
        _gem[ilkIndex][dst] += wad;
        emit TransferGem(ilkIndex, src, dst, wad);
    }

    function accrueInterest() external whenNotPaused returns (uint256 newTotalDebt) {
        return _accrueInterest();
    }

    // =========================================================================================
    // Views
    // =========================================================================================

    function vault(uint8 ilkIndex, address user) external view returns (uint256, uint256) {
        Vault storage v = _vaults[ilkIndex][user];
        return (v.collateral, v.normalizedDebt);
    }

    function collateral(uint8 ilkIndex, address user) external view returns (uint256) {
        return _vaults[ilkIndex][user].collateral;
    }

    function normalizedDebt(uint8 ilkIndex, address user) external view returns (uint256) {
        return _vaults[ilkIndex][user].normalizedDebt;
    }

    /// The ilk's rate including interest pending since the last accrual.
    function rate(uint8 ilkIndex) external view onlyInitializedIlk(ilkIndex) returns (uint256) {
        (uint256 rateIncrease,,) = _ilkAccrual(ilkIndex, _totalSupplyUnaccrued());
        return _ilks[ilkIndex].rate + rateIncrease;
    }

    function rateUnaccrued(uint8 ilkIndex) external view onlyInitializedIlk(ilkIndex) returns (uint256) {
        return _ilks[ilkIndex].rate;
    }

    function dust(uint8 ilkIndex) external view onlyInitializedIlk(ilkIndex) returns (uint256) {
        return _ilks[ilkIndex].dust;
    }

    function getIlkAddress(uint256 ilkIndex) external view returns (address) {
        if (ilkIndex >= _ilks.length) revert IlkNotInitialized(ilkIndex);
        return _ilks[ilkIndex].ilkAddress;
    }

    /// Reverts InvalidIlkAddress for an address that is no ilk of this pool.
    function getIlkIndex(address ilkAddress) external view returns (uint8) {
        uint256 indexPlusOne = _ilkIndexPlusOne[ilkAddress];
        if (indexPlusOne == 0) revert InvalidIlkAddress();
        return uint8(indexPlusOne - 1);
    }

    function isAllowed(address user, address operator) public view returns (bool) {
        return user == operator || _isOperator[user][operator];
    }

    /// (RAY + per-second rate, reserve factor) at the current (accrued) debt and supply.
    function getCurrentBorrowRate(uint8 ilkIndex)
        external
        view
        onlyInitializedIlk(ilkIndex)
        returns (uint256 borrowRate, uint256 reserveFactor)
    {
        Ilk storage ilk = _ilks[ilkIndex];
        (uint256 rateIncrease,,) = _ilkAccrual(ilkIndex, _totalSupplyUnaccrued());
        uint256 totalIlkDebt = ilk.totalNormalizedDebt * (ilk.rate + rateIncrease);
        (borrowRate, reserveFactor) = _interestRateModule.calculateInterestRate(ilkIndex, totalIlkDebt, totalSupply());
        borrowRate += RAY;
    }

    /// Supply factor including interest pending since the last accrual.
    function supplyFactor() public view override returns (uint256) {
        (, uint256 supplyFactorIncrease,,) = _pendingInterest();
        return _supplyFactor + supplyFactorIncrease;
    }

    function debt() external view returns (uint256) {
        (,,, uint256 debtIncrease) = _pendingInterest();
        return _debt + debtIncrease;
    }

    function debtUnaccrued() external view returns (uint256) {
        return _debt;
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

    // ---- reference-only views (read by IonLens) ----

    function ilkCount() external view returns (uint256) {
        return _ilks.length;
    }

    function totalNormalizedDebt(uint8 ilkIndex) external view onlyInitializedIlk(ilkIndex) returns (uint256) {
        return _ilks[ilkIndex].totalNormalizedDebt;
    }

    function lastRateUpdate(uint8 ilkIndex) external view onlyInitializedIlk(ilkIndex) returns (uint256) {
        return _ilks[ilkIndex].lastRateUpdate;
    }

    function spot(uint8 ilkIndex) external view onlyInitializedIlk(ilkIndex) returns (address) {
        return _ilks[ilkIndex].spot;
    }

    function debtCeiling(uint8 ilkIndex) external view onlyInitializedIlk(ilkIndex) returns (uint256) {
        return _ilks[ilkIndex].debtCeiling;
    }

    function gem(uint8 ilkIndex, address user) external view returns (uint256) {
        return _gem[ilkIndex][user];
    }

    function unbackedDebt(address user) external view returns (uint256) {
        return _unbackedDebt[user];
    }

    function isOperator(address user, address operator) external view returns (bool) {
        return _isOperator[user][operator];
    }

    /// Base asset held by the pool, i.e. what can be borrowed or withdrawn now.
    function liquidity() external view returns (uint256) {
        return UNDERLYING.balanceOf(address(this));
    }

    function supplyCap() external view returns (uint256) {
        return _supplyCap;
    }

    function totalUnbackedDebt() external view returns (uint256) {
        return _totalUnbackedDebt;
    }

    function interestRateModule() external view returns (address) {
        return address(_interestRateModule);
    }

    function whitelist() external view returns (address) {
        return address(_whitelist);
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
        // 1. ilk initialized
        if (ilkIndex >= _ilks.length) revert IlkNotInitialized(ilkIndex);
        Ilk storage ilk = _ilks[ilkIndex];
        Vault storage position = _vaults[ilkIndex][u];
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
        if (dink != 0) _gem[ilkIndex][v] = _add(_gem[ilkIndex][v], -dink);
        if (dart != 0) {
            ilk.totalNormalizedDebt = _add(ilk.totalNormalizedDebt, dart);
            if (dart > 0) _debt += uint256(dart) * ilkRate;
            else _debt -= uint256(-dart) * ilkRate;
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
        if (!_whitelist.isWhitelistedBorrower(ilkIndex, msg.sender, user, proof)) {
            revert IWhitelist.NotWhitelistedBorrower(ilkIndex, user);
        }
    }

    /// One ilk's pending accrual: rate increase (RAY), new debt (RAD), reserve share (RAD).
    function _ilkAccrual(uint8 ilkIndex, uint256 totalEthSupply)
        internal
        view
        returns (uint256 rateIncrease, uint256 newDebt, uint256 reserve)
    {
        Ilk storage ilk = _ilks[ilkIndex];
        uint256 dt = block.timestamp - ilk.lastRateUpdate;
        if (dt == 0 || ilk.totalNormalizedDebt == 0 || paused()) return (0, 0, 0);
        (uint256 borrowRate, uint256 reserveFactor) =
            _interestRateModule.calculateInterestRate(ilkIndex, ilk.totalNormalizedDebt * ilk.rate, totalEthSupply);
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
        uint256 n = _ilks.length;
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

    function _accrueInterest() internal returns (uint256 newTotalDebt) {
        (uint256[] memory rateIncreases, uint256 supplyFactorIncrease, uint256 treasuryMint, uint256 debtIncrease) =
            _pendingInterest();
        uint256 n = _ilks.length;
        for (uint256 i; i < n; ++i) {
            Ilk storage ilk = _ilks[i];
            ilk.rate += rateIncreases[i];
            ilk.lastRateUpdate = block.timestamp;
        }
        uint256 factor = _supplyFactor + supplyFactorIncrease;
        _supplyFactor = factor;
        newTotalDebt = _debt + debtIncrease;
        _debt = newTotalDebt;
        // the reserve share becomes lender token of the treasury (skipped if it rounds to 0)
        if (treasuryMint != 0 && treasuryMint.rayDivDown(factor) != 0) _mint(TREASURY, treasuryMint, factor);
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
