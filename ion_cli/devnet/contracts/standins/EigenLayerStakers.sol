// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

interface IDevPodOwnerLookup {
    function ownerToPod(address podOwner) external view returns (address);
}

interface IDevDelegatedTo {
    function delegatedTo(address staker) external view returns (address);
}

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

/// @notice ether.fi EtherFiNode stand-in: a staker with a pod (`getEigenPod`).
contract EtherFiNode {
    IDevPodOwnerLookup internal immutable podManager;

    constructor(address podManager_) {
        podManager = IDevPodOwnerLookup(podManager_);
    }

    function getEigenPod() external view returns (address) {
        return podManager.ownerToPod(address(this));
    }
}

/// @notice ether.fi EtherFiNodesManager stand-in: nodes are found through `PubkeyLinked`.
contract EtherFiNodesManager is Ownable {
    event PubkeyLinked(bytes32 indexed pubkeyHash, address indexed nodeAddress, uint256 indexed legacyId, bytes pubkey);

    constructor(address owner_) Ownable(owner_) {}

    function linkPubkeyToNode(bytes calldata pubkey, address nodeAddress, uint256 legacyId) external onlyOwner {
        emit PubkeyLinked(sha256(abi.encodePacked(pubkey, bytes16(0))), nodeAddress, legacyId, pubkey);
    }
}
