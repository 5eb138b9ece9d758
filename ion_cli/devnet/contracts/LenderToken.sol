// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {IIonPool} from "./interfaces/IIonPool.sol";
import {WadRayMath, RAY} from "./math/WadRayMath.sol";

/// @title LenderToken
/// @notice The rebasing lender token of IonPool. Balances are stored normalized; the visible
/// balance is normalized * supplyFactor (RAY). Interest raises supplyFactor, so every lender's
/// balance grows without a transfer. All conversions round in the pool's favour: minting rounds
/// the normalized amount down, burning and transferring round it up.
/// @dev Abstract: IonPool supplies `supplyFactor()` (including pending interest) and decides when
/// the stored factor moves. `InsufficientBalance` reports normalized units (what is stored).
abstract contract LenderToken is IIonPool, EIP712, Nonces, Pausable {
    using WadRayMath for uint256;

    // Not in IIonPool (appendix A lists none): OpenZeppelin's, which the client decodes too.
    error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
    error ERC2612ExpiredSignature(uint256 deadline);
    error ERC2612InvalidSigner(address signer, address owner);

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    bytes32 private constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    IERC20 internal immutable UNDERLYING;
    address internal immutable TREASURY;
    string private _name;
    string private _symbol;

    mapping(address => uint256) internal _normalizedBalances;
    uint256 internal _normalizedTotalSupply;
    /// Stored supply factor (RAY), i.e. without interest pending since the last accrual.
    uint256 internal _supplyFactor;
    mapping(address => mapping(address => uint256)) private _allowances;

    constructor(address underlying_, address treasury_, string memory name_, string memory symbol_)
        EIP712(name_, "1")
    {
        UNDERLYING = IERC20(underlying_);
        TREASURY = treasury_;
        _name = name_;
        _symbol = symbol_;
        _supplyFactor = RAY;
    }

    // ---- views ----

    /// Supply factor (RAY) including pending interest; the pool computes it.
    function supplyFactor() public view virtual returns (uint256);

    function balanceOf(address user) public view returns (uint256) {
        return _normalizedBalances[user].rayMulDown(supplyFactor());
    }

    function totalSupply() public view returns (uint256) {
        return _normalizedTotalSupply.rayMulDown(supplyFactor());
    }

    function normalizedBalanceOf(address user) external view returns (uint256) {
        return _normalizedBalances[user];
    }

    /// Stored normalized total supply; IonPool adds the pending treasury share.
    function normalizedTotalSupply() external view virtual returns (uint256) {
        return _normalizedTotalSupply;
    }

    function balanceOfUnaccrued(address user) external view returns (uint256) {
        return _normalizedBalances[user].rayMulDown(_supplyFactor);
    }

    /// Total supply at the stored factor: the `totalEthSupply` fed to the interest-rate module.
    function _totalSupplyUnaccrued() internal view returns (uint256) {
        return _normalizedTotalSupply.rayMulDown(_supplyFactor);
    }

    function underlying() external view returns (address) {
        return address(UNDERLYING);
    }

    function decimals() external pure returns (uint8) {
        return 18;
    }

    function name() external view returns (string memory) {
        return _name;
    }

    function symbol() external view returns (string memory) {
        return _symbol;
    }

    function treasury() external view returns (address) {
        return TREASURY;
    }

    function allowance(address owner, address spender) external view returns (uint256) {
        return _allowances[owner][spender];
    }

    function nonces(address owner) public view override(IIonPool, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    function paused() public view virtual override(IIonPool, Pausable) returns (bool) {
        return super.paused();
    }

    // ---- ERC-20 ----

    function transfer(address to, uint256 amount) external whenNotPaused returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    /// Allowances are in visible (underlying) units and are spent by the amount transferred.
    function transferFrom(address from, address to, uint256 amount) external whenNotPaused returns (bool) {
        uint256 current = _allowances[from][msg.sender];
        if (current != type(uint256).max) {
            if (current < amount) revert ERC20InsufficientAllowance(msg.sender, current, amount);
            _approve(from, msg.sender, current - amount);
        }
        _transfer(from, to, amount);
        return true;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        _approve(msg.sender, spender, amount);
        return true;
    }

    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        if (block.timestamp > deadline) revert ERC2612ExpiredSignature(deadline);
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, _useNonce(owner), deadline));
        address signer = ECDSA.recover(_hashTypedDataV4(structHash), v, r, s);
        if (signer != owner) revert ERC2612InvalidSigner(signer, owner);
        _approve(owner, spender, value);
    }

    // ---- internals ----

    function _approve(address owner, address spender, uint256 amount) private {
        _allowances[owner][spender] = amount;
        emit Approval(owner, spender, amount);
    }

    /// Moves amount.rayDivUp(supplyFactor) normalized units: the sender never gives less than
    /// the visible amount it names.
    function _transfer(address from, address to, uint256 amount) private {
        if (from == address(0)) revert InvalidSender(from);
        if (to == address(0) || to == address(this)) revert InvalidReceiver(to);
        if (from == to) revert SelfTransfer(from);

        uint256 normalizedAmount = amount.rayDivUp(supplyFactor());
        uint256 fromBalance = _normalizedBalances[from];
        if (fromBalance < normalizedAmount) revert InsufficientBalance(from, fromBalance, normalizedAmount);
        unchecked {
            _normalizedBalances[from] = fromBalance - normalizedAmount;
        }
        _normalizedBalances[to] += normalizedAmount;
        emit Transfer(from, to, amount);
    }

    /// Mints amount.rayDivDown(factor) normalized units to `user`; returns them.
    function _mint(address user, uint256 amount, uint256 factor) internal returns (uint256 normalizedAmount) {
        if (user == address(0)) revert InvalidReceiver(user);
        normalizedAmount = amount.rayDivDown(factor);
        if (normalizedAmount == 0) revert InvalidMintAmount();
        _normalizedBalances[user] += normalizedAmount;
        _normalizedTotalSupply += normalizedAmount;
        emit Transfer(address(0), user, amount);
    }

    /// Burns amount.rayDivUp(factor) normalized units from `user`; returns them.
    function _burn(address user, uint256 amount, uint256 factor) internal returns (uint256 normalizedAmount) {
        if (user == address(0)) revert InvalidSender(user);
        normalizedAmount = amount.rayDivUp(factor);
        if (normalizedAmount == 0) revert InvalidBurnAmount();
        uint256 balance = _normalizedBalances[user];
        if (balance < normalizedAmount) revert InsufficientBalance(user, balance, normalizedAmount);
        unchecked {
            _normalizedBalances[user] = balance - normalizedAmount;
            _normalizedTotalSupply -= normalizedAmount;
        }
        emit Transfer(user, address(0), amount);
    }
}
