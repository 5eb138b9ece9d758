// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {IGemJoin} from "./interfaces/IGemJoin.sol";
import {IIonPool} from "./interfaces/IIonPool.sol";

/// @title GemJoin
/// @notice Custody of one collateral token for one ilk of an IonPool: `join` takes the token and
/// credits the same amount of gem in the pool, `exit` debits gem and hands the token back. The pool
/// only ever sees gem; the token itself sits here (`totalGem` tracks it, ignoring donations).
/// Needs GEM_JOIN_ROLE on the pool. The owner may pause joins and exits; a paused pool stops
/// joins only, so collateral can always leave.
contract GemJoin is IGemJoin, Ownable, Pausable {
    using SafeERC20 for IERC20;

    IERC20 private immutable _gemToken;
    IIonPool private immutable _pool;
    uint8 private immutable _ilkIndex;

    uint256 public totalGem;

    constructor(address pool, address gem, uint8 ilkIndex, address owner) Ownable(owner) {
        // a GemJoin wired to the wrong ilk would credit gem of another collateral
        if (IIonPool(pool).getIlkAddress(ilkIndex) != gem) revert WrongIlkAddress(ilkIndex, gem);
        _gemToken = IERC20(gem);
        _pool = IIonPool(pool);
        _ilkIndex = ilkIndex;
    }

    // solhint-disable func-name-mixedcase
    function GEM() external view returns (address) {
        return address(_gemToken);
    }

    function POOL() external view returns (address) {
        return address(_pool);
    }

    function ILK_INDEX() external view returns (uint8) {
        return _ilkIndex;
    }
    // solhint-enable func-name-mixedcase

    function pause() external onlyOwner {
        _pause();
    }

    function unpause() external onlyOwner {
        _unpause();
    }

    /// Pulls `amount` of the token from msg.sender and credits `user` with as much gem.
    /// Reverts EnforcedPause while this join or the pool is paused (as the public GemJoin does).
    function join(address user, uint256 amount) external whenNotPaused {
        if (_pool.paused()) revert EnforcedPause();
        int256 wad = _toInt(amount);
        totalGem += amount;
        _pool.mintAndBurnGem(_ilkIndex, user, wad);
        _gemToken.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// Debits `amount` of msg.sender's gem and sends as much of the token to `user`.
    function exit(address user, uint256 amount) external whenNotPaused {
        int256 wad = _toInt(amount);
        totalGem -= amount;
        _pool.mintAndBurnGem(_ilkIndex, msg.sender, -wad);
        _gemToken.safeTransfer(user, amount);
    }

    function _toInt(uint256 x) private pure returns (int256) {
        if (x > uint256(type(int256).max)) revert Int256Overflow();
        return int256(x);
    }
}
