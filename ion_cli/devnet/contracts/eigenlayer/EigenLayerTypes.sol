// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

/// @notice The shapes EigenLayer publishes for operator sets, allocations, slashes and
/// allocation changes (IAllocationManagerTypes), written from the published interface.
struct OperatorSet {
    address avs;
    uint32 id;
}

struct Allocation {
    uint64 currentMagnitude;
    int128 pendingDiff;
    uint32 effectBlock;
}

struct SlashingParams {
    address operator;
    uint32 operatorSetId;
    address[] strategies;
    uint256[] wadsToSlash;
    string description;
}

struct AllocateParams {
    OperatorSet operatorSet;
    address[] strategies;
    uint64[] newMagnitudes;
}

/// What the allocation manager stand-in asks of the delegation manager stand-in on a slash.
interface IDevDelegationSlash {
    function slashOperatorShares(address operator, address strategy, uint64 prevMaxMagnitude, uint64 newMaxMagnitude)
        external;
}

/// What the delegation manager stand-in reads from the allocation manager stand-in.
interface IDevMaxMagnitude {
    function getMaxMagnitude(address operator, address strategy) external view returns (uint64);
}

/// What the delegation manager stand-in reads from the pod manager stand-in.
interface IDevBeaconFactor {
    function beaconChainSlashingFactor(address staker) external view returns (uint64);
}
