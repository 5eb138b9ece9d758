// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

/// The part of Lido's wstETH the wstETH-base reserve oracles read: wstETH per stETH, WAD.
/// Shared by the three wstETH-base oracles so they declare it once.
interface IWstEthRateSource {
    function tokensPerStEth() external view returns (uint256);
}
