// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {ReserveOracle} from "ion/oracles/ReserveOracle.sol";

/// The part of Renzo's RestakeManager this oracle reads: the protocol's total TVL in ETH (WAD).
interface IRestakeManagerTvl {
    function calculateTVLs() external view returns (uint256[][] memory, uint256[] memory, uint256);
}

interface ITotalSupply {
    function totalSupply() external view returns (uint256);
}

/// @title EzEthWethReserveOracle
/// @notice ezETH valued in WETH: ezETH has no rate getter, so the rate is Renzo's TVL per ezETH.
contract EzEthWethReserveOracle is ReserveOracle {
    address public immutable RESTAKE_MANAGER;
    address public immutable EZETH;

    constructor(uint8 ilkIndex, address[3] memory feeds, uint8 quorum, uint256 maxChange, address restakeManager, address ezEth)
        ReserveOracle(ilkIndex, feeds, quorum, maxChange)
    {
        RESTAKE_MANAGER = restakeManager;
        EZETH = ezEth;
        _initializeExchangeRate();
    }

    function _getProtocolExchangeRate() internal view override returns (uint256) {
        uint256 supply = ITotalSupply(EZETH).totalSupply();
        // Before the first mint there is no ratio; Renzo mints the first ezETH 1:1 with ETH, so
        // 1.0 is the rate a deposit would get (and a fresh devnet can deploy this oracle early).
        if (supply == 0) return 1e18;
        (,, uint256 totalTvl) = IRestakeManagerTvl(RESTAKE_MANAGER).calculateTVLs();
        return totalTvl * 1e18 / supply;
    }
}
