// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {ReserveOracle} from "ion/oracles/ReserveOracle.sol";
import {IWstEthRateSource} from "ion/oracles/WstEthRateSource.sol";

/// The part of Kelp's LRTOracle this oracle reads: ETH per rsETH (stored by Kelp), WAD.
interface ILrtOracleSource {
    function rsETHPrice() external view returns (uint256);
}

/// @title RsEthWstEthReserveOracle
/// @notice rsETH valued in wstETH: Kelp's rsETH price times wstETH per stETH.
contract RsEthWstEthReserveOracle is ReserveOracle {
    address public immutable LRT_ORACLE;
    address public immutable WSTETH;

    constructor(uint8 ilkIndex, address[3] memory feeds, uint8 quorum, uint256 maxChange, address lrtOracle, address wstEth)
        ReserveOracle(ilkIndex, feeds, quorum, maxChange)
    {
        LRT_ORACLE = lrtOracle;
        WSTETH = wstEth;
        _initializeExchangeRate();
    }

    function _getProtocolExchangeRate() internal view override returns (uint256) {
        return ILrtOracleSource(LRT_ORACLE).rsETHPrice() * IWstEthRateSource(WSTETH).tokensPerStEth() / 1e18;
    }
}
