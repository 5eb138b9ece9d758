// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IIonPool} from "./interfaces/IIonPool.sol";

/// @title IonLens
/// @notice Appendix B of the interface: the views the v2 pool no longer exposes, each taking the
/// pool first. The reference pool keeps them as reference-only views, so the lens reads through
/// those rather than raw storage slots (the devnet storage layout is not mainnet's).
contract IonLens {
    function ilkCount(address pool) external view returns (uint256) {
        return IIonPool(pool).ilkCount();
    }

    function getIlkIndex(address pool, address ilkAddress) external view returns (uint8) {
        return IIonPool(pool).getIlkIndex(ilkAddress);
    }

    function totalNormalizedDebt(address pool, uint8 ilkIndex) external view returns (uint256) {
        return IIonPool(pool).totalNormalizedDebt(ilkIndex);
    }

    function rateUnaccrued(address pool, uint8 ilkIndex) external view returns (uint256) {
        return IIonPool(pool).rateUnaccrued(ilkIndex);
    }

    function lastRateUpdate(address pool, uint8 ilkIndex) external view returns (uint256) {
        return IIonPool(pool).lastRateUpdate(ilkIndex);
    }

    function spot(address pool, uint8 ilkIndex) external view returns (address) {
        return IIonPool(pool).spot(ilkIndex);
    }

    function debtCeiling(address pool, uint8 ilkIndex) external view returns (uint256) {
        return IIonPool(pool).debtCeiling(ilkIndex);
    }

    function dust(address pool, uint8 ilkIndex) external view returns (uint256) {
        return IIonPool(pool).dust(ilkIndex);
    }

    function gem(address pool, uint8 ilkIndex, address user) external view returns (uint256) {
        return IIonPool(pool).gem(ilkIndex, user);
    }

    function unbackedDebt(address pool, address user) external view returns (uint256) {
        return IIonPool(pool).unbackedDebt(user);
    }

    function isOperator(address pool, address user, address operator) external view returns (bool) {
        return IIonPool(pool).isOperator(user, operator);
    }

    function debt(address pool) external view returns (uint256) {
        return IIonPool(pool).debt();
    }

    function debtUnaccrued(address pool) external view returns (uint256) {
        return IIonPool(pool).debtUnaccrued();
    }

    function liquidity(address pool) external view returns (uint256) {
        return IIonPool(pool).liquidity();
    }

    function supplyCap(address pool) external view returns (uint256) {
        return IIonPool(pool).supplyCap();
    }

    function totalUnbackedDebt(address pool) external view returns (uint256) {
        return IIonPool(pool).totalUnbackedDebt();
    }

    function interestRateModule(address pool) external view returns (address) {
        return IIonPool(pool).interestRateModule();
    }

    function whitelist(address pool) external view returns (address) {
        return IIonPool(pool).whitelist();
    }
}
