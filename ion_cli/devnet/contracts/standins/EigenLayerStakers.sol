// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

interface IDevPodOwnerLookup {
    function ownerToPod(address podOwner) external view returns (address);
}

interface IDevDelegatedTo {
    function delegatedTo(address staker) external view returns (address);
}
