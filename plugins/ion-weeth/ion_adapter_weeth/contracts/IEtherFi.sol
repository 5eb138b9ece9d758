// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice ether.fi's interfaces as the handler uses them (mainnet signatures).
interface IEEth is IERC20 {
    function totalShares() external view returns (uint256);
}

interface IEtherFiLiquidityPool {
    function deposit() external payable returns (uint256);
    function deposit(address referral) external payable returns (uint256);
    function getTotalPooledEther() external view returns (uint256);
}

interface IWeEth is IERC20 {
    function eETH() external view returns (address);
    function liquidityPool() external view returns (address);
    function getRate() external view returns (uint256);
    function getWeETHByeETH(uint256 eEthAmount) external view returns (uint256);
    function getEETHByWeETH(uint256 weEthAmount) external view returns (uint256);
    function wrap(uint256 eEthAmount) external returns (uint256);
    function unwrap(uint256 weEthAmount) external returns (uint256);
}
