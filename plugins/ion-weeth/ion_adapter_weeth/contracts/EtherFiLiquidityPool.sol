// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// The share ledger the pool mints into (see EEth).
interface IEEthShares {
    function totalShares() external view returns (uint256);
    function mintShares(address to, uint256 share) external;
}

/// @notice ether.fi LiquidityPool stand-in with mainnet's share arithmetic. The pooled ether P
/// is the ETH held here (`totalValueInLp`) plus the ETH staked on the beacon chain
/// (`totalValueOutOfLp`); eETH's total shares are S. A deposit of `amount` mints
/// floor(amount * S / P) shares with the totals before the deposit (the amount itself when the
/// pool is empty) and returns them; weETH's rate is P / S.
/// Devnet-only admin: `depositOutOfLp` books stake that is already on the beacon chain (mainnet
/// books it through its Liquifier and validator flows), and `setRate` rebases the out-of-pool
/// value so that P / S is the rate asked for (mainnet's oracle rebases it from rewards and
/// penalties).
contract EtherFiLiquidityPool is Ownable {
    error ZeroDeposit();
    error InvalidAmount();
    error ZeroRate();
    error NoShares();
    error RateBelowPooledEth(uint256 rate);

    event Deposit(address indexed sender, uint256 amount, address referral);
    event Rebase(uint256 totalEthLocked, uint256 totalEEthShares);

    IEEthShares public immutable eETH;
    uint128 public totalValueOutOfLp;
    uint128 public totalValueInLp;

    constructor(address eEth_, address owner_) Ownable(owner_) {
        eETH = IEEthShares(eEth_);
    }

    /// The eETH shares minted for the ETH sent.
    function deposit() external payable returns (uint256) {
        return _deposit(msg.sender, address(0));
    }

    function deposit(address referral) external payable returns (uint256) {
        return _deposit(msg.sender, referral);
    }

    function _deposit(address to, address referral) internal returns (uint256 share) {
        if (msg.value == 0) revert ZeroDeposit();
        share = _sharesForDeposit(msg.value);
        if (share == 0 || msg.value > type(uint128).max) revert InvalidAmount();
        totalValueInLp += uint128(msg.value);
        eETH.mintShares(to, share);
        emit Deposit(to, msg.value, referral);
    }

    /// Shares for a deposit, priced at the totals before it.
    function _sharesForDeposit(uint256 amount) internal view returns (uint256) {
        uint256 pooled = getTotalPooledEther();
        if (pooled == 0) return amount;
        return amount * eETH.totalShares() / pooled;
    }

    function getTotalPooledEther() public view returns (uint256) {
        return uint256(totalValueOutOfLp) + uint256(totalValueInLp);
    }

    function sharesForAmount(uint256 amount) public view returns (uint256) {
        uint256 pooled = getTotalPooledEther();
        if (pooled == 0) return 0;
        return amount * eETH.totalShares() / pooled;
    }

    function amountForShare(uint256 share) public view returns (uint256) {
        uint256 total = eETH.totalShares();
        if (total == 0) return 0;
        return share * getTotalPooledEther() / total;
    }

    /// Devnet admin: `amount` of ETH staked outside the pool, credited to `to` as shares.
    function depositOutOfLp(address to, uint256 amount) external onlyOwner returns (uint256 share) {
        if (amount == 0 || amount > type(uint128).max) revert InvalidAmount();
        share = _sharesForDeposit(amount);
        if (share == 0) revert InvalidAmount();
        totalValueOutOfLp += uint128(amount);
        eETH.mintShares(to, share);
        emit Deposit(to, amount, address(0));
    }

    /// Devnet admin: rebase the out-of-pool value so that amountForShare(1e18) == rate exactly
    /// (P = ceil(rate * S / 1e18); exact while S >= 1e18).
    function setRate(uint256 rate) external onlyOwner {
        if (rate == 0) revert ZeroRate();
        uint256 total = eETH.totalShares();
        if (total == 0) revert NoShares();
        uint256 product = rate * total;
        uint256 pooled = product / 1e18 + (product % 1e18 == 0 ? 0 : 1);
        if (pooled < totalValueInLp || pooled - totalValueInLp > type(uint128).max) {
            revert RateBelowPooledEth(rate);
        }
        totalValueOutOfLp = uint128(pooled - totalValueInLp);
        emit Rebase(pooled, total);
    }
}
