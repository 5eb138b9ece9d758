// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {ReserveOracle} from "ion/oracles/ReserveOracle.sol";
import {IWstEthRateSource} from "ion/oracles/WstEthRateSource.sol";

/// The part of Swell's rswETH this oracle reads: ETH per rswETH, WAD.
interface IRswEthRateSource {
    function getRate() external view returns (uint256);
}

/// @title RswEthWstEthReserveOracle
/// @notice rswETH valued in wstETH: Swell's rate times wstETH per stETH.
contract RswEthWstEthReserveOracle is ReserveOracle {
    address public immutable RSWETH;
    address public immutable WSTETH;

    constructor(uint8 ilkIndex, address[3] memory feeds, uint8 quorum, uint256 maxChange, address rswEth, address wstEth)
        ReserveOracle(ilkIndex, feeds, quorum, maxChange)
    {
        RSWETH = rswEth;
        WSTETH = wstEth;
        _initializeExchangeRate();
    }

    function _getProtocolExchangeRate() internal view override returns (uint256) {
        return IRswEthRateSource(RSWETH).getRate() * IWstEthRateSource(WSTETH).tokensPerStEth() / 1e18;
    }
}
