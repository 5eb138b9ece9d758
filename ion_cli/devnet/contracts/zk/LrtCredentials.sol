// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

/// The withdrawal credentials an LRT's validators pay to, as the RiskFeed judges a committed
/// snapshot against them. Each credential is 32 bytes: a prefix byte (0x01 or 0x02), 11 zero
/// bytes, the 20-byte address (an EigenPod, a vault).
interface ILrtCredentials {
    /// @notice Every credential of the LRT now (an EigenPod accepts 0x01 and 0x02 validators:
    /// both are listed for each pod).
    function credentials() external view returns (bytes32[] memory);

    /// @notice How the set is found: "contracts" (enumerated from the LRT's own contracts on
    /// chain, no one to trust beyond them) or "registry" (an owner keeps the list).
    function source() external pure returns (string memory);
}

interface IEigenPodOwner {
    function eigenPod() external view returns (address);
}

library Credentials {
    /// @notice The 0x01 and 0x02 credentials that pay to `pod`.
    function ofPod(address pod) internal pure returns (bytes32 classic, bytes32 compounding) {
        classic = bytes32(uint256(uint160(pod)) | (uint256(0x01) << 248));
        compounding = bytes32(uint256(uint160(pod)) | (uint256(0x02) << 248));
    }

    /// @notice What a submission snapshots of a set: keccak256 of the credentials, in the order
    /// the source lists them (the submission's event carries the list itself).
    function hashOf(bytes32[] memory creds) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(creds));
    }
}

/// @notice Where the LRT's contracts cannot enumerate its credentials on chain (ether.fi's nodes
/// are found from events; Swell's staker proxies have no pod getter here): an owner keeps the
/// list, and every change is an event.
contract CredentialRegistry is ILrtCredentials {
    error NotOwner(address caller);
    error AlreadyListed(bytes32 credential);
    error NotListed(bytes32 credential);

    event CredentialAdded(bytes32 indexed credential);
    event CredentialRemoved(bytes32 indexed credential);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    address public owner;
    bytes32[] internal _creds;
    mapping(bytes32 => uint256) internal _position; // index + 1; 0 = not listed

    constructor(address initialOwner) {
        owner = initialOwner;
        emit OwnershipTransferred(address(0), initialOwner);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    function add(bytes32[] calldata creds) external onlyOwner {
        for (uint256 i = 0; i < creds.length; ++i) {
            bytes32 c = creds[i];
            if (_position[c] != 0) revert AlreadyListed(c);
            _creds.push(c);
            _position[c] = _creds.length;
            emit CredentialAdded(c);
        }
    }

    function remove(bytes32 credential) external onlyOwner {
        uint256 at = _position[credential];
        if (at == 0) revert NotListed(credential);
        bytes32 last = _creds[_creds.length - 1];
        _creds[at - 1] = last;
        _position[last] = at;
        _creds.pop();
        delete _position[credential];
        emit CredentialRemoved(credential);
    }

    function transferOwnership(address newOwner) external onlyOwner {
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    function credentials() external view returns (bytes32[] memory) {
        return _creds;
    }

    function source() external pure returns (string memory) {
        return "registry";
    }
}
