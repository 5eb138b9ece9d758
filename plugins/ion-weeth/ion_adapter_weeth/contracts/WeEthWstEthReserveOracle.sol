// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {ReserveOracle} from "ion/oracles/ReserveOracle.sol";
import {IWstEthRateSource} from "ion/oracles/WstEthRateSource.sol";

/// The part of ether.fi's weETH this oracle reads: eETH (1:1 ETH) per weETH, WAD.
interface IWeEthRateSource {
    function getRate() external view returns (uint256);
}

/// @title WeEthWstEthReserveOracle
/// @notice weETH valued in wstETH: ETH per weETH times wstETH per stETH (stETH taken as 1 ETH).
contract WeEthWstEthReserveOracle is ReserveOracle {
    address public immutable WEETH;
    address public immutable WSTETH;

    constructor(uint8 ilkIndex, address[3] memory feeds, uint8 quorum, uint256 maxChange, address weEth, address wstEth)
        ReserveOracle(ilkIndex, feeds, quorum, maxChange)
    {
        WEETH = weEth;
        WSTETH = wstEth;
        _initializeExchangeRate();
    }

    function _getProtocolExchangeRate() internal view override returns (uint256) {
        return IWeEthRateSource(WEETH).getRate() * IWstEthRateSource(WSTETH).tokensPerStEth() / 1e18;
    }
}
