// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {RenzoMintMath} from "./RenzoMintMath.sol";

/// @notice Renzo oracle stand-in: only the mint preview the CLI may call, in Renzo's own
/// arithmetic (see RenzoMintMath; the RestakeManager stand-in mints with it too).
contract RenzoOracle is Ownable {
    error InvalidTokenAmount();

    constructor(address owner_) Ownable(owner_) {}

    function calculateMintAmount(uint256 currentValueInProtocol, uint256 newValueAdded, uint256 existingEzETHSupply)
        external
        pure
        returns (uint256 minted)
    {
        minted = RenzoMintMath.mintAmount(currentValueInProtocol, newValueAdded, existingEzETHSupply);
        if (minted == 0) revert InvalidTokenAmount();
    }
}
