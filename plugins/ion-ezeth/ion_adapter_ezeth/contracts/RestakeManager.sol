// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {DevToken} from "ion/standins/DevToken.sol";
import {RenzoMintMath} from "./RenzoMintMath.sol";

/// @notice Renzo RestakeManager stand-in. ezETH has no rate getter on mainnet: its value is
/// totalTVL / ezETH.totalSupply(). Here the owner sets that rate and `calculateTVLs` reports the
/// TVL the rate implies, so the mainnet formula reproduces the set rate exactly (see below).
/// Needs `EzEth.setMinter(restakeManager, true)` after deployment.
contract RestakeManager is Ownable {
    error ZeroDeposit();
    error ZeroRate();
    error InvalidTokenAmount();

    event Deposit(address indexed depositor, uint256 amount, uint256 ezETHMinted, uint256 referralId);
    event SetRate(uint256 rate);

    DevToken public immutable ezETH;
    /// ETH per ezETH, WAD.
    uint256 public rate;
    /// The EigenLayer stakers holding the restaked ETH, and each one's share (basis points).
    address[] public operatorDelegators;
    mapping(address => uint256) public operatorDelegatorAllocations;

    constructor(address ezEth_, address owner_) Ownable(owner_) {
        ezETH = DevToken(ezEth_);
        rate = 1e18;
    }

    function setRate(uint256 newRate) external onlyOwner {
        if (newRate == 0) revert ZeroRate();
        rate = newRate;
        emit SetRate(newRate);
    }

    function addOperatorDelegator(address operatorDelegator, uint256 allocationBasisPoints) external onlyOwner {
        operatorDelegators.push(operatorDelegator);
        operatorDelegatorAllocations[operatorDelegator] = allocationBasisPoints;
    }

    function getOperatorDelegatorsLength() external view returns (uint256) {
        return operatorDelegators.length;
    }

    function depositETH() external payable {
        _deposit(0);
    }

    function depositETH(uint256 referralId) external payable {
        _deposit(referralId);
    }

    /// Mints what Renzo's calculateMintAmount gives for the TVL and supply before the deposit
    /// (RenzoMintMath, as mainnet's RestakeManager asks its oracle); the ETH stays here.
    function _deposit(uint256 referralId) private {
        if (msg.value == 0) revert ZeroDeposit();
        uint256 supply = ezETH.totalSupply();
        uint256 minted = RenzoMintMath.mintAmount(_totalTVL(supply), msg.value, supply);
        if (minted == 0) revert InvalidTokenAmount();
        ezETH.mint(msg.sender, minted);
        emit Deposit(msg.sender, msg.value, minted, referralId);
    }

    /// Per-operator-delegator breakdowns are empty on the devnet. totalTVL is rounded up so
    /// that totalTVL * 1e18 / totalSupply == rate exactly whenever the supply is >= 1 ezETH.
    function calculateTVLs() external view returns (uint256[][] memory, uint256[] memory, uint256) {
        return (new uint256[][](0), new uint256[](0), _totalTVL(ezETH.totalSupply()));
    }

    function _totalTVL(uint256 supply) private view returns (uint256) {
        return (supply * rate + 1e18 - 1) / 1e18;
    }
}
