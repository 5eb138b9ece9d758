// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ILiquidation, IReserveOracle} from "./interfaces/IOracles.sol";
import {IIonPool} from "./interfaces/IIonPool.sol";
import {WadRayMath, RAY} from "./math/WadRayMath.sol";

/// @title Liquidation
/// @notice Partial liquidations of one pool's vaults at a discount, valued with the reserve
/// exchange rate only (never the market price, which a flash loan could move).
/// @dev Units: collateral and normalized debt WAD, rate / er / ratios RAY, values RAD. Every
/// rounding goes in the protocol's favour (Appendix C of the protocol notes): collateral value
/// and health down, debt value, price and repay up, collateral paid out down.
///
/// Pool contract (IIonPool.confiscateVault, LIQUIDATOR_ROLE): the pool moves collateral from the
/// vault to gem of `v` and removes normalized debt; `w != 0` pays ceil(debt * rate / RAY) of the
/// base asset by transferFrom, `w == 0` books the debt as unbacked debt of `v`. This contract is
/// `w` for keeper liquidations: it first pulls exactly that amount from the keeper (msg.sender),
/// so the keeper approves this contract, never the pool.
contract Liquidation is ILiquidation {
    using WadRayMath for uint256;
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    uint256 public immutable LIQUIDATION_THRESHOLD;
    uint256 public immutable TARGET_HEALTH;
    uint256 public immutable BASE_DISCOUNT;
    uint256 public immutable MAX_DISCOUNT;
    address public immutable RESERVE_ORACLE;
    address public immutable PROTOCOL;
    address public immutable POOL;
    address public immutable UNDERLYING;

    /// The outcome of the liquidation math for one vault.
    struct Amounts {
        bool confiscate; // repay would exceed the debt: the whole vault goes to PROTOCOL
        uint256 collateral; // vault collateral [WAD]
        uint256 normalizedDebt; // vault normalized debt [WAD]
        uint256 dart; // normalized debt removed [WAD]
        uint256 gemOut; // collateral paid to the keeper [WAD]
        uint256 repayAmount; // base asset the keeper pays, ceil(dart * rate / RAY) [WAD]
    }

    constructor(
        address pool,
        address protocol,
        address reserveOracle,
        uint256 liquidationThreshold,
        uint256 targetHealth,
        uint256 baseDiscount,
        uint256 maxDiscount
    ) {
        POOL = pool;
        PROTOCOL = protocol;
        RESERVE_ORACLE = reserveOracle;
        LIQUIDATION_THRESHOLD = liquidationThreshold;
        TARGET_HEALTH = targetHealth;
        BASE_DISCOUNT = baseDiscount;
        MAX_DISCOUNT = maxDiscount;
        UNDERLYING = IIonPool(pool).underlying();
        // One standing approval (the pool pulls each repayment from here), so a liquidation
        // emits no Approval of its own, as on the public contract.
        IERC20(UNDERLYING).forceApprove(pool, type(uint256).max);
    }

    /// @notice Liquidates an unsafe vault. Anyone may call; the caller pays `repayAmount` of the
    /// base asset (approve this contract first) and `kpr` receives `gemOut` as gem in the pool
    /// (exit it through the GemJoin). Returns (0, 0) when the vault is confiscated to PROTOCOL.
    function liquidate(uint8 ilkIndex, address vault, address kpr) external returns (uint256 repayAmount, uint256 gemOut) {
        Amounts memory a = _amounts(ilkIndex, vault);
        IIonPool pool = IIonPool(POOL);

        if (a.confiscate) {
            // Bad debt: no keeper pays; the protocol takes the collateral and the debt (as
            // unbacked debt) and deals with it off the market.
            // The pool's ConfiscateVault event records it; Liquidate is for keeper liquidations.
            pool.confiscateVault(ilkIndex, vault, PROTOCOL, address(0), -a.collateral.toInt256(), -a.normalizedDebt.toInt256());
            return (0, 0);
        }

        // The pool computes the same ceil(dart * rate / RAY) with the same rate (pool.rate()
        // includes the accrual confiscateVault performs first), so this contract ends at zero.
        IERC20 underlying = IERC20(UNDERLYING);
        underlying.safeTransferFrom(msg.sender, address(this), a.repayAmount);
        pool.confiscateVault(ilkIndex, vault, kpr, address(this), -a.gemOut.toInt256(), -a.dart.toInt256());

        emit Liquidate(msg.sender, kpr, ilkIndex, a.dart, a.gemOut);
        return (a.repayAmount, a.gemOut);
    }

    /// @notice The base asset (WAD) a keeper would pay to liquidate `vault` now; 0 when the
    /// vault would be confiscated. Reverts like `liquidate` for a safe vault or a zero rate.
    function getRepayAmt(uint8 ilkIndex, address vault) external view returns (uint256) {
        return _amounts(ilkIndex, vault).repayAmount;
    }

    function _amounts(uint8 ilkIndex, address vault) internal view returns (Amounts memory a) {
        IIonPool pool = IIonPool(POOL);
        uint256 er = IReserveOracle(RESERVE_ORACLE).currentExchangeRate().wadToRay(); // [RAY]
        if (er == 0) revert ExchangeRateCannotBeZero();

        (a.collateral, a.normalizedDebt) = pool.vault(ilkIndex, vault);
        uint256 rate = pool.rate(ilkIndex); // [RAY], includes pending interest

        uint256 collateralValue = (a.collateral * er).rayMulDown(LIQUIDATION_THRESHOLD); // [RAD]
        uint256 debtValue = a.normalizedDebt * rate; // [RAD]
        // A vault without debt is infinitely healthy (and the ratio would divide by zero).
        if (debtValue == 0) revert VaultIsNotUnsafe(type(uint256).max);
        uint256 health = collateralValue.rayDivDown(debtValue); // [RAY]
        if (health >= RAY) revert VaultIsNotUnsafe(health);

        uint256 discount = BASE_DISCOUNT + (RAY - health);
        if (discount > MAX_DISCOUNT) discount = MAX_DISCOUNT;
        uint256 price = er.rayMulUp(RAY - discount); // [RAY] base per collateral after discount

        // Repay R that brings health to TARGET_HEALTH when R of debt leaves with R / price of
        // collateral: (C*er*LT - R*LT/(1-d)) / (D - R) = TH  =>  R = (D*TH - C*er*LT) / (TH - LT/(1-d)).
        uint256 repayNum = debtValue.rayMulUp(TARGET_HEALTH) - collateralValue; // [RAD]
        uint256 lossPerRepay = LIQUIDATION_THRESHOLD.rayDivUp(RAY - discount); // [RAY]
        // If each unit repaid takes out at least TARGET_HEALTH units of collateral value, no
        // partial liquidation can reach the target (possible when LT / (1 - MAX_DISCOUNT) >=
        // TARGET_HEALTH, e.g. LT 0.96, TH 1.2, max discount 0.2): the repay is unbounded, so the
        // vault is treated like one whose repay exceeds its debt and is confiscated.
        if (TARGET_HEALTH <= lossPerRepay) {
            a.confiscate = true;
            return a;
        }
        uint256 repay = repayNum.rayDivUp(TARGET_HEALTH - lossPerRepay); // [RAD]

        if (repay > debtValue) {
            a.confiscate = true;
            return a;
        }

        if (debtValue - repay < pool.dust(ilkIndex)) {
            // What would be left is dust: take the whole debt instead of leaving an unclosable vault.
            a.dart = a.normalizedDebt;
            a.gemOut = debtValue / price; // [RAD] / [RAY] = [WAD], floor
            repay = debtValue;
        } else {
            a.dart = Math.ceilDiv(repay, rate); // [RAD] / [RAY] = [WAD], ceil
            a.gemOut = repay / price;
            repay = a.dart * rate;
        }
        // Rounding (floor health, ceil price) can only push gemOut past the collateral by a few
        // wei; the pool would reject that, so cap it.
        if (a.gemOut > a.collateral) a.gemOut = a.collateral;
        a.repayAmount = repay.radToWadUp();
    }
}
