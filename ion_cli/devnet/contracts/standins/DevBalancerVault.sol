// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IBalancerVaultLike} from "../interfaces/IStandIns.sol";

/// @notice A Balancer-V2-vault-shaped swap venue with fixed-price two-token pools. Only
/// `swap(SingleSwap, FundManagement, limit, deadline)` as on mainnet, plus a view preview.
/// Liquidity is the vault's own token balances (shared by its pools, as in Balancer).
contract DevBalancerVault is IBalancerVaultLike, Ownable {
    using SafeERC20 for IERC20;

    error PoolNotRegistered(bytes32 poolId);
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
    event PoolRegistered(bytes32 indexed poolId, address tokenA, address tokenB, uint256 priceAinB, uint256 feeWad);
    event SetPoolPrice(bytes32 indexed poolId, uint256 priceAinB);

    struct Pool {
        address tokenA;
        address tokenB;
        /// tokenB per tokenA, WAD.
        uint256 priceAinB;
        /// Swap fee taken from the input, WAD fraction.
        uint256 feeWad;
    }

    mapping(bytes32 => Pool) public pools;

    constructor(address owner_) Ownable(owner_) {}

    function registerPool(bytes32 poolId, address tokenA, address tokenB, uint256 priceAinB, uint256 feeWad)
        external
        onlyOwner
    {
        if (pools[poolId].tokenA != address(0)) revert PoolAlreadyRegistered(poolId);
        if (tokenA == address(0) || tokenB == address(0) || tokenA == tokenB) revert InvalidPoolTokens(tokenA, tokenB);
        if (priceAinB == 0) revert ZeroPrice();
        if (feeWad >= 1e18) revert InvalidFee(feeWad);
        pools[poolId] = Pool(tokenA, tokenB, priceAinB, feeWad);
        emit PoolRegistered(poolId, tokenA, tokenB, priceAinB, feeWad);
    }

    function setPoolPrice(bytes32 poolId, uint256 priceAinB) external onlyOwner {
        if (pools[poolId].tokenA == address(0)) revert PoolNotRegistered(poolId);
        if (priceAinB == 0) revert ZeroPrice();
        pools[poolId].priceAinB = priceAinB;
        emit SetPoolPrice(poolId, priceAinB);
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

        (uint256 amountIn, uint256 amountOut) = _amounts(singleSwap);
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

    function querySwap(SingleSwap calldata singleSwap) external view returns (uint256) {
        (uint256 amountIn, uint256 amountOut) = _amounts(singleSwap);
        return singleSwap.kind == SwapKind.GIVEN_IN ? amountOut : amountIn;
    }

    /// GIVEN_IN: fee = ceil(in * fee), out = floor((in - fee) at price).
    /// GIVEN_OUT: in = ceil(ceil(out at price) / (1 - fee)). Both favour the vault.
    function _amounts(SingleSwap calldata s) private view returns (uint256 amountIn, uint256 amountOut) {
        if (s.amount == 0) revert ZeroAmount();
        Pool storage pool = pools[s.poolId];
        if (pool.tokenA == address(0)) revert PoolNotRegistered(s.poolId);
        bool aToB;
        if (s.assetIn == pool.tokenA && s.assetOut == pool.tokenB) aToB = true;
        else if (!(s.assetIn == pool.tokenB && s.assetOut == pool.tokenA)) revert TokenNotInPool(s.poolId, s.assetIn, s.assetOut);

        uint256 p = pool.priceAinB;
        if (s.kind == SwapKind.GIVEN_IN) {
            amountIn = s.amount;
            uint256 inLessFee = amountIn - Math.mulDiv(amountIn, pool.feeWad, 1e18, Math.Rounding.Ceil);
            amountOut = aToB ? Math.mulDiv(inLessFee, p, 1e18) : Math.mulDiv(inLessFee, 1e18, p);
        } else {
            amountOut = s.amount;
            uint256 inLessFee =
                aToB ? Math.mulDiv(amountOut, 1e18, p, Math.Rounding.Ceil) : Math.mulDiv(amountOut, p, 1e18, Math.Rounding.Ceil);
            amountIn = Math.mulDiv(inLessFee, 1e18, 1e18 - pool.feeWad, Math.Rounding.Ceil);
        }
    }
}
