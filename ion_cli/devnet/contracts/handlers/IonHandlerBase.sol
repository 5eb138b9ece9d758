// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IIonPool} from "../interfaces/IIonPool.sol";
import {IGemJoin} from "../interfaces/IGemJoin.sol";
import {IWhitelist} from "../interfaces/IWhitelist.sol";
import {IWETH9} from "../interfaces/IStandIns.sol";
import {RAY} from "../math/WadRayMath.sol";

/// @title IonHandlerBase
/// @notice Periphery for one market (ilk 0): deposit-and-borrow and repay-and-withdraw in one
/// transaction. The user makes this contract an operator of their vault first
/// (`pool.addOperator(handler)`) and approves it the collateral or the base asset.
/// @dev The handler is on the Whitelist's protocol list, so the pool skips its borrower check
/// for the handler's calls; the handler therefore checks the end user itself.
/// Collateral is joined as the handler's own gem and deposited with depositor = handler: no
/// consent from the user's gem is needed, only the vault consent the user gave.
abstract contract IonHandlerBase {
    using SafeERC20 for IERC20;

    error CannotSendEthToContract();
    error FlashloanRepaymentTooExpensive(uint256 repaymentAmount, uint256 maxRepaymentAmount);
    error TransactionDeadlineReached(uint256 deadline);

    uint8 public constant ILK_INDEX = 0;

    IIonPool public immutable POOL;
    IGemJoin public immutable JOIN;
    IWhitelist public immutable WHITELIST;
    /// The pool's base asset (what users borrow and repay).
    IERC20 public immutable BASE;
    /// The collateral token of the market (mainnet's name for it).
    IERC20 public immutable LST_TOKEN;
    IWETH9 public immutable WETH;
    /// The asset the handler turns into collateral (ETH wrapped as WETH on every devnet market).
    IERC20 public immutable MINT_ASSET;

    constructor(address pool, address gemJoin, address whitelist, address weth) {
        POOL = IIonPool(pool);
        JOIN = IGemJoin(gemJoin);
        WHITELIST = IWhitelist(whitelist);
        WETH = IWETH9(weth);
        MINT_ASSET = IERC20(weth);
        BASE = IERC20(POOL.underlying());
        LST_TOKEN = IERC20(JOIN.GEM());
        // Standing approvals: the pool pulls repayments from the handler, the join pulls collateral.
        BASE.forceApprove(pool, type(uint256).max);
        LST_TOKEN.forceApprove(gemJoin, type(uint256).max);
    }

    /// ETH arrives only when the handler unwraps WETH; anything else would be stranded here.
    receive() external payable {
        if (msg.sender != address(WETH)) revert CannotSendEthToContract();
    }

    modifier checkDeadline(uint256 deadline) {
        if (deadline < block.timestamp) revert TransactionDeadlineReached(deadline);
        _;
    }

    /// Reverts with the Whitelist's NotWhitelistedBorrower unless msg.sender may borrow.
    modifier onlyWhitelistedBorrowers(bytes32[] calldata proof) {
        WHITELIST.isWhitelistedBorrower(ILK_INDEX, msg.sender, msg.sender, proof);
        _;
    }

    /// Deposits `amountCollateral` (pulled from the caller) into the caller's vault and borrows
    /// nd = floor(amountToBorrow * RAY / rate), sending floor(nd * rate / RAY) to the caller: the
    /// same rounding as a direct `borrow`, so at most a wei or two under `amountToBorrow`.
    function depositAndBorrow(uint256 amountCollateral, uint256 amountToBorrow, bytes32[] calldata proof)
        external
        onlyWhitelistedBorrowers(proof)
    {
        LST_TOKEN.safeTransferFrom(msg.sender, address(this), amountCollateral);
        _depositCollateral(msg.sender, amountCollateral);
        if (amountToBorrow != 0) {
            POOL.borrow(ILK_INDEX, msg.sender, msg.sender, amountToBorrow * RAY / POOL.rate(ILK_INDEX), new bytes32[](0));
        }
    }

    /// Repays nd = floor(debtToRepay * RAY / rate), capped at the vault's debt, and sends the
    /// collateral back. Pulls from the caller exactly what the pool takes, ceil(nd * rate / RAY)
    /// at this block's rate, which is <= debtToRepay: nothing is left over to refund. A figure
    /// read a block earlier leaves dust; full repayment is `repayFullAndWithdraw`.
    function repayAndWithdraw(uint256 debtToRepay, uint256 collateralToWithdraw) external {
        uint256 ilkRate = POOL.rate(ILK_INDEX);
        uint256 normalizedToRepay = debtToRepay * RAY / ilkRate;
        uint256 owed = POOL.normalizedDebt(ILK_INDEX, msg.sender);
        if (normalizedToRepay > owed) normalizedToRepay = owed;
        _repay(msg.sender, normalizedToRepay, ilkRate);
        _withdrawCollateral(msg.sender, collateralToWithdraw);
    }

    /// Repays all of the caller's debt, pulling exactly ceil(nd * rate / RAY) at this block's
    /// rate (the pool accrues to the same rate before it pulls), so the vault ends at 0 debt.
    function repayFullAndWithdraw(uint256 collateralToWithdraw) external {
        _repay(msg.sender, POOL.normalizedDebt(ILK_INDEX, msg.sender), POOL.rate(ILK_INDEX));
        _withdrawCollateral(msg.sender, collateralToWithdraw);
    }

    // ---------------------------------------------------------------- internals

    /// Pulls ceil(nd * rate / RAY) from `user` (what the pool's repay takes, `rate` being this
    /// block's accrued rate) and repays nd of their debt with it.
    function _repay(address user, uint256 normalizedToRepay, uint256 ilkRate) internal {
        if (normalizedToRepay == 0) return;
        uint256 debt = normalizedToRepay * ilkRate;
        BASE.safeTransferFrom(user, address(this), debt / RAY + (debt % RAY == 0 ? 0 : 1));
        POOL.repay(ILK_INDEX, user, address(this), normalizedToRepay);
    }

    /// Joins collateral the handler holds as its own gem and moves it into `user`'s vault.
    function _depositCollateral(address user, uint256 amount) internal {
        if (amount == 0) return;
        JOIN.join(address(this), amount);
        POOL.depositCollateral(ILK_INDEX, user, address(this), amount, new bytes32[](0));
    }

    /// Takes collateral out of `user`'s vault as the handler's gem and exits it to the user.
    function _withdrawCollateral(address user, uint256 amount) internal {
        if (amount == 0) return;
        POOL.withdrawCollateral(ILK_INDEX, user, address(this), amount);
        JOIN.exit(user, amount);
    }

    /// Borrows against `user`'s vault at least `amount` of the base asset for the handler
    /// (nd rounded up, so the pool sends >= amount); returns what was actually received.
    function _borrowAtLeast(address user, uint256 amount) internal returns (uint256 received) {
        uint256 ilkRate = POOL.rate(ILK_INDEX);
        uint256 normalized = amount * RAY / ilkRate;
        if (normalized * ilkRate < amount * RAY) normalized += 1;
        uint256 balanceBefore = BASE.balanceOf(address(this));
        POOL.borrow(ILK_INDEX, user, address(this), normalized, new bytes32[](0));
        received = BASE.balanceOf(address(this)) - balanceBefore;
    }
}
