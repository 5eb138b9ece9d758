// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IDevDelegatedTo, IDevPodOwnerLookup} from "ion/standins/EigenLayerStakers.sol";

/// @notice Kelp NodeDelegator stand-in: one EigenLayer staker; `elOperatorDelegatedTo` asks the
/// DelegationManager, as Kelp's current NodeDelegator does.
contract NodeDelegator {
    IDevDelegatedTo internal immutable delegationManager;
    IDevPodOwnerLookup internal immutable podManager;

    constructor(address delegationManager_, address podManager_) {
        delegationManager = IDevDelegatedTo(delegationManager_);
        podManager = IDevPodOwnerLookup(podManager_);
    }

    function elOperatorDelegatedTo() external view returns (address) {
        return delegationManager.delegatedTo(address(this));
    }

    function eigenPod() external view returns (address) {
        return podManager.ownerToPod(address(this));
    }
}
