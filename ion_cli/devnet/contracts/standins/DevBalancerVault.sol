// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IBalancerVaultLike} from "../interfaces/IStandIns.sol";

/// @notice A Balancer-V2-vault-shaped swap venue with fixed-price two-token pools, fixed at
/// deployment. Only mainnet Vault signatures are external: `swap(SingleSwap, FundManagement,
/// limit, deadline)`, the `queryBatchSwap` preview, `getPoolTokens` and a fee-free `flashLoan`. Liquidity is the vault's own token
/// balances (shared by its pools, as in Balancer).
/// Balancer's flash-loan callback.
interface IFlashLoanRecipient {
    function receiveFlashLoan(address[] memory tokens, uint256[] memory amounts, uint256[] memory feeAmounts, bytes memory userData)
        external;
}

contract DevBalancerVault is IBalancerVaultLike {
    using SafeERC20 for IERC20;

    error PoolNotRegistered(bytes32 poolId);
    error InvalidBatchStep(uint256 index);
    error FlashLoanReentered();
    error FlashLoanNotRepaid(address token, uint256 balance, uint256 required);
    error PoolAlreadyRegistered(bytes32 poolId);
    error InvalidPoolTokens(address tokenA, address tokenB);
    error TokenNotInPool(bytes32 poolId, address assetIn, address assetOut);
    error ZeroPrice();
    error InvalidFee(uint256 feeWad);
    error ZeroAmount();
    error SwapDeadline(uint256 deadline);
    error SwapLimit(uint256 amount, uint256 limit);
    error SenderNotCaller(address sender, address caller);
    error InternalBalanceNotSupported();
    error EthNotSupported();
    error InsufficientLiquidity(address token, uint256 available, uint256 needed);

    /// Balancer's event shape.
    event Swap(bytes32 indexed poolId, address indexed tokenIn, address indexed tokenOut, uint256 amountIn, uint256 amountOut);
    event FlashLoan(address indexed recipient, address indexed token, uint256 amount, uint256 feeAmount);

    struct Pool {
        address tokenA;
        address tokenB;
        /// tokenB per tokenA, WAD.
        uint256 priceAinB;
        /// Swap fee taken from the input, WAD fraction.
        uint256 feeWad;
    }

    /// One pool of the constructor: its id and Pool terms.
    struct PoolSpec {
        bytes32 poolId;
        address tokenA;
        address tokenB;
        uint256 priceAinB;
        uint256 feeWad;
    }

    mapping(bytes32 => Pool) private _pools;
    bool private _inFlashLoan;

    constructor(PoolSpec[] memory specs) {
        for (uint256 i; i < specs.length; ++i) {
            PoolSpec memory p = specs[i];
            if (_pools[p.poolId].tokenA != address(0)) revert PoolAlreadyRegistered(p.poolId);
            if (p.tokenA == address(0) || p.tokenB == address(0) || p.tokenA == p.tokenB) {
                revert InvalidPoolTokens(p.tokenA, p.tokenB);
            }
            if (p.priceAinB == 0) revert ZeroPrice();
            if (p.feeWad >= 1e18) revert InvalidFee(p.feeWad);
            _pools[p.poolId] = Pool(p.tokenA, p.tokenB, p.priceAinB, p.feeWad);
        }
    }

    /// limit: minimum out for GIVEN_IN, maximum in for GIVEN_OUT. Pulls the input from
    /// funds.sender (an ERC20 approval to the vault) and sends the output to funds.recipient.
    function swap(SingleSwap calldata singleSwap, FundManagement calldata funds, uint256 limit, uint256 deadline)
        external
        payable
        returns (uint256 amountCalculated)
    {
        if (msg.value != 0) revert EthNotSupported();
        if (block.timestamp > deadline) revert SwapDeadline(deadline);
        // Balancer lets only the sender itself (or its approved relayers) spend its funds.
        if (funds.sender != msg.sender) revert SenderNotCaller(funds.sender, msg.sender);
        if (funds.fromInternalBalance || funds.toInternalBalance) revert InternalBalanceNotSupported();

        (uint256 amountIn, uint256 amountOut) = _amounts(
            singleSwap.poolId, singleSwap.kind, singleSwap.assetIn, singleSwap.assetOut, singleSwap.amount
        );
        if (singleSwap.kind == SwapKind.GIVEN_IN) {
            if (amountOut < limit) revert SwapLimit(amountOut, limit);
            amountCalculated = amountOut;
        } else {
            if (amountIn > limit) revert SwapLimit(amountIn, limit);
            amountCalculated = amountIn;
        }

        uint256 available = IERC20(singleSwap.assetOut).balanceOf(address(this));
        if (amountOut > available) revert InsufficientLiquidity(singleSwap.assetOut, available, amountOut);
        IERC20(singleSwap.assetIn).safeTransferFrom(funds.sender, address(this), amountIn);
        if (amountOut > 0) IERC20(singleSwap.assetOut).safeTransfer(funds.recipient, amountOut);

        emit Swap(singleSwap.poolId, singleSwap.assetIn, singleSwap.assetOut, amountIn, amountOut);
    }

    /// Balancer's batch preview: steps run in order; a step with amount 0 takes the previous
    /// step's computed amount (out for GIVEN_IN, in for GIVEN_OUT), as on mainnet. Moves nothing.
    function queryBatchSwap(
        SwapKind kind,
        BatchSwapStep[] memory swaps,
        address[] memory assets,
        FundManagement memory
    ) external returns (int256[] memory assetDeltas) {
        // not view, as on mainnet (Balancer's query runs the swaps and reverts): eth_call it
        assetDeltas = new int256[](assets.length);
        uint256 previous;
        for (uint256 i; i < swaps.length; ++i) {
            BatchSwapStep memory step = swaps[i];
            if (step.assetInIndex >= assets.length || step.assetOutIndex >= assets.length) revert InvalidBatchStep(i);
            if (step.assetInIndex == step.assetOutIndex) revert InvalidBatchStep(i);
            uint256 amount = step.amount;
            if (amount == 0) {
                if (i == 0) revert ZeroAmount();
                amount = previous;
            }
            (uint256 amountIn, uint256 amountOut) = _amounts(
                step.poolId, kind, assets[step.assetInIndex], assets[step.assetOutIndex], amount
            );
            assetDeltas[step.assetInIndex] += SafeCast.toInt256(amountIn);
            assetDeltas[step.assetOutIndex] -= SafeCast.toInt256(amountOut);
            previous = kind == SwapKind.GIVEN_IN ? amountOut : amountIn;
        }
    }

    /// Balancer's pool composition: the two tokens and the vault's balances of them (the
    /// liquidity the pool can pay out; pools share the vault's balances here).
    function getPoolTokens(bytes32 poolId)
        external
        view
        returns (address[] memory tokens, uint256[] memory balances, uint256 lastChangeBlock)
    {
        Pool storage pool = _pools[poolId];
        if (pool.tokenA == address(0)) revert PoolNotRegistered(poolId);
        tokens = new address[](2);
        balances = new uint256[](2);
        (tokens[0], tokens[1]) = (pool.tokenA, pool.tokenB);
        balances[0] = IERC20(pool.tokenA).balanceOf(address(this));
        balances[1] = IERC20(pool.tokenB).balanceOf(address(this));
        lastChangeBlock = block.number;
    }

    /// Balancer's fee-free flash loan: sends `amounts` of `tokens`, calls
    /// `receiveFlashLoan(tokens, amounts, feeAmounts, userData)` on the recipient, then checks
    /// that every balance came back.
    function flashLoan(address recipient, address[] memory tokens, uint256[] memory amounts, bytes memory userData)
        external
    {
        if (_inFlashLoan) revert FlashLoanReentered();
        _inFlashLoan = true;
        uint256[] memory before = new uint256[](tokens.length);
        uint256[] memory fees = new uint256[](tokens.length);
        for (uint256 i; i < tokens.length; ++i) {
            before[i] = IERC20(tokens[i]).balanceOf(address(this));
            if (amounts[i] > before[i]) revert InsufficientLiquidity(tokens[i], before[i], amounts[i]);
            IERC20(tokens[i]).safeTransfer(recipient, amounts[i]);
        }
        IFlashLoanRecipient(recipient).receiveFlashLoan(tokens, amounts, fees, userData);
        for (uint256 i; i < tokens.length; ++i) {
            uint256 afterBalance = IERC20(tokens[i]).balanceOf(address(this));
            if (afterBalance < before[i]) revert FlashLoanNotRepaid(tokens[i], afterBalance, before[i]);
            emit FlashLoan(recipient, tokens[i], amounts[i], 0);
        }
        _inFlashLoan = false;
    }

    /// GIVEN_IN: fee = ceil(in * fee), out = floor((in - fee) at price).
    /// GIVEN_OUT: in = ceil(ceil(out at price) / (1 - fee)). Both favour the vault.
    function _amounts(bytes32 poolId, SwapKind kind, address assetIn, address assetOut, uint256 amount)
        private
        view
        returns (uint256 amountIn, uint256 amountOut)
    {
        if (amount == 0) revert ZeroAmount();
        Pool storage pool = _pools[poolId];
        if (pool.tokenA == address(0)) revert PoolNotRegistered(poolId);
        bool aToB;
        if (assetIn == pool.tokenA && assetOut == pool.tokenB) aToB = true;
        else if (!(assetIn == pool.tokenB && assetOut == pool.tokenA)) revert TokenNotInPool(poolId, assetIn, assetOut);

        uint256 p = pool.priceAinB;
        if (kind == SwapKind.GIVEN_IN) {
            amountIn = amount;
            uint256 inLessFee = amountIn - Math.mulDiv(amountIn, pool.feeWad, 1e18, Math.Rounding.Ceil);
            amountOut = aToB ? Math.mulDiv(inLessFee, p, 1e18) : Math.mulDiv(inLessFee, 1e18, p);
        } else {
            amountOut = amount;
            uint256 inLessFee =
                aToB ? Math.mulDiv(amountOut, 1e18, p, Math.Rounding.Ceil) : Math.mulDiv(amountOut, p, 1e18, Math.Rounding.Ceil);
            amountIn = Math.mulDiv(inLessFee, 1e18, 1e18 - pool.feeWad, Math.Rounding.Ceil);
        }
    }
}
