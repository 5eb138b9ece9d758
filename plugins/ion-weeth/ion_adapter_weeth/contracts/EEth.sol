// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// The pool's share price, as eETH reads it.
interface IEtherFiSharePrice {
    function getTotalPooledEther() external view returns (uint256);
    function sharesForAmount(uint256 amount) external view returns (uint256);
    function amountForShare(uint256 share) external view returns (uint256);
}

/// @notice ether.fi eETH stand-in: share accounting as on mainnet. Holders own shares; a
/// balance is `pool.amountForShare(shares)` and a transfer of an amount moves
/// `pool.sharesForAmount(amount)` shares (both round down). Only the LiquidityPool mints and
/// burns shares; the owner names it once with `setLiquidityPool` (the token comes first).
contract EEth is IERC20, Ownable {
    error NotLiquidityPool(address caller);
    error PoolAlreadySet();
    error InsufficientShares(uint256 have, uint256 need);
    error InsufficientAllowance(uint256 have, uint256 need);
    error ZeroAddress();

    string public constant name = "ether.fi ETH";
    string public constant symbol = "eETH";
    uint8 public constant decimals = 18;

    IEtherFiSharePrice public liquidityPool;
    uint256 public totalShares;
    mapping(address => uint256) public shares;
    mapping(address => mapping(address => uint256)) public allowance;

    event TransferShares(address indexed from, address indexed to, uint256 sharesValue);

    constructor(address owner_) Ownable(owner_) {}

    function setLiquidityPool(address pool) external onlyOwner {
        if (address(liquidityPool) != address(0)) revert PoolAlreadySet();
        if (pool == address(0)) revert ZeroAddress();
        liquidityPool = IEtherFiSharePrice(pool);
    }

    modifier onlyPool() {
        if (msg.sender != address(liquidityPool)) revert NotLiquidityPool(msg.sender);
        _;
    }

    function mintShares(address to, uint256 share) external onlyPool {
        shares[to] += share;
        totalShares += share;
        emit TransferShares(address(0), to, share);
    }

    function burnShares(address from, uint256 share) external onlyPool {
        uint256 have = shares[from];
        if (have < share) revert InsufficientShares(have, share);
        shares[from] = have - share;
        totalShares -= share;
        emit TransferShares(from, address(0), share);
    }

    function totalSupply() external view returns (uint256) {
        return liquidityPool.getTotalPooledEther();
    }

    function balanceOf(address account) external view returns (uint256) {
        return liquidityPool.amountForShare(shares[account]);
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < amount) revert InsufficientAllowance(allowed, amount);
            allowance[from][msg.sender] = allowed - amount;
        }
        _transfer(from, to, amount);
        return true;
    }

    /// Moves the shares an amount is worth now (rounded down, as ether.fi's eETH does).
    function _transfer(address from, address to, uint256 amount) internal {
        if (to == address(0)) revert ZeroAddress();
        uint256 share = liquidityPool.sharesForAmount(amount);
        uint256 have = shares[from];
        if (have < share) revert InsufficientShares(have, share);
        shares[from] = have - share;
        shares[to] += share;
        emit Transfer(from, to, amount);
        emit TransferShares(from, to, share);
    }
}
