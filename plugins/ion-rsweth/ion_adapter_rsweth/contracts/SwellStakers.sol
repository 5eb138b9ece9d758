// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @notice A Swell staker proxy stand-in: an EigenLayer staker with a pod, owned by its manager.
contract SwellStakerProxy {
    address public immutable manager;

    constructor(address manager_) {
        manager = manager_;
    }
}

/// @notice Swell EigenLayerManager stand-in: staker proxies by id, and the ids per operator.
contract EigenLayerManager is Ownable {
    uint256 public stakeId;
    mapping(uint256 => address) public stakerProxyAddresses;
    mapping(address => uint256[]) public operatorToStakers;

    constructor(address owner_) Ownable(owner_) {}

    function devAddStakerProxy(address proxy, address operator) external onlyOwner {
        stakeId += 1;
        stakerProxyAddresses[stakeId] = proxy;
        operatorToStakers[operator].push(stakeId);
    }
}
