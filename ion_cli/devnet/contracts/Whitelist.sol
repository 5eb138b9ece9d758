// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {IWhitelist} from "./interfaces/IWhitelist.sol";

/// @title Whitelist
/// @notice Merkle-root allow lists: one root per ilk for borrowers and one for lenders. A root of
/// zero leaves that list open. Leaves follow the OpenZeppelin "standard" tree:
/// keccak256(bytes.concat(keccak256(abi.encode(addr)))), sorted pairs. Protocol contracts
/// (handlers, liquidation) go on `protocolWhitelist`: when one of them is the pool's caller it has
/// already decided who acts, so the proof is not asked for.
/// The checks return true or revert, so the pool can call them as guards.
contract Whitelist is IWhitelist, Ownable {
    mapping(uint8 => bytes32) public borrowersRoot;
    bytes32 public lendersRoot;
    mapping(address => bool) public protocolWhitelist;

    event UpdateBorrowersRoot(uint8 indexed ilkIndex, bytes32 root);
    event UpdateLendersRoot(bytes32 root);
    event ApproveProtocolWhitelist(address indexed addr);
    event RevokeProtocolWhitelist(address indexed addr);

    constructor(bytes32[] memory borrowersRoots, bytes32 lendersRoot_) Ownable(msg.sender) {
        for (uint256 i; i < borrowersRoots.length; ++i) {
            borrowersRoot[uint8(i)] = borrowersRoots[i];
        }
        lendersRoot = lendersRoot_;
    }

    function approveProtocolWhitelist(address addr) external onlyOwner {
        protocolWhitelist[addr] = true;
        emit ApproveProtocolWhitelist(addr);
    }

    function revokeProtocolWhitelist(address addr) external onlyOwner {
        protocolWhitelist[addr] = false;
        emit RevokeProtocolWhitelist(addr);
    }

    function updateBorrowersRoot(uint8 ilkIndex, bytes32 borrowersRoot_) external onlyOwner {
        borrowersRoot[ilkIndex] = borrowersRoot_;
        emit UpdateBorrowersRoot(ilkIndex, borrowersRoot_);
    }

    function updateLendersRoot(bytes32 lendersRoot_) external onlyOwner {
        lendersRoot = lendersRoot_;
        emit UpdateLendersRoot(lendersRoot_);
    }

    function isWhitelistedBorrower(uint8 ilkIndex, address poolCaller, address addr, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        if (protocolWhitelist[poolCaller]) return true;
        bytes32 root = borrowersRoot[ilkIndex];
        if (root == bytes32(0) || MerkleProof.verifyCalldata(proof, root, _leaf(addr))) return true;
        revert NotWhitelistedBorrower(ilkIndex, addr);
    }

    function isWhitelistedLender(address poolCaller, address addr, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        if (protocolWhitelist[poolCaller]) return true;
        bytes32 root = lendersRoot;
        if (root == bytes32(0) || MerkleProof.verifyCalldata(proof, root, _leaf(addr))) return true;
        revert NotWhitelistedLender(addr);
    }

    function _leaf(address addr) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(addr))));
    }
}
