// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {ILrtCredentials, IEigenPodOwner, Credentials} from "ion/zk/LrtCredentials.sol";

interface IKelpDepositPool {
    function getNodeDelegatorQueue() external view returns (address[] memory);
}

/// @notice Kelp (rsETH): LRTDepositPool.getNodeDelegatorQueue(), each NodeDelegator.eigenPod().
contract KelpCredentials is ILrtCredentials {
    IKelpDepositPool public immutable DEPOSIT_POOL;

    constructor(address depositPool) {
        DEPOSIT_POOL = IKelpDepositPool(depositPool);
    }

    function credentials() external view returns (bytes32[] memory creds) {
        address[] memory nodes = DEPOSIT_POOL.getNodeDelegatorQueue();
        creds = new bytes32[](2 * nodes.length);
        for (uint256 i = 0; i < nodes.length; ++i) {
            address pod = IEigenPodOwner(nodes[i]).eigenPod();
            (creds[2 * i], creds[2 * i + 1]) = Credentials.ofPod(pod);
        }
    }

    function source() external pure returns (string memory) {
        return "contracts";
    }
}
