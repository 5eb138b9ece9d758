// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

/// @notice Renzo's mint arithmetic (RenzoOracle.calculateMintAmount on mainnet), shared by the
/// oracle and the RestakeManager stand-ins so a deposit mints what the preview says:
/// inflation = floor(1e18 * added / (value + added)), new supply =
/// floor(supply * 1e18 / (1e18 - inflation)), minted = new supply - supply; an empty protocol
/// (no value or no supply) mints the value added. The two floors make it a few wei below the
/// proportional figure, as on mainnet.
library RenzoMintMath {
    uint256 internal constant SCALE_FACTOR = 1e18;

    function mintAmount(uint256 currentValue, uint256 added, uint256 supply) internal pure returns (uint256) {
        if (currentValue == 0 || supply == 0) return added;
        uint256 inflation = SCALE_FACTOR * added / (currentValue + added);
        uint256 newSupply = supply * SCALE_FACTOR / (SCALE_FACTOR - inflation);
        return newSupply - supply;
    }
}
