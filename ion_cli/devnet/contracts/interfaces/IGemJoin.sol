// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

interface IGemJoin {
    error WrongIlkAddress(uint8 ilkIndex, address gem);
    error Int256Overflow();

    function join(address user, uint256 amount) external;
    function exit(address user, uint256 amount) external;
    function GEM() external view returns (address);
    function POOL() external view returns (address);
    function ILK_INDEX() external view returns (uint8);
    function totalGem() external view returns (uint256);
}
