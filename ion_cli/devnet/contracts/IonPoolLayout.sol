// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

/// @title IonPoolLayout
/// @notice Where the reference IonPool keeps its ledger: one ERC-7201 namespaced struct, so that
/// IonLens can read it through the pool's public `extsload` (as the public IonLens reads the
/// public pool) instead of through views the public pool does not have.
/// @dev The layout is the reference's own, not mainnet's. `IonPool.IonPoolStorage` must list its
/// fields in this order; tests/contracts/IonLens.t.sol checks every lens view against the pool.
library IonPoolLayout {
    /// keccak256(abi.encode(uint256(keccak256("ion.reference.IonPool")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 internal constant ROOT = 0xe099ee74d09bff907babf16a491b6cdd5fa704b8194d9c5191caee87aa27b800;

    // Fields of IonPoolStorage, as offsets from ROOT.
    uint256 internal constant ILKS = 0; // Ilk[]: length here, elements from keccak256(ROOT + ILKS)
    uint256 internal constant ILK_INDEX_PLUS_ONE = 1; // mapping(address => uint256)
    uint256 internal constant VAULTS = 2; // mapping(uint8 => mapping(address => Vault))
    uint256 internal constant GEM = 3; // mapping(uint8 => mapping(address => uint256))
    uint256 internal constant UNBACKED_DEBT = 4; // mapping(address => uint256)
    uint256 internal constant IS_OPERATOR = 5; // mapping(address => mapping(address => bool))
    uint256 internal constant DEBT = 6; // uint256, RAD, stored (without pending interest)
    uint256 internal constant WETH = 7; // uint256, WAD, the base asset the pool can lend out
    uint256 internal constant SUPPLY_CAP = 8; // uint256, WAD
    uint256 internal constant TOTAL_UNBACKED_DEBT = 9; // uint256, RAD
    uint256 internal constant INTEREST_RATE_MODULE = 10; // address
    uint256 internal constant WHITELIST = 11; // address

    // Fields of one Ilk (ILK_SLOTS slots each, none packed).
    uint256 internal constant ILK_SLOTS = 7;
    uint256 internal constant ILK_ADDRESS = 0;
    uint256 internal constant ILK_SPOT = 1;
    uint256 internal constant ILK_TOTAL_NORMALIZED_DEBT = 2;
    uint256 internal constant ILK_RATE = 3;
    uint256 internal constant ILK_LAST_RATE_UPDATE = 4;
    uint256 internal constant ILK_DEBT_CEILING = 5;
    uint256 internal constant ILK_DUST = 6;

    function field(uint256 offset) internal pure returns (uint256) {
        return uint256(ROOT) + offset;
    }

    function ilkField(uint256 ilkIndex, uint256 offset) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(field(ILKS)))) + ilkIndex * ILK_SLOTS + offset;
    }

    /// Slot of `mapping[key]` for a mapping at `mappingSlot` (value types and struct starts).
    function mapped(uint256 mappingSlot, uint256 key) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(key, mappingSlot)));
    }
}
