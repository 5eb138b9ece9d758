// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IDevPodOwnerLookup} from "ion/standins/EigenLayerStakers.sol";

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
