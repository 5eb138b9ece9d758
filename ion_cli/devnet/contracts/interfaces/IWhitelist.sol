// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

interface IWhitelist {
    error NotWhitelistedBorrower(uint8 ilkIndex, address addr);
    error NotWhitelistedLender(address addr);

    function isWhitelistedBorrower(uint8 ilkIndex, address poolCaller, address addr, bytes32[] calldata proof) external view returns (bool);
    function isWhitelistedLender(address poolCaller, address addr, bytes32[] calldata proof) external view returns (bool);
    function protocolWhitelist(address addr) external view returns (bool);
    function approveProtocolWhitelist(address addr) external;
    function revokeProtocolWhitelist(address addr) external;
    function updateBorrowersRoot(uint8 ilkIndex, bytes32 borrowersRoot) external;
    function updateLendersRoot(bytes32 lendersRoot) external;
}
