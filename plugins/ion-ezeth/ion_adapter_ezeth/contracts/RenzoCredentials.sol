// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {ILrtCredentials, IEigenPodOwner, Credentials} from "ion/zk/LrtCredentials.sol";

interface IRenzoRestakeManager {
    function operatorDelegators(uint256 index) external view returns (address);
    function getOperatorDelegatorsLength() external view returns (uint256);
}

/// @notice Renzo (ezETH): RestakeManager.operatorDelegators(i).eigenPod(), for every i.
contract RenzoCredentials is ILrtCredentials {
    IRenzoRestakeManager public immutable RESTAKE_MANAGER;

    constructor(address restakeManager) {
        RESTAKE_MANAGER = IRenzoRestakeManager(restakeManager);
    }

    function credentials() external view returns (bytes32[] memory creds) {
        uint256 n = RESTAKE_MANAGER.getOperatorDelegatorsLength();
        creds = new bytes32[](2 * n);
        for (uint256 i = 0; i < n; ++i) {
            address pod = IEigenPodOwner(RESTAKE_MANAGER.operatorDelegators(i)).eigenPod();
            (creds[2 * i], creds[2 * i + 1]) = Credentials.ofPod(pod);
        }
    }

    function source() external pure returns (string memory) {
        return "contracts";
    }
}
