// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

interface IDevPodShares {
    function decreaseDelegatedShares(address staker, uint64 prevFactor, uint64 newFactor) external;
}

/// @notice An EigenPod stand-in: it only knows its owner (the staker whose validators pay to it).
contract DevEigenPod {
    address public immutable podOwner;

    constructor(address owner_) {
        podOwner = owner_;
    }
}

/// @notice EigenPodManager stand-in: pods per owner and each owner's beacon-chain slashing factor
/// (WAD until the owner's validators are slashed on the beacon chain). The owner (devnet admin)
/// creates pods and lowers factors, as a checkpoint proving a beacon-chain slash would.
contract DevEigenPodManager is Ownable {
    error FactorNotDecreasing();

    event PodDeployed(address indexed eigenPod, address indexed podOwner);
    event BeaconChainSlashingFactorDecreased(
        address staker, uint64 prevBeaconChainSlashingFactor, uint64 newBeaconChainSlashingFactor
    );

    uint64 internal constant WAD = 1e18;

    mapping(address => address) public ownerToPod;
    mapping(address => uint64) internal _factor; // 0 = never set = WAD
    IDevPodShares public delegationManager;

    constructor(address owner_) Ownable(owner_) {}

    function setDelegationManager(address manager) external onlyOwner {
        delegationManager = IDevPodShares(manager);
    }

    function beaconChainSlashingFactor(address staker) public view returns (uint64) {
        uint64 factor = _factor[staker];
        return factor == 0 ? WAD : factor;
    }

    function devCreatePod(address podOwner) external onlyOwner returns (address pod) {
        pod = address(new DevEigenPod(podOwner));
        ownerToPod[podOwner] = pod;
        emit PodDeployed(pod, podOwner);
    }

    /// A beacon-chain slash proven for `staker`'s pod: the factor falls to `newFactor` (WAD-scaled)
    /// and the staker's operator loses the same fraction of the staker's delegated shares.
    function devDecreaseBeaconChainSlashingFactor(address staker, uint64 newFactor) external onlyOwner {
        uint64 prev = beaconChainSlashingFactor(staker);
        if (newFactor >= prev || newFactor == 0) revert FactorNotDecreasing();
        _factor[staker] = newFactor;
        if (address(delegationManager) != address(0)) {
            delegationManager.decreaseDelegatedShares(staker, prev, newFactor);
        }
        emit BeaconChainSlashingFactorDecreased(staker, prev, newFactor);
    }
}
