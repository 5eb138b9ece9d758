// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {DevToken} from "ion/standins/DevToken.sol";
import {ILRTOracle} from "./IKelp.sol";

/// @notice Kelp LRTDepositPool stand-in: ETH in, rsETH out at the LRTOracle's price; the ETH stays
/// here. Needs `RsEth.setMinter(depositPool, true)` after deployment.
contract LRTDepositPool is Ownable {
    error ZeroDeposit();
    error UnsupportedAsset(address asset);
    /// Kelp's own name for the slippage check.
    error MinimumAmountToReceiveNotMet();

    event ETHDeposit(address indexed depositor, uint256 depositAmount, uint256 rsethMintAmount, string referralId);

    /// Kelp's placeholder address for native ETH.
    address public constant ETH_TOKEN = 0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE;

    DevToken public immutable rsETH;
    /// Devnet-only getter (mainnet finds the oracle through LRTConfig); the handler reads it.
    ILRTOracle public immutable lrtOracle;

    /// The EigenLayer stakers (NodeDelegators) holding the restaked ETH.
    address[] internal nodeDelegatorQueue;

    constructor(address rsEth_, address lrtOracle_, address owner_) Ownable(owner_) {
        rsETH = DevToken(rsEth_);
        lrtOracle = ILRTOracle(lrtOracle_);
    }

    function addNodeDelegatorContractToQueue(address[] calldata nodeDelegators) external onlyOwner {
        for (uint256 i = 0; i < nodeDelegators.length; ++i) {
            nodeDelegatorQueue.push(nodeDelegators[i]);
        }
    }

    function getNodeDelegatorQueue() external view returns (address[] memory) {
        return nodeDelegatorQueue;
    }

    function depositETH(uint256 minRSETHAmountExpected, string calldata referralId) external payable {
        if (msg.value == 0) revert ZeroDeposit();
        uint256 minted = getRsETHAmountToMint(ETH_TOKEN, msg.value);
        if (minted < minRSETHAmountExpected) revert MinimumAmountToReceiveNotMet();
        rsETH.mint(msg.sender, minted);
        emit ETHDeposit(msg.sender, msg.value, minted, referralId);
    }

    /// floor(amount * 1e18 / rsETHPrice) for ETH (price 1); other assets are not on the devnet.
    function getRsETHAmountToMint(address asset, uint256 amount) public view returns (uint256) {
        if (asset != ETH_TOKEN) revert UnsupportedAsset(asset);
        return amount * 1e18 / lrtOracle.rsETHPrice();
    }
}
