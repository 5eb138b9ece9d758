// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

/// @notice Renzo's interfaces (mainnet signatures).
interface IRestakeManager {
    function depositETH() external payable;
    function depositETH(uint256 referralId) external payable;
    function calculateTVLs() external view returns (uint256[][] memory, uint256[] memory, uint256);
}

interface IRenzoOracle {
    function calculateMintAmount(uint256 currentValueInProtocol, uint256 newValueAdded, uint256 existingEzETHSupply)
        external
        pure
        returns (uint256);
}
