// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IUniswapV3PoolLike} from "../interfaces/IStandIns.sol";

/// @notice The (tokenA, tokenB, fee) -> pool lookup the devnet's router and quoter share. Mainnet
/// derives pool addresses from the factory (CREATE2); the stand-ins are handed their pools at
/// deployment instead, so they expose no setter and no function mainnet's router or quoter lack.
abstract contract DevUniswapPoolIndex {
    error UnknownPool(address tokenIn, address tokenOut, uint24 fee);
    error CallbackNotFromPool(address caller);

    mapping(bytes32 => address) private _pools;
    mapping(address => bool) private _isPool;

    constructor(address[] memory pools) {
        for (uint256 i; i < pools.length; ++i) {
            IUniswapV3PoolLike pool = IUniswapV3PoolLike(pools[i]);
            _pools[_key(pool.token0(), pool.token1(), pool.fee())] = pools[i];
            _isPool[pools[i]] = true;
        }
    }

    function _pool(address tokenIn, address tokenOut, uint24 fee) internal view returns (IUniswapV3PoolLike) {
        address pool = _pools[_key(tokenIn, tokenOut, fee)];
        if (pool == address(0)) revert UnknownPool(tokenIn, tokenOut, fee);
        return IUniswapV3PoolLike(pool);
    }

    function _onlyPool() internal view {
        if (!_isPool[msg.sender]) revert CallbackNotFromPool(msg.sender);
    }

    /// Order-independent, as Uniswap's pool key (token0 < token1 there; either order here).
    function _key(address a, address b, uint24 fee) private pure returns (bytes32) {
        (address lo, address hi) = a < b ? (a, b) : (b, a);
        return keccak256(abi.encode(lo, hi, fee));
    }

    /// Uniswap's "no limit" price bounds (MIN_SQRT_RATIO + 1, MAX_SQRT_RATIO - 1) for a direction.
    function _noLimit(bool zeroForOne) internal pure returns (uint160) {
        return zeroForOne ? 4295128740 : 1461446703485210103287273052203988822378723970341;
    }
}
