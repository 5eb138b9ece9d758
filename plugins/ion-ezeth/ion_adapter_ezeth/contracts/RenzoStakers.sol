// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IDevPodOwnerLookup} from "ion/standins/EigenLayerStakers.sol";

/// @notice Renzo OperatorDelegator stand-in: one EigenLayer staker, delegated to one operator
/// (`delegateAddress`), with its own EigenPod.
contract OperatorDelegator {
    address public immutable delegateAddress;
    IDevPodOwnerLookup internal immutable podManager;

    constructor(address delegateAddress_, address podManager_) {
        delegateAddress = delegateAddress_;
        podManager = IDevPodOwnerLookup(podManager_);
    }

    function eigenPod() external view returns (address) {
        return podManager.ownerToPod(address(this));
    }
}
