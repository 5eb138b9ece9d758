// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IIonPool} from "./interfaces/IIonPool.sol";
import {IonPoolLayout as L} from "./IonPoolLayout.sol";

/// @title IonLens
/// @notice Appendix B of the interface: the views the v2 pool no longer exposes, each taking the
/// pool first. Like the public lens, it reads the pool's storage through the pool's public
/// `extsload` and calls nothing the public pool lacks; the slots are the
/// reference pool's (IonPoolLayout), not mainnet's.
contract IonLens {
    /// The raw word at `slot` of `pool`'s storage (internal: the doc publishes no such getter).
    function _queryPoolSlot(address pool, uint256 slot) internal view returns (uint256) {
        return uint256(IIonPool(pool).extsload(bytes32(slot)));
    }

    function ilkCount(address pool) public view returns (uint256) {
        return _queryPoolSlot(pool, L.field(L.ILKS));
    }

    /// Reverts InvalidIlkAddress for an address that is no ilk of this pool.
    function getIlkIndex(address pool, address ilkAddress) external view returns (uint8) {
        uint256 indexPlusOne = _queryPoolSlot(pool, L.mapped(L.field(L.ILK_INDEX_PLUS_ONE), uint160(ilkAddress)));
        if (indexPlusOne == 0) revert IIonPool.InvalidIlkAddress();
        return uint8(indexPlusOne - 1);
    }

    function totalNormalizedDebt(address pool, uint8 ilkIndex) external view returns (uint256) {
        return _ilkField(pool, ilkIndex, L.ILK_TOTAL_NORMALIZED_DEBT);
    }

    function rateUnaccrued(address pool, uint8 ilkIndex) external view returns (uint256) {
        return _ilkField(pool, ilkIndex, L.ILK_RATE);
    }

    function lastRateUpdate(address pool, uint8 ilkIndex) external view returns (uint256) {
        return _ilkField(pool, ilkIndex, L.ILK_LAST_RATE_UPDATE);
    }

    function spot(address pool, uint8 ilkIndex) external view returns (address) {
        return address(uint160(_ilkField(pool, ilkIndex, L.ILK_SPOT)));
    }

    function debtCeiling(address pool, uint8 ilkIndex) external view returns (uint256) {
        return _ilkField(pool, ilkIndex, L.ILK_DEBT_CEILING);
    }

    function dust(address pool, uint8 ilkIndex) external view returns (uint256) {
        return _ilkField(pool, ilkIndex, L.ILK_DUST);
    }

    function gem(address pool, uint8 ilkIndex, address user) external view returns (uint256) {
        uint256 inner = L.mapped(L.field(L.GEM), ilkIndex);
        return _queryPoolSlot(pool, L.mapped(inner, uint160(user)));
    }

    function unbackedDebt(address pool, address user) external view returns (uint256) {
        return _queryPoolSlot(pool, L.mapped(L.field(L.UNBACKED_DEBT), uint160(user)));
    }

    function isOperator(address pool, address user, address operator) external view returns (bool) {
        uint256 inner = L.mapped(L.field(L.IS_OPERATOR), uint160(user));
        return _queryPoolSlot(pool, L.mapped(inner, uint160(operator))) != 0;
    }

    /// Total debt (RAD) including interest pending since the last accrual.
    function debt(address pool) external view returns (uint256) {
        (,,, uint256 totalDebtIncrease,) = IIonPool(pool).calculateRewardAndDebtDistribution();
        return _queryPoolSlot(pool, L.field(L.DEBT)) + totalDebtIncrease;
    }

    function debtUnaccrued(address pool) external view returns (uint256) {
        return _queryPoolSlot(pool, L.field(L.DEBT));
    }

    /// Base asset the pool can lend or pay out now (its bookkeeping, not its token balance).
    function liquidity(address pool) external view returns (uint256) {
        return _queryPoolSlot(pool, L.field(L.WETH));
    }

    function supplyCap(address pool) external view returns (uint256) {
        return _queryPoolSlot(pool, L.field(L.SUPPLY_CAP));
    }

    function totalUnbackedDebt(address pool) external view returns (uint256) {
        return _queryPoolSlot(pool, L.field(L.TOTAL_UNBACKED_DEBT));
    }

    function interestRateModule(address pool) external view returns (address) {
        return address(uint160(_queryPoolSlot(pool, L.field(L.INTEREST_RATE_MODULE))));
    }

    function whitelist(address pool) external view returns (address) {
        return address(uint160(_queryPoolSlot(pool, L.field(L.WHITELIST))));
    }

    /// An ilk's field; an index past the pool's ilk count panics (0x32), as the pool does.
    function _ilkField(address pool, uint8 ilkIndex, uint256 offset) internal view returns (uint256) {
        if (ilkIndex >= ilkCount(pool)) _panicOutOfBounds();
        return _queryPoolSlot(pool, L.ilkField(ilkIndex, offset));
    }

    /// Panic(0x32), the error an out-of-range `ilks[i]` raises.
    function _panicOutOfBounds() private pure {
        bytes memory data = abi.encodeWithSignature("Panic(uint256)", uint256(0x32));
        assembly {
            revert(add(data, 32), mload(data))
        }
    }
}
