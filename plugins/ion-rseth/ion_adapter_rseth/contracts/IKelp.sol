// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

/// The parts of Kelp's LRTOracle and LRTDepositPool the handler and the stand-ins use.
interface ILRTOracle {
    function rsETHPrice() external view returns (uint256);
    function updateRSETHPrice() external;
}

interface ILRTDepositPool {
    function depositETH(uint256 minRSETHAmountExpected, string calldata referralId) external payable;
    function getRsETHAmountToMint(address asset, uint256 amount) external view returns (uint256);
}
