// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @notice Renzo oracle stand-in: only the mint preview the CLI may call. Proportional minting:
/// new supply keeps the value per ezETH, i.e. newValue * supply / currentValue, rounded down.
contract RenzoOracle is Ownable {
    constructor(address owner_) Ownable(owner_) {}

    function calculateMintAmount(uint256 currentValueInProtocol, uint256 newValueAdded, uint256 existingEzETHSupply)
        external
        pure
        returns (uint256)
    {
        // An empty protocol mints 1:1, as Renzo's does.
        if (currentValueInProtocol == 0 || existingEzETHSupply == 0) return newValueAdded;
        return newValueAdded * existingEzETHSupply / currentValueInProtocol;
    }
}
