// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IReserveFeed} from "../interfaces/IOracles.sol";
import {SszMerkle, BeaconBlockHeader} from "./SszMerkle.sol";
import {FeatureMath, SnapshotSums} from "./FeatureMath.sol";
import {ILrtCredentials, Credentials} from "./LrtCredentials.sol";
import {IRestakingFeatures} from "./RestakingFeatures.sol";

/// What a submission commits of the validators it rated (ion_cli/zk/sumtree.py): the root of
/// the Merkle-sum tree over every validator with the LRT's credentials (sorted by index), the
/// root's sums, the first and last index, and the network-level inputs of the features.
struct SnapshotCommitment {
    bytes32 root;
    SnapshotSums sums;
    uint64 firstIndex;
    uint64 lastIndex;
    uint128 networkActive; // Gwei: the network's total active balance (bounded by the feed)
    uint128 otherSlashed; // Gwei: slashed in the window outside the set
}

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
    error ScoreOutOfRange(uint256 instance);
    error WrongModel(bytes8 committed, bytes8 expected);
    error StateRootMismatch(bytes32 submitted, bytes32 committed);
    error SlotInFuture(uint64 slot, uint256 slotTime, uint256 blockTime);
    error StaleSlot(uint64 slot, uint256 age, uint256 maxAge);
    error SlotNotNewer(uint64 slot, uint64 lastSlot);
    error AlreadySubmitted(uint64 slot, bytes32 stateRoot);
    error WrongIlk(uint8 ilkIndex, uint8 expected);
    error InvalidConfig();
    error InvalidHaircutRange(uint256 minHaircut, uint256 maxHaircut);
    error BeaconRootUnavailable(uint256 timestamp);
    error HeaderNotAnchored(bytes32 headerRoot, bytes32 beaconRoot);
    error SlotMismatch(uint64 proven, uint64 header);
    error FeaturesMismatch(uint256 index, uint256 fromSums, uint256 proven);
    error NetworkInputOutOfRange(uint256 networkActive, uint256 min, uint256 max);
    error EmptyCommitment();
    error InvalidNetworkBounds(uint256 min, uint256 max);
    error RestakingMismatch(uint256 index, uint256 onChain, uint256 proven);

    event RiskScoreAccepted(
        uint64 indexed slot,
        bytes32 stateRoot,
        bytes32 blockRoot,
        uint256 score,
        uint256 haircut,
        address indexed submitter
    );
    /// The committed snapshot and the credential set it is judged against (snapshotted here:
    /// a later change of the LRT's contracts never makes this submission wrong).
    event SnapshotCommitted(
        uint64 indexed slot,
        bytes32 root,
        bytes32 commitmentHash,
        bytes32 credentialsHash,
        bytes32[] credentials
    );
    /// The LRT's credential set differs from the one the previous accepted submission saw.
    event CredentialSetChanged(bytes32 previousHash, bytes32 newHash, uint256 count);
    event SubmitterSet(address indexed submitter, bool allowed);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
}

/// @title RiskFeed
/// @notice A reserve-oracle feed driven by zk-proven risk scores: the model's score of the
/// validator group behind one LRT, proven off chain with ezkl (Halo2/KZG) and verified here,
/// sets a haircut; the feed answers the LRT protocol's own rate times (1 - haircut).
/// @dev The public instances (35 BN254 field elements; ion_cli/zk/layout.py is the reference):
/// 8 features (q in [0, 1024], carried as q: ezkl scales the float q / 1024 by 2^10), the slot
/// (2 limbs), the beacon state root (16 limbs), the model id (the first 8 bytes of
/// sha256(model hash || LRT symbol), 4 limbs: it binds the proof to the model and to the token
/// whose validators were rated, so one token's proof fails on another token's feed), all 16-bit limbs most significant first and each carried as limb * 2^10,
/// then the 2 restaking features (q, checked against RestakingFeatures at the pinned block), the
/// pinned execution block (2 limbs), then the score (signed fixed point, p * 2^10).
/// The contract never takes these values from separate arguments: it decodes them from the
/// instances the proof is checked against, and checks the state root the caller names against
/// the committed limbs. The circuit skips ezkl's range check on inputs, so the bounds are
/// checked here.
/// Anchoring (EIP-4788): a submission carries the beacon block header whose post-state was
/// rated and names an execution block timestamp; the feed reads that timestamp's parent beacon
/// block root from the beacon roots contract, requires it to be the header's hash_tree_root,
/// and requires the proof's slot and state-root instances to be the header's slot and state
/// root. The anchored block root, state root and slot are stored with the score, so later
/// checks read them from storage. Submitters stay on the owner's allowlist until the
/// validators' fields are also checked against the state root (the permissionless feed).
contract RiskFeed is IRiskFeed {
    /// The BN254 scalar field: instances are its elements; above half of it they are negative.
    uint256 public constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant WAD = 1e18;
    uint256 public constant SECONDS_PER_SLOT = 12;
    /// The EIP-4788 beacon roots contract (the same address on every chain that has it).
    address public constant BEACON_ROOTS = 0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02;

    uint256 public constant LIMB_BITS = 16;
    uint256 public constant SCALE = 10; // inputs and output: value * 2^10
    uint256 public constant N_FEATURES = 8;
    uint256 public constant SLOT_AT = 8;
    uint256 public constant SLOT_LIMBS = 2;
    uint256 public constant ROOT_AT = 10;
    uint256 public constant ROOT_LIMBS = 16;
    uint256 public constant MODEL_ID_AT = 26;
    uint256 public constant MODEL_ID_LIMBS = 4;
    uint256 public constant RESTAKING_AT = 30; // avs_loss, largest_operator_share (q)
    uint256 public constant BLOCK_AT = 32; // the pinned execution block, 2 limbs
    uint256 public constant SCORE_AT = 34;
    uint256 public constant N_INSTANCES = 35;
    /// |score| beyond this is not one the model can produce from inputs in range.
    uint256 public constant SCORE_BOUND = 64 << SCALE;

    struct Config {
        address verifier;
        address rateSource;
        uint8 ilkIndex;
        bytes32 modelHash; // sha256 of the ONNX model
        string lrt; // the symbol of the token whose validators are rated ("weETH")
        uint256 genesisTime; // the beacon chain's genesis time (slot 0)
        uint256 maxSlotAge; // seconds a proven slot may lie in the past
        uint256 minHaircut; // WAD fraction at score 0
        uint256 maxHaircut; // WAD fraction at score 1
        address credentials; // ILrtCredentials: the LRT's withdrawal credentials
        uint256 minNetworkActive; // Gwei: bounds of the network-level input T
        uint256 maxNetworkActive;
        address restaking; // IRestakingFeatures: the LRT's restaking features at a pinned block
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
        bytes32 commitmentHash; // keccak256(abi.encode(SnapshotCommitment))
        bytes32 credentialsHash; // keccak256(abi.encodePacked(credentials at submission))
    }

    address public immutable VERIFIER;
    address public immutable RATE_SOURCE;
    uint8 public immutable ILK_INDEX;
    bytes32 public immutable MODEL_HASH;
    /// What the proof carries: bytes8(sha256(MODEL_HASH || bytes(lrt))), model and token bound.
    bytes8 public immutable MODEL_ID;
    uint256 public immutable GENESIS_TIME;
    uint256 public immutable MAX_SLOT_AGE;
    uint256 public immutable MIN_HAIRCUT;
    uint256 public immutable MAX_HAIRCUT;
    ILrtCredentials public immutable CREDENTIALS;
    uint256 public immutable MIN_NETWORK_ACTIVE;
    uint256 public immutable MAX_NETWORK_ACTIVE;
    IRestakingFeatures public immutable RESTAKING;

    address public owner;
    mapping(address => bool) public isSubmitter;
    Latest internal _latest;

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    constructor(Config memory config, address initialOwner) {
        if (
            config.verifier == address(0) || config.rateSource == address(0) || bytes(config.lrt).length == 0
                || config.credentials == address(0) || config.restaking == address(0)
        ) {
            revert InvalidConfig();
        }
        if (config.minHaircut > config.maxHaircut || config.maxHaircut >= WAD) {
            revert InvalidHaircutRange(config.minHaircut, config.maxHaircut);
        }
        VERIFIER = config.verifier;
        RATE_SOURCE = config.rateSource;
        ILK_INDEX = config.ilkIndex;
        MODEL_HASH = config.modelHash;
        MODEL_ID = bytes8(sha256(abi.encodePacked(config.modelHash, bytes(config.lrt))));
        GENESIS_TIME = config.genesisTime;
        MAX_SLOT_AGE = config.maxSlotAge;
        MIN_HAIRCUT = config.minHaircut;
        MAX_HAIRCUT = config.maxHaircut;
        if (config.minNetworkActive == 0 || config.minNetworkActive > config.maxNetworkActive) {
            revert InvalidNetworkBounds(config.minNetworkActive, config.maxNetworkActive);
        }
        CREDENTIALS = ILrtCredentials(config.credentials);
        MIN_NETWORK_ACTIVE = config.minNetworkActive;
        MAX_NETWORK_ACTIVE = config.maxNetworkActive;
        RESTAKING = IRestakingFeatures(config.restaking);
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

    /// @notice Verify a risk proof of the post-state of the beacon block `header` and, when
    /// every check passes, make its haircut the feed's.
    /// @param anchorTimestamp an execution block timestamp whose EIP-4788 parent beacon block
    /// root is the header's root (a block of the slot after the header's, on mainnet);
    /// @param header the beacon block header whose state root and slot the proof commits to;
    /// @param commitment the committed snapshot: the features computed here from its root sums
    /// must be the proof's feature instances.
    function submit(
        bytes calldata proof,
        uint256[] calldata instances,
        uint256 anchorTimestamp,
        BeaconBlockHeader calldata header,
        SnapshotCommitment calldata commitment
    ) external {
        if (!isSubmitter[msg.sender]) revert NotAllowedSubmitter(msg.sender);
        if (instances.length != N_INSTANCES) revert WrongInstanceCount(instances.length, N_INSTANCES);

        bytes8 model = bytes8(uint64(_limbs(instances, MODEL_ID_AT, MODEL_ID_LIMBS)));
        if (model != MODEL_ID) revert WrongModel(model, MODEL_ID);
        bytes32 blockRoot = anchoredBlockRoot(anchorTimestamp, header);
        bytes32 stateRoot = header.stateRoot;
        bytes32 committedRoot = bytes32(_limbs(instances, ROOT_AT, ROOT_LIMBS));
        if (committedRoot != stateRoot) revert StateRootMismatch(stateRoot, committedRoot);
        uint64 slot = uint64(_limbs(instances, SLOT_AT, SLOT_LIMBS));
        if (slot != header.slot) revert SlotMismatch(slot, header.slot);
        for (uint256 i = 0; i < N_FEATURES; ++i) {
            uint256 raw = instances[i];
            if (raw > 1 << SCALE) revert MalformedInstance(i);
        }
        _checkFeatures(instances, commitment);
        _checkRestaking(instances);
        uint256 score = decodeScore(instances[SCORE_AT]);
        _checkSlot(slot, stateRoot);

        // Last: the expensive call, once the cheap checks passed. The generated verifier reverts
        // with empty data on a bad proof; the low-level call turns that into a named error.
        (bool ok, bytes memory ret) =
            VERIFIER.call(abi.encodeCall(IHalo2Verifier.verifyProof, (proof, instances)));
        if (!ok || ret.length < 32 || abi.decode(ret, (uint256)) != 1) revert InvalidProof();

        uint256 haircut = haircutOf(score);
        bytes32 commitmentHash = keccak256(abi.encode(commitment));
        bytes32 credentialsHash = _snapshotCredentials(slot, commitment.root, commitmentHash);
        _latest = Latest({
            slot: slot,
            acceptedAt: uint64(block.timestamp),
            haircut: uint128(haircut),
            score: score,
            stateRoot: stateRoot,
            blockRoot: blockRoot,
            submitter: msg.sender,
            commitmentHash: commitmentHash,
            credentialsHash: credentialsHash
        });
        emit RiskScoreAccepted(slot, stateRoot, blockRoot, score, haircut, msg.sender);
    }

    /// @notice The root of `header` when the chain's EIP-4788 contract holds it for
    /// `anchorTimestamp`; reverts otherwise (no entry: BeaconRootUnavailable; another root:
    /// HeaderNotAnchored).
    function anchoredBlockRoot(uint256 anchorTimestamp, BeaconBlockHeader calldata header)
        public
        view
        returns (bytes32 blockRoot)
    {
        (bool ok, bytes memory ret) = BEACON_ROOTS.staticcall(abi.encode(anchorTimestamp));
        if (!ok || ret.length != 32) revert BeaconRootUnavailable(anchorTimestamp);
        bytes32 beaconRoot = abi.decode(ret, (bytes32));
        blockRoot = SszMerkle.headerRoot(header);
        if (blockRoot != beaconRoot) revert HeaderNotAnchored(blockRoot, beaconRoot);
    }

    /// @notice The features a commitment's root sums give (what the proof must carry).
    function featuresOf(SnapshotCommitment calldata commitment) public pure returns (uint256[8] memory) {
        return FeatureMath.features(commitment.sums, commitment.networkActive, commitment.otherSlashed);
    }

    function _checkFeatures(uint256[] calldata instances, SnapshotCommitment calldata c) internal view {
        if (c.sums.leaves == 0) revert EmptyCommitment();
        uint256 t = c.networkActive;
        if (t < MIN_NETWORK_ACTIVE || t > MAX_NETWORK_ACTIVE) {
            revert NetworkInputOutOfRange(t, MIN_NETWORK_ACTIVE, MAX_NETWORK_ACTIVE);
        }
        uint256[8] memory f = featuresOf(c);
        for (uint256 i = 0; i < N_FEATURES; ++i) {
            if (f[i] != instances[i]) revert FeaturesMismatch(i, f[i], instances[i]);
        }
    }

    /// @dev The restaking instances must be what RestakingFeatures reads from EigenLayer as of
    /// the block the proof names (recent and past: RestakingFeatures bounds it).
    function _checkRestaking(uint256[] calldata instances) internal view {
        (uint256 avsLoss, uint256 largest) = RESTAKING.featuresAt(_limbs(instances, BLOCK_AT, 2));
        if (instances[RESTAKING_AT] != avsLoss) revert RestakingMismatch(0, avsLoss, instances[RESTAKING_AT]);
        if (instances[RESTAKING_AT + 1] != largest) revert RestakingMismatch(1, largest, instances[RESTAKING_AT + 1]);
    }

    /// @dev Read the LRT's credential set now, snapshot its hash with the submission and emit
    /// the list (a challenger takes it from the event and the hash from storage).
    function _snapshotCredentials(uint64 slot, bytes32 root, bytes32 commitmentHash)
        internal
        returns (bytes32 credentialsHash)
    {
        bytes32[] memory creds = CREDENTIALS.credentials();
        credentialsHash = Credentials.hashOf(creds);
        bytes32 previous = _latest.credentialsHash;
        if (previous != credentialsHash) emit CredentialSetChanged(previous, credentialsHash, creds.length);
        emit SnapshotCommitted(slot, root, commitmentHash, credentialsHash, creds);
    }

    /// @notice The LRT's credentials as the feed would snapshot them now.
    function credentialSet() external view returns (bytes32[] memory) {
        return CREDENTIALS.credentials();
    }

    /// @notice "contracts" (enumerated from the LRT's contracts) or "registry" (owner-kept).
    function credentialSource() external view returns (string memory) {
        return CREDENTIALS.source();
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
    function _limbs(uint256[] calldata instances, uint256 start, uint256 count) internal pure returns (uint256 value) {
        for (uint256 i = 0; i < count; ++i) {
            uint256 raw = instances[start + i];
            uint256 limb = raw >> SCALE;
            if (raw != limb << SCALE || limb >> LIMB_BITS != 0) revert MalformedInstance(start + i);
            value = (value << LIMB_BITS) | limb;
        }
    }

    // ---------------------------------------------------------------- math

    /// @notice The score instance (signed fixed point, p * 2^SCALE) as a WAD fraction clamped to
    /// [0, 1]; reverts when |p| exceeds SCORE_BOUND (or the value is not a field element).
    function decodeScore(uint256 instance) public pure returns (uint256) {
        if (instance >= FIELD_MODULUS) revert ScoreOutOfRange(instance);
        if (instance > FIELD_MODULUS / 2) {
            if (FIELD_MODULUS - instance > SCORE_BOUND) revert ScoreOutOfRange(instance);
            return 0; // a negative score means no risk, not less than none
        }
        if (instance > SCORE_BOUND) revert ScoreOutOfRange(instance);
        if (instance >= 1 << SCALE) return WAD;
        return instance * WAD >> SCALE;
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
