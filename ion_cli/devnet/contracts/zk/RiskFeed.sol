// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {IReserveFeed} from "../interfaces/IOracles.sol";
import {SszMerkle, BeaconBlockHeader} from "./SszMerkle.sol";
import {FeatureMath, SnapshotSums} from "./FeatureMath.sol";
import {ILrtCredentials, Credentials} from "./LrtCredentials.sol";
import {SnapshotCommitment} from "./FraudProofs.sol";
import {RiskFeedChallenges, IChallengeableFeed, ChallengeTarget} from "./RiskFeedChallenges.sol";

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
    error NotOwner(address caller);
    error FeedPaused();
    error WrongBond(uint256 sent, uint256 bond);
    error NoSuchSubmission(uint256 id);
    error NotPending(uint256 id, Status status);
    error WindowOpen(uint256 id, uint256 deadline);
    error WindowClosed(uint256 id, uint256 deadline);
    error CommitmentMismatch(uint256 id, bytes32 given, bytes32 stored);
    error NothingOwed(address account);
    error TransferFailed(address to, uint256 amount);
    error InvalidBond();
    error NotChallenges(address caller);
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

    /// Where a submission is: Pending (in its window, challengeable), Final (its window passed
    /// unchallenged and it was finalized while the newest), Rejected (a challenge proved it
    /// false), Superseded (its window passed unchallenged, but a newer slot was final first).
    enum Status {
        None,
        Pending,
        Final,
        Rejected,
        Superseded
    }

    /// A bonded submission (`submission(id)`), two words plus four roots.
    struct Submission {
        address submitter;
        uint64 slot;
        Status status;
        uint64 score; // WAD fraction in [0, 1] after clamping
        uint64 haircut; // WAD fraction
        uint88 bond; // wei held for it (returned on Final / Superseded)
        uint40 submittedAt; // block timestamp; the window ends at submittedAt + CHALLENGE_WINDOW
        bytes32 stateRoot; // the anchored header's: every challenge is judged against it
        bytes32 blockRoot;
        bytes32 commitmentHash; // keccak256(abi.encode(SnapshotCommitment))
        bytes32 credentialsHash; // keccak256(abi.encodePacked(credentials at submission))
    }

    /// A submission bonded and pending: the rate does not move until it is finalized.
    event SubmissionPending(
        uint256 indexed id,
        uint64 indexed slot,
        bytes32 stateRoot,
        bytes32 blockRoot,
        uint256 score,
        uint256 haircut,
        address indexed submitter,
        uint256 bond,
        uint256 deadline
    );
    /// A submission became final: from now the reserve rate reads its haircut.
    event RiskScoreAccepted(
        uint64 indexed slot,
        bytes32 stateRoot,
        bytes32 blockRoot,
        uint256 score,
        uint256 haircut,
        address indexed submitter
    );
    event SubmissionFinalized(uint256 indexed id, uint64 indexed slot, uint256 haircut);
    /// Its window passed, but a submission of a newer slot was final first: never the rate.
    event SubmissionSuperseded(uint256 indexed id, uint256 indexed finalId);
    /// A challenge proved it false: `reward` to the challenger, `burnt` locked here for good.
    event SubmissionRejected(
        uint256 indexed id, uint8 indexed kind, address indexed challenger, uint256 reward, uint256 burnt
    );
    /// The bond went back to the submitter (pushed, or credited to `owed` when the push failed).
    event BondReturned(uint256 indexed id, address indexed submitter, uint256 amount, bool credited);
    event Paused(bool paused);
    /// The committed snapshot and the credential set it is judged against (snapshotted here:
    /// a later change of the LRT's contracts never makes this submission wrong).
    event SnapshotCommitted(
        uint256 indexed id,
        uint64 indexed slot,
        bytes32 root,
        bytes32 commitmentHash,
        bytes32 credentialsHash,
        bytes32[] credentials
    );
    /// The LRT's credential set differs from the one the previous accepted submission saw.
    event CredentialSetChanged(bytes32 previousHash, bytes32 newHash, uint256 count);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
}

/// @title RiskFeed
/// @notice A reserve-oracle feed driven by zk-proven risk scores: the model's score of the
/// validator group behind one LRT, proven off chain with ezkl (Halo2/KZG) and verified here,
/// sets a haircut; the feed answers the LRT protocol's own rate times (1 - haircut).
/// @dev The public instances (31 BN254 field elements; ion_cli/zk/layout.py is the reference):
/// 8 features (q in [0, 1024], carried as q: ezkl scales the float q / 1024 by 2^10), the slot
/// (2 limbs), the beacon state root (16 limbs), the model id (the first 8 bytes of
/// sha256(model hash || LRT symbol), 4 limbs: it binds the proof to the model and to the token
/// whose validators were rated, so one token's proof fails on another token's feed), all 16-bit limbs most significant first and each carried as limb * 2^10,
/// then the score (signed fixed point, p * 2^10).
/// The contract never takes these values from separate arguments: it decodes them from the
/// instances the proof is checked against, and checks the state root the caller names against
/// the committed limbs. The circuit skips ezkl's range check on inputs, so the bounds are
/// checked here.
/// Anchoring (EIP-4788): a submission carries the beacon block header whose post-state was
/// rated and names an execution block timestamp; the feed reads that timestamp's parent beacon
/// block root from the beacon roots contract, requires it to be the header's hash_tree_root,
/// and requires the proof's slot and state-root instances to be the header's slot and state
/// root. The anchored block root, state root and slot are stored with the score, so later
/// checks read them from storage.
/// Permissionless (issue 23): anyone submits with a bond of exactly `bond()`; the submission is
/// pending for CHALLENGE_WINDOW seconds, during which anyone may prove it false in one step
/// (RiskFeedChallenges: against the stored state root and commitment); then anyone may
/// `finalize` it. The reserve rate reads only the final submission. Several may be pending;
/// the final one is the newest slot finalized: a pending one whose slot is not newer than the
/// final one when its window ends is closed as Superseded (its bond returned; it stayed
/// challengeable until its deadline, so a false one still loses its bond). The owner can only
/// pause (submit and finalize stop; challenges, withdrawals and the current rate go on) and
/// hand over ownership: no allowlist, no way to set a score or move a bond.
contract RiskFeed is IRiskFeed, IChallengeableFeed {
    /// The BN254 scalar field: instances are its elements; above half of it they are negative.
    uint256 public constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant WAD = 1e18;
    uint256 public constant SECONDS_PER_SLOT = 12;
    /// Gas a bond's or reward's push may use (a plain account needs none; a wallet contract a
    /// few thousand); beyond it the amount is credited to `owed` instead.
    uint256 internal constant PAY_GAS = 30_000;
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
    uint256 public constant SCORE_AT = 30;
    uint256 public constant N_INSTANCES = 31;
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
        uint256 challengeWindow; // seconds a submission stays pending (challengeable)
        uint256 challengeGas; // gas of the dearest challenge (measured): the bond covers it
        uint256 gasPriceCeiling; // wei per gas the bond covers that gas at
        uint256 challengerReward; // wei a successful challenger earns beyond its gas
        uint256 burn; // wei of a lost bond locked here for good (> 0: self-challenging loses it)
    }

    /// The final submission as the feed reports it (`latest()`; acceptedAt = when it became
    /// final). Kept in this shape for readers of the allowlisted feed.
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
    uint256 public immutable CHALLENGE_WINDOW;
    uint256 public immutable CHALLENGE_GAS;
    uint256 public immutable GAS_PRICE_CEILING;
    uint256 public immutable CHALLENGER_REWARD;
    uint256 public immutable BURN;
    /// The one-step fraud proofs of this feed's submissions (deployed by the constructor).
    RiskFeedChallenges public immutable CHALLENGES;

    /// What the reserve rate reads: one word (the final submission's id, slot and haircut).
    struct Final {
        uint64 id;
        uint64 slot;
        uint64 haircut;
        uint64 finalizedAt;
    }

    address public owner;
    bool public paused;
    Final internal _final;
    uint256 public submissionCount; // ids run from 1
    /// Total wei of lost bonds locked in this contract for good (no function moves it).
    uint256 public burnt;
    mapping(uint256 => Submission) internal _submissions;
    /// Bonds and rewards a push could not deliver, for `withdraw`.
    mapping(address => uint256) public owed;

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    constructor(Config memory config, address initialOwner) {
        if (
            config.verifier == address(0) || config.rateSource == address(0) || bytes(config.lrt).length == 0
                || config.credentials == address(0)
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
        if (config.challengeWindow == 0 || config.burn == 0 || _bondOf(config) > type(uint88).max) {
            revert InvalidBond();
        }
        CHALLENGE_WINDOW = config.challengeWindow;
        CHALLENGE_GAS = config.challengeGas;
        GAS_PRICE_CEILING = config.gasPriceCeiling;
        CHALLENGER_REWARD = config.challengerReward;
        BURN = config.burn;
        CHALLENGES = new RiskFeedChallenges(address(this));
        // A non-zero word from the start: the first finalize then rewrites it (5k gas) instead
        // of creating it (22k). `finalId() == 0` still means "no final score yet".
        _final.finalizedAt = 1;
        owner = initialOwner;
        emit OwnershipTransferred(address(0), initialOwner);
    }

    // ---------------------------------------------------------------- admin

    /// @notice Emergency pause: submit and finalize stop (no score becomes final while the
    /// owner looks into something); challenges, withdrawals and the current final rate go on.
    function setPaused(bool value) external onlyOwner {
        paused = value;
        emit Paused(value);
    }

    function transferOwnership(address newOwner) external onlyOwner {
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    // ---------------------------------------------------------------- submission

    /// @notice Verify a risk proof of the post-state of the beacon block `header` and, when
    /// every check passes, record it as pending with its bond (msg.value must be `bond()`).
    /// Nothing moves the rate until `finalize` after CHALLENGE_WINDOW seconds.
    /// @param anchorTimestamp an execution block timestamp whose EIP-4788 parent beacon block
    /// root is the header's root (a block of the slot after the header's, on mainnet);
    /// @param header the beacon block header whose state root and slot the proof commits to;
    /// @param commitment the committed snapshot: the features computed here from its root sums
    /// must be the proof's feature instances.
    /// @return id the submission's id (SubmissionPending, `submission(id)`)
    function submit(
        bytes calldata proof,
        uint256[] calldata instances,
        uint256 anchorTimestamp,
        BeaconBlockHeader calldata header,
        SnapshotCommitment calldata commitment
    ) external payable returns (uint256 id) {
        if (paused) revert FeedPaused();
        (uint64 slot, uint256 score, bytes32 blockRoot) = _checkSubmission(instances, anchorTimestamp, header, commitment);

        // The expensive call, once the cheap checks passed. The generated verifier reverts
        // with empty data on a bad proof; the low-level call turns that into a named error.
        (bool ok, bytes memory ret) =
            VERIFIER.call(abi.encodeCall(IHalo2Verifier.verifyProof, (proof, instances)));
        if (!ok || ret.length < 32 || abi.decode(ret, (uint256)) != 1) revert InvalidProof();
        // The bond last: a call without one (an eth_call asking about the proof) hears the
        // proof's verdict first.
        uint256 required = _bond();
        if (msg.value != required) revert WrongBond(msg.value, required);

        id = _record(slot, score, header.stateRoot, blockRoot, commitment);
    }

    /// @dev Every check of a submission but the proof's: the model, the EIP-4788 anchoring, the
    /// instances against the header, the features against the commitment, the slot.
    function _checkSubmission(
        uint256[] calldata instances,
        uint256 anchorTimestamp,
        BeaconBlockHeader calldata header,
        SnapshotCommitment calldata commitment
    ) internal view returns (uint64 slot, uint256 score, bytes32 blockRoot) {
        if (instances.length != N_INSTANCES) revert WrongInstanceCount(instances.length, N_INSTANCES);
        bytes8 model = bytes8(uint64(_limbs(instances, MODEL_ID_AT, MODEL_ID_LIMBS)));
        if (model != MODEL_ID) revert WrongModel(model, MODEL_ID);
        blockRoot = anchoredBlockRoot(anchorTimestamp, header);
        bytes32 stateRoot = header.stateRoot;
        bytes32 committedRoot = bytes32(_limbs(instances, ROOT_AT, ROOT_LIMBS));
        if (committedRoot != stateRoot) revert StateRootMismatch(stateRoot, committedRoot);
        slot = uint64(_limbs(instances, SLOT_AT, SLOT_LIMBS));
        if (slot != header.slot) revert SlotMismatch(slot, header.slot);
        for (uint256 i = 0; i < N_FEATURES; ++i) {
            uint256 raw = instances[i];
            if (raw > 1 << SCALE) revert MalformedInstance(i);
        }
        _checkFeatures(instances, commitment);
        score = decodeScore(instances[SCORE_AT]);
        _checkSlot(slot, stateRoot);
    }

    /// @dev Store the pending submission (two words and four roots) and announce it.
    function _record(
        uint64 slot,
        uint256 score,
        bytes32 stateRoot,
        bytes32 blockRoot,
        SnapshotCommitment calldata commitment
    ) internal returns (uint256 id) {
        id = ++submissionCount;
        uint256 haircut = haircutOf(score);
        bytes32 commitmentHash = keccak256(abi.encode(commitment));
        bytes32 previous;
        if (id > 1) {
            // A rerun of the same submission (a client that lost its receipt) is refused while
            // the first is pending or final; another commitment of the same state is not (a
            // false one pending must not block a sound one).
            Submission storage last = _submissions[id - 1];
            Status st = last.status;
            if (
                last.slot == slot && last.stateRoot == stateRoot && last.commitmentHash == commitmentHash
                    && (st == Status.Pending || st == Status.Final)
            ) revert AlreadySubmitted(slot, stateRoot);
            previous = last.credentialsHash;
        }
        bytes32 credentialsHash = _snapshotCredentials(id, slot, commitment.root, commitmentHash, previous);
        _submissions[id] = Submission({
            submitter: msg.sender,
            slot: slot,
            status: Status.Pending,
            score: uint64(score),
            haircut: uint64(haircut),
            bond: uint88(msg.value),
            submittedAt: uint40(block.timestamp),
            stateRoot: stateRoot,
            blockRoot: blockRoot,
            commitmentHash: commitmentHash,
            credentialsHash: credentialsHash
        });
        emit SubmissionPending(
            id, slot, stateRoot, blockRoot, score, haircut, msg.sender, msg.value, block.timestamp + CHALLENGE_WINDOW
        );
    }

    // ---------------------------------------------------------------- the window

    /// @notice Close a pending submission whose window has passed (anyone may): it becomes the
    /// final one, which the reserve rate reads, when its slot is newer than the final one's;
    /// otherwise it is Superseded. Either way its bond goes back to its submitter.
    function finalize(uint256 id) external {
        if (paused) revert FeedPaused();
        Submission storage s = _submissions[id];
        Status status = s.status;
        if (status != Status.Pending) {
            if (status == Status.None) revert NoSuchSubmission(id);
            revert NotPending(id, status);
        }
        uint256 deadline = uint256(s.submittedAt) + CHALLENGE_WINDOW;
        if (block.timestamp < deadline) revert WindowOpen(id, deadline);
        uint64 slot = s.slot;
        if (_final.id != 0 && slot <= _final.slot) {
            s.status = Status.Superseded;
            emit SubmissionSuperseded(id, _final.id);
        } else {
            s.status = Status.Final;
            uint64 haircut = s.haircut;
            _final = Final({id: uint64(id), slot: slot, haircut: haircut, finalizedAt: uint64(block.timestamp)});
            emit SubmissionFinalized(id, slot, haircut);
            emit RiskScoreAccepted(slot, s.stateRoot, s.blockRoot, s.score, haircut, s.submitter);
        }
        uint256 amount = s.bond;
        address to = s.submitter;
        emit BondReturned(id, to, amount, !_pay(to, amount));
    }

    /// @notice Take what a push could not deliver (a bond or a reward to a contract that
    /// refused it).
    function withdraw() external {
        uint256 amount = owed[msg.sender];
        if (amount == 0) revert NothingOwed(msg.sender);
        owed[msg.sender] = 0;
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
    }

    /// @dev Push `amount` to `to` with bounded gas; when it refuses (or burns the gas), credit
    /// it to `owed`: a recipient can never make finalize or a challenge fail. Returns whether
    /// the push went through.
    function _pay(address to, uint256 amount) internal returns (bool ok) {
        if (amount == 0) return true;
        (ok,) = to.call{value: amount, gas: PAY_GAS}("");
        if (!ok) owed[to] += amount;
    }

    // ---------------------------------------------------------------- challenges

    /// @inheritdoc IChallengeableFeed
    function challengeTarget(uint256 id, bytes32 commitmentHash) external view returns (ChallengeTarget memory t) {
        Submission storage s = _pendingInWindow(id);
        bytes32 stored = s.commitmentHash;
        if (commitmentHash != stored) revert CommitmentMismatch(id, commitmentHash, stored);
        t = ChallengeTarget({stateRoot: s.stateRoot, epoch: s.slot / 32, credentialsHash: s.credentialsHash});
    }

    function _pendingInWindow(uint256 id) internal view returns (Submission storage s) {
        s = _submissions[id];
        Status status = s.status;
        if (status != Status.Pending) {
            if (status == Status.None) revert NoSuchSubmission(id);
            revert NotPending(id, status);
        }
        uint256 deadline = uint256(s.submittedAt) + CHALLENGE_WINDOW;
        if (block.timestamp >= deadline) revert WindowClosed(id, deadline);
    }

    /// @notice A challenge proved submission `id` false (only CHALLENGES calls this): the
    /// challenger gets the gas cover and the reward, BURN stays locked here (counted in
    /// `burnt`); the rate never read it.
    function reject(uint256 id, uint8 kind, address challenger) external {
        if (msg.sender != address(CHALLENGES)) revert NotChallenges(msg.sender);
        Submission storage s = _pendingInWindow(id);
        s.status = Status.Rejected;
        uint256 amount = s.bond;
        uint256 toBurn = amount < BURN ? amount : BURN;
        uint256 reward = amount - toBurn;
        burnt += toBurn;
        emit SubmissionRejected(id, kind, challenger, reward, toBurn);
        _pay(challenger, reward);
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

    /// @dev Read the LRT's credential set now, snapshot its hash with the submission and emit
    /// the list (a challenger takes it from the event and the hash from storage).
    function _snapshotCredentials(uint256 id, uint64 slot, bytes32 root, bytes32 commitmentHash, bytes32 previous)
        internal
        returns (bytes32 credentialsHash)
    {
        bytes32[] memory creds = CREDENTIALS.credentials();
        credentialsHash = Credentials.hashOf(creds);
        if (previous != credentialsHash) emit CredentialSetChanged(previous, credentialsHash, creds.length);
        emit SnapshotCommitted(id, slot, root, commitmentHash, credentialsHash, creds);
    }

    /// @notice The LRT's credentials as the feed would snapshot them now.
    function credentialSet() external view returns (bytes32[] memory) {
        return CREDENTIALS.credentials();
    }

    /// @notice "contracts" (enumerated from the LRT's contracts) or "registry" (owner-kept).
    function credentialSource() external view returns (string memory) {
        return CREDENTIALS.source();
    }

    /// @dev A new submission must be of a slot newer than the final one's (pending ones do not
    /// constrain it: a false pending submission cannot hold back a sound one), recent, and not
    /// in the future.
    function _checkSlot(uint64 slot, bytes32 stateRoot) internal view {
        Final memory f = _final;
        if (f.id != 0) {
            if (slot == f.slot && stateRoot == _submissions[f.id].stateRoot) revert AlreadySubmitted(slot, stateRoot);
            if (slot <= f.slot) revert SlotNotNewer(slot, f.slot);
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

    // ---------------------------------------------------------------- bond

    function _bondOf(Config memory c) internal pure returns (uint256) {
        return c.challengeGas * c.gasPriceCeiling + c.challengerReward + c.burn;
    }

    function _bond() internal view returns (uint256) {
        return CHALLENGE_GAS * GAS_PRICE_CEILING + CHALLENGER_REWARD + BURN;
    }

    /// @notice The bond a submission must carry and its parts: total = challengeGas *
    /// gasPriceCeiling (gasCover: what the dearest challenge costs at the ceiling price) +
    /// reward (the challenger's, beyond its gas) + burn (locked here when the bond is lost).
    /// A successful challenger receives gasCover + reward.
    function bond()
        external
        view
        returns (
            uint256 total,
            uint256 challengeGas,
            uint256 gasPriceCeiling,
            uint256 gasCover,
            uint256 reward,
            uint256 burnOnLoss
        )
    {
        return (_bond(), CHALLENGE_GAS, GAS_PRICE_CEILING, CHALLENGE_GAS * GAS_PRICE_CEILING, CHALLENGER_REWARD, BURN);
    }

    // ---------------------------------------------------------------- reads

    /// @notice The protocol rate times (1 - haircut) (WAD), the haircut of the FINAL submission
    /// only; the plain protocol rate before the first one is final, so the reserve oracle never
    /// fails for want of one.
    function getExchangeRate(uint8 ilkIndex) external view returns (uint256) {
        if (ilkIndex != ILK_INDEX) revert WrongIlk(ilkIndex, ILK_INDEX);
        uint256 rate = IProtocolRateSource(RATE_SOURCE).getProtocolExchangeRate();
        return rate * (WAD - _final.haircut) / WAD;
    }

    /// @notice The final submission (all zero before the first).
    function latest() external view returns (Latest memory l) {
        Final memory f = _final;
        if (f.id == 0) return l;
        Submission storage s = _submissions[f.id];
        l = Latest({
            slot: f.slot,
            acceptedAt: f.finalizedAt,
            haircut: f.haircut,
            score: s.score,
            stateRoot: s.stateRoot,
            blockRoot: s.blockRoot,
            submitter: s.submitter,
            commitmentHash: s.commitmentHash,
            credentialsHash: s.credentialsHash
        });
    }

    function hasScore() external view returns (bool) {
        return _final.id != 0;
    }

    /// @notice The id of the final submission (0 before the first).
    function finalId() external view returns (uint256) {
        return _final.id;
    }

    function submission(uint256 id) external view returns (Submission memory) {
        return _submissions[id];
    }

    /// @notice When submission `id`'s window ends (challenges before, finalize from then).
    function deadlineOf(uint256 id) public view returns (uint256) {
        Submission storage s = _submissions[id];
        if (s.status == Status.None) revert NoSuchSubmission(id);
        return uint256(s.submittedAt) + CHALLENGE_WINDOW;
    }

    /// @notice The ids of every Pending submission, ordered by slot (then id). A view for
    /// clients (it walks every id): includes those whose window has passed but that nobody
    /// finalized yet.
    function pendingIds() external view returns (uint256[] memory ids) {
        uint256 n = submissionCount;
        uint256 k = 0;
        ids = new uint256[](n);
        for (uint256 id = 1; id <= n; ++id) {
            if (_submissions[id].status != Status.Pending) continue;
            uint64 slot = _submissions[id].slot;
            uint256 j = k++;
            while (j > 0 && _submissions[ids[j - 1]].slot > slot) {
                ids[j] = ids[j - 1];
                --j;
            }
            ids[j] = id;
        }
        assembly ("memory-safe") {
            mstore(ids, k)
        }
    }
}
