// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IReserveFeed} from "../interfaces/IOracles.sol";

/// The Halo2 verifier ezkl generates: reverts (empty data) on a bad proof, or returns false.
interface IHalo2Verifier {
    function verifyProof(bytes calldata proof, uint256[] calldata instances) external returns (bool);
}

/// Whatever computes the LRT protocol's own exchange rate (the market's ReserveOracle does).
interface IProtocolRateSource {
    function getProtocolExchangeRate() external view returns (uint256);
}

interface IRiskFeed is IReserveFeed {
    error InvalidProof();
    error NotAllowedSubmitter(address submitter);
    error NotOwner(address caller);
    error WrongInstanceCount(uint256 got, uint256 expected);
    error MalformedInstance(uint256 index);
    error WrongModel(bytes32 committed, bytes32 expected);
    error StateRootMismatch(bytes32 submitted, bytes32 committed);
    error SlotInFuture(uint64 slot, uint256 slotTime, uint256 blockTime);
    error StaleSlot(uint64 slot, uint256 age, uint256 maxAge);
    error SlotNotNewer(uint64 slot, uint64 lastSlot);
    error AlreadySubmitted(uint64 slot, bytes32 stateRoot);
    error WrongIlk(uint8 ilkIndex, uint8 expected);
    error InvalidLayout();
    error InvalidHaircutRange(uint256 minHaircut, uint256 maxHaircut);

    event RiskScoreAccepted(
        uint64 indexed slot,
        bytes32 stateRoot,
        bytes32 blockRoot,
        uint256 score,
        uint256 haircut,
        address indexed submitter
    );
    event SubmitterSet(address indexed submitter, bool allowed);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
}

/// @title RiskFeed
/// @notice A reserve-oracle feed driven by zk-proven risk scores: the model's score of the
/// validator group behind one LRT, proven off chain with ezkl (Halo2/KZG) and verified here,
/// sets a haircut; the feed answers the LRT protocol's own rate times (1 - haircut).
/// @dev The public instances (field elements) carry, at fixed positions, the slot and the beacon
/// state root (16-bit limbs, each stored as limb * 2^SCALE), the model hash (same limbs) and the
/// score (a signed fixed-point value, score * 2^SCALE). The contract never takes these values
/// from separate arguments: it decodes them from the instances the proof was checked against,
/// and checks the state root the caller names against the committed limbs. Until the state root
/// is also checked on chain against the EIP-4788 beacon block root, only submitters on the
/// owner's allowlist may submit.
contract RiskFeed is IRiskFeed {
    /// The BN254 scalar field: instances are its elements; above half of it they are negative.
    uint256 internal constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant WAD = 1e18;
    uint256 internal constant LIMB_BITS = 16;
    uint256 internal constant SECONDS_PER_SLOT = 12;

    /// Where each value sits among the public instances (limbs most significant first).
    struct Layout {
        uint16 instanceCount;
        uint16 slotIndex;
        uint16 slotLimbs;
        uint16 stateRootIndex;
        uint16 modelHashIndex;
        uint16 scoreIndex;
        uint8 scale;
    }

    struct Config {
        address verifier;
        address rateSource;
        uint8 ilkIndex;
        bytes32 modelHash;
        uint256 genesisTime;
        uint256 maxSlotAge;
        uint256 minHaircut; // WAD fraction at score 0
        uint256 maxHaircut; // WAD fraction at score 1
    }

    /// The latest accepted proof.
    struct Latest {
        uint64 slot;
        uint64 acceptedAt;
        uint128 haircut; // WAD fraction
        uint256 score; // WAD fraction in [0, 1] after clamping
        bytes32 stateRoot;
        bytes32 blockRoot;
        address submitter;
    }

    address public immutable VERIFIER;
    address public immutable RATE_SOURCE;
    uint8 public immutable ILK_INDEX;
    bytes32 public immutable MODEL_HASH;
    uint256 public immutable GENESIS_TIME;
    uint256 public immutable MAX_SLOT_AGE;
    uint256 public immutable MIN_HAIRCUT;
    uint256 public immutable MAX_HAIRCUT;

    uint256 public immutable INSTANCE_COUNT;
    uint256 public immutable SLOT_INDEX;
    uint256 public immutable SLOT_LIMBS;
    uint256 public immutable STATE_ROOT_INDEX;
    uint256 public immutable MODEL_HASH_INDEX;
    uint256 public immutable SCORE_INDEX;
    uint256 public immutable SCALE;

    address public owner;
    mapping(address => bool) public isSubmitter;
    Latest internal _latest;

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    constructor(Config memory config, Layout memory shape, address initialOwner) {
        uint256 count = shape.instanceCount;
        bool fits = shape.slotLimbs > 0 && shape.slotLimbs <= 4
            && uint256(shape.slotIndex) + shape.slotLimbs <= count
            && uint256(shape.stateRootIndex) + 16 <= count && uint256(shape.modelHashIndex) + 16 <= count
            && shape.scoreIndex < count && shape.scale <= 32;
        if (!fits || config.verifier == address(0) || config.rateSource == address(0)) revert InvalidLayout();
        if (config.minHaircut > config.maxHaircut || config.maxHaircut >= WAD) {
            revert InvalidHaircutRange(config.minHaircut, config.maxHaircut);
        }
        VERIFIER = config.verifier;
        RATE_SOURCE = config.rateSource;
        ILK_INDEX = config.ilkIndex;
        MODEL_HASH = config.modelHash;
        GENESIS_TIME = config.genesisTime;
        MAX_SLOT_AGE = config.maxSlotAge;
        MIN_HAIRCUT = config.minHaircut;
        MAX_HAIRCUT = config.maxHaircut;
        INSTANCE_COUNT = count;
        SLOT_INDEX = shape.slotIndex;
        SLOT_LIMBS = shape.slotLimbs;
        STATE_ROOT_INDEX = shape.stateRootIndex;
        MODEL_HASH_INDEX = shape.modelHashIndex;
        SCORE_INDEX = shape.scoreIndex;
        SCALE = shape.scale;
        owner = initialOwner;
        emit OwnershipTransferred(address(0), initialOwner);
    }

    // ---------------------------------------------------------------- admin

    function setSubmitter(address submitter, bool allowed) external onlyOwner {
        isSubmitter[submitter] = allowed;
        emit SubmitterSet(submitter, allowed);
    }

    function transferOwnership(address newOwner) external onlyOwner {
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    // ---------------------------------------------------------------- submission

    /// @notice Verify a risk proof and, when every check passes, make its haircut the feed's.
    /// @param stateRoot the beacon state root the features came from (checked against the
    /// committed limbs); @param blockRoot the beacon block root of that state (recorded: the
    /// EIP-4788 check that will tie it to the chain comes later).
    function submit(bytes calldata proof, uint256[] calldata instances, bytes32 stateRoot, bytes32 blockRoot)
        external
    {
        if (!isSubmitter[msg.sender]) revert NotAllowedSubmitter(msg.sender);
        if (instances.length != INSTANCE_COUNT) revert WrongInstanceCount(instances.length, INSTANCE_COUNT);

        bytes32 model = bytes32(_limbs(instances, MODEL_HASH_INDEX, 16));
        if (model != MODEL_HASH) revert WrongModel(model, MODEL_HASH);
        bytes32 committedRoot = bytes32(_limbs(instances, STATE_ROOT_INDEX, 16));
        if (committedRoot != stateRoot) revert StateRootMismatch(stateRoot, committedRoot);

        uint64 slot = uint64(_limbs(instances, SLOT_INDEX, SLOT_LIMBS));
        _checkSlot(slot, stateRoot);

        // Last: the expensive call, once the cheap checks passed. The generated verifier reverts
        // with empty data on a bad proof; the low-level call turns that into a named error.
        (bool ok, bytes memory ret) =
            VERIFIER.call(abi.encodeCall(IHalo2Verifier.verifyProof, (proof, instances)));
        if (!ok || ret.length < 32 || abi.decode(ret, (uint256)) != 1) revert InvalidProof();

        uint256 score = decodeScore(instances[SCORE_INDEX]);
        uint256 haircut = haircutOf(score);
        _latest = Latest({
            slot: slot,
            acceptedAt: uint64(block.timestamp),
            haircut: uint128(haircut),
            score: score,
            stateRoot: stateRoot,
            blockRoot: blockRoot,
            submitter: msg.sender
        });
        emit RiskScoreAccepted(slot, stateRoot, blockRoot, score, haircut, msg.sender);
    }

    function _checkSlot(uint64 slot, bytes32 stateRoot) internal view {
        Latest storage last = _latest;
        if (last.acceptedAt != 0) {
            if (slot == last.slot && stateRoot == last.stateRoot) revert AlreadySubmitted(slot, stateRoot);
            if (slot <= last.slot) revert SlotNotNewer(slot, last.slot);
        }
        uint256 slotTime = GENESIS_TIME + uint256(slot) * SECONDS_PER_SLOT;
        if (slotTime > block.timestamp) revert SlotInFuture(slot, slotTime, block.timestamp);
        uint256 age = block.timestamp - slotTime;
        if (age > MAX_SLOT_AGE) revert StaleSlot(slot, age, MAX_SLOT_AGE);
    }

    /// @dev Reassemble `count` 16-bit limbs (most significant first), each stored as
    /// limb * 2^SCALE; anything else is malformed (a value the layout cannot have produced).
    function _limbs(uint256[] calldata instances, uint256 start, uint256 count) internal view returns (uint256 value) {
        uint256 unit = 1 << SCALE;
        for (uint256 i = 0; i < count; ++i) {
            uint256 raw = instances[start + i];
            uint256 limb = raw >> SCALE;
            if (raw != limb * unit || limb >> LIMB_BITS != 0) revert MalformedInstance(start + i);
            value = (value << LIMB_BITS) | limb;
        }
    }

    // ---------------------------------------------------------------- math

    /// @notice The score instance (signed fixed point, x 2^SCALE) as a WAD fraction, clamped to [0, 1].
    function decodeScore(uint256 instance) public view returns (uint256) {
        if (instance >= FIELD_MODULUS / 2) return 0; // negative (or not a field element)
        uint256 unit = 1 << SCALE;
        if (instance >= unit) return WAD;
        return instance * WAD / unit;
    }

    /// @notice haircut = MIN_HAIRCUT + (MAX_HAIRCUT - MIN_HAIRCUT) * score (all WAD).
    function haircutOf(uint256 score) public view returns (uint256) {
        return MIN_HAIRCUT + (MAX_HAIRCUT - MIN_HAIRCUT) * score / WAD;
    }

    // ---------------------------------------------------------------- reads

    /// @notice The protocol rate times (1 - haircut) (WAD); the plain protocol rate before the
    /// first accepted proof, so the reserve oracle never fails for want of one.
    function getExchangeRate(uint8 ilkIndex) external view returns (uint256) {
        if (ilkIndex != ILK_INDEX) revert WrongIlk(ilkIndex, ILK_INDEX);
        uint256 rate = IProtocolRateSource(RATE_SOURCE).getProtocolExchangeRate();
        return rate * (WAD - _latest.haircut) / WAD;
    }

    function latest() external view returns (Latest memory) {
        return _latest;
    }

    function hasScore() external view returns (bool) {
        return _latest.acceptedAt != 0;
    }
}
