// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Interfaces of the devnet's stand-ins for the outside world. The function signatures
/// are the mainnet ones (see shared/docs/lrt-tokens.md) so that adapters and handlers written
/// against these also speak to the real contracts; admin setters exist only on the stand-ins.

interface IWETH9 is IERC20 {
    function deposit() external payable;
    function withdraw(uint256 wad) external;
}

// ---- Lido ----
interface IStEth is IERC20 {
    function submit(address referral) external payable returns (uint256);
}

interface IWstEth is IERC20 {
    function stEthPerToken() external view returns (uint256);
    function tokensPerStEth() external view returns (uint256);
    function getStETHByWstETH(uint256 wstEthAmount) external view returns (uint256);
    function getWstETHByStETH(uint256 stEthAmount) external view returns (uint256);
    function wrap(uint256 stEthAmount) external returns (uint256);
    function unwrap(uint256 wstEthAmount) external returns (uint256);
}

// ---- Uniswap V3 (the subset the handlers use) ----
interface IUniswapV3PoolLike {
    function token0() external view returns (address);
    function token1() external view returns (address);
    function fee() external view returns (uint24);
    function swap(address recipient, bool zeroForOne, int256 amountSpecified, uint160 sqrtPriceLimitX96, bytes calldata data)
        external
        returns (int256 amount0, int256 amount1);
    function flash(address recipient, uint256 amount0, uint256 amount1, bytes calldata data) external;
}

interface IUniswapV3SwapCallback {
    /// Deltas from the pool's point of view: positive = owed to the pool.
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata data) external;
}

interface IUniswapV3FlashCallback {
    function uniswapV3FlashCallback(uint256 fee0, uint256 fee1, bytes calldata data) external;
}

// ---- Balancer V2 vault (single swaps and the batch query) ----
interface IBalancerVaultLike {
    /// ABI-encoded as uint8, like Balancer's own enum.
    enum SwapKind {
        GIVEN_IN,
        GIVEN_OUT
    }

    struct SingleSwap {
        bytes32 poolId;
        SwapKind kind;
        address assetIn;
        address assetOut;
        uint256 amount;
        bytes userData;
    }

    struct FundManagement {
        address sender;
        bool fromInternalBalance;
        address recipient;
        bool toInternalBalance;
    }

    function swap(SingleSwap calldata singleSwap, FundManagement calldata funds, uint256 limit, uint256 deadline)
        external
        payable
        returns (uint256 amountCalculated);

    struct BatchSwapStep {
        bytes32 poolId;
        uint256 assetInIndex;
        uint256 assetOutIndex;
        uint256 amount;
        bytes userData;
    }

    /// Balancer's preview (call it with eth_call): the vault's net balance change per asset,
    /// positive = paid in, negative = paid out.
    function queryBatchSwap(
        SwapKind kind,
        BatchSwapStep[] memory swaps,
        address[] memory assets,
        FundManagement memory funds
    ) external returns (int256[] memory assetDeltas);
}
