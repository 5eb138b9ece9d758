// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {TestBase} from "./utils/TestBase.sol";
import {RiskFeed, IRiskFeed, SnapshotCommitment} from "../../ion_cli/devnet/contracts/zk/RiskFeed.sol";
import {FeatureMath, SnapshotSums} from "../../ion_cli/devnet/contracts/zk/FeatureMath.sol";
import {CredentialRegistry} from "../../ion_cli/devnet/contracts/zk/LrtCredentials.sol";
import {BeaconBlockHeader} from "../../ion_cli/devnet/contracts/zk/SszMerkle.sol";
import {IReserveOracle} from "../../ion_cli/devnet/contracts/interfaces/IOracles.sol";
import {WeEthWstEthReserveOracle} from "../../plugins/ion-weeth/ion_adapter_weeth/contracts/WeEthWstEthReserveOracle.sol";

/// Stands in for the generated Halo2 verifier: a "proof" is valid only for the exact instances
/// it was made for (keccak of them), and a bad one reverts with empty data, as the real one does.
contract MockHalo2Verifier {
    bool public answerFalse;

    function setAnswerFalse(bool value) external {
        answerFalse = value;
    }

    function proofFor(uint256[] memory instances) public pure returns (bytes memory) {
        return abi.encodePacked(keccak256(abi.encode(instances)));
    }

    function verifyProof(bytes calldata proof, uint256[] calldata instances) external view returns (bool) {
        if (answerFalse) return false;
        if (keccak256(proof) != keccak256(proofFor(instances))) {
            assembly {
                revert(0, 0)
            }
        }
        return true;
    }
}

/// Stands in for RestakingFeatures: no restaking known (both features 0 at any block).
contract MockRestakingFeatures {
    function featuresAt(uint256) external pure returns (uint256, uint256) {
        return (0, 0);
    }
}

interface VmNonce {
    function getNonce(address account) external view returns (uint64);
}

contract MockRateSource {
    uint256 public getProtocolExchangeRate = 1.05e18;

    function set(uint256 rate) external {
        getProtocolExchangeRate = rate;
    }
}

contract MockWeEth {
    uint256 public getRate = 1.04e18;
    uint256 public tokensPerStEth = 0.86e18;
}

contract RiskFeedTest is TestBase {
    MockRestakingFeatures internal restakingMock = new MockRestakingFeatures();
    event log_named_uint(string key, uint256 val);

    uint256 internal constant SCALE = 10;
    uint256 internal constant FEATURES = 8;
    uint256 internal constant SLOT_INDEX = FEATURES;
    uint256 internal constant ROOT_INDEX = SLOT_INDEX + 2;
    uint256 internal constant MODEL_INDEX = ROOT_INDEX + 16;
    // then 2 restaking features and 2 pinned-block limbs: zeros (the mock knows no restaking)
    uint256 internal constant SCORE_INDEX = MODEL_INDEX + 4 + 4;
    uint256 internal constant COUNT = SCORE_INDEX + 1;
    uint256 internal constant GENESIS = 1_600_000_000;
    uint256 internal constant MAX_AGE = 2 days;
    uint256 internal constant FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    bytes32 internal constant MODEL = keccak256("the risk model");
    bytes32 internal constant ROOT = keccak256("a beacon state");
    /// EIP-4788's beacon roots contract: its address, published code and ring length.
    address internal constant BEACON_ROOTS = 0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02;
    bytes internal constant BEACON_ROOTS_CODE =
        hex"3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f35801560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42064281555f359062001fff015500";
    uint256 internal constant RING = 8191;
    /// The root and timestamp of the last header `_anchor` put into the beacon roots contract.
    bytes32 internal lastBlockRoot;
    uint256 internal anchorTs;

    address internal constant OWNER = address(0xA11CE);
    address internal constant SUBMITTER = address(0xB0B);
    address internal constant CHALLENGER = address(0xC4A1);
    /// The bond: 500k gas at 100 gwei (0.05 ETH) + 0.01 ETH reward + 0.04 ETH burnt on loss.
    uint256 internal constant WINDOW = 300;
    uint256 internal constant CHALLENGE_GAS = 500_000;
    uint256 internal constant GAS_CEILING = 100 gwei;
    uint256 internal constant REWARD = 0.01 ether;
    uint256 internal constant BURN = 0.04 ether;
    uint256 internal constant BOND = 0.1 ether;

    MockHalo2Verifier internal verifier;
    MockRateSource internal source;
    RiskFeed internal feed;
    CredentialRegistry internal registry;
    /// The model id a weETH proof carries: sha256(model hash || "weETH"), first 8 bytes.
    bytes32 internal ID;

    function setUp() public {
        ID = _id("weETH");
        verifier = new MockHalo2Verifier();
        source = new MockRateSource();
        registry = new CredentialRegistry(OWNER);
        bytes32[] memory creds = new bytes32[](2);
        creds[0] = bytes32(uint256(0x01) << 248 | 0xE7E7);
        creds[1] = bytes32(uint256(0x02) << 248 | 0xE7E7);
        vm.prank(OWNER);
        registry.add(creds);
        feed = _newFeed(address(source), 0.01e18, 0.21e18);
        vm.deal(SUBMITTER, 100 ether);
        vm.warp(GENESIS + 1_000_000 * 12 + 60);
        vm.etch(BEACON_ROOTS, BEACON_ROOTS_CODE);
    }

    /// A header over `root` at the slot the instances carry, made the parent beacon block root
    /// of the execution block one second ago (as the consensus client's system call would).
    function _anchor(uint256[] memory inst, bytes32 root) internal returns (BeaconBlockHeader memory h) {
        uint64 slot = inst.length > SLOT_INDEX + 1
            ? uint64((((inst[SLOT_INDEX] >> SCALE) & 0xffff) << 16) | ((inst[SLOT_INDEX + 1] >> SCALE) & 0xffff))
            : 0;
        h = BeaconBlockHeader({
            slot: slot,
            proposerIndex: 4242,
            parentRoot: keccak256("the parent block"),
            stateRoot: root,
            bodyRoot: keccak256("a block body")
        });
        lastBlockRoot = _headerRoot(h);
        anchorTs = block.timestamp - 1;
        _setBeaconRoot(anchorTs, lastBlockRoot);
    }

    function _setBeaconRoot(uint256 ts, bytes32 root) internal {
        vm.store(BEACON_ROOTS, bytes32(ts % RING), bytes32(ts));
        vm.store(BEACON_ROOTS, bytes32(ts % RING + RING), root);
    }

    /// hash_tree_root of a header, computed here independently of the feed's library.
    function _headerRoot(BeaconBlockHeader memory h) internal pure returns (bytes32) {
        bytes32[8] memory leaves;
        leaves[0] = _le(h.slot);
        leaves[1] = _le(h.proposerIndex);
        leaves[2] = h.parentRoot;
        leaves[3] = h.stateRoot;
        leaves[4] = h.bodyRoot;
        for (uint256 width = 8; width > 1; width /= 2) {
            for (uint256 i = 0; i < width / 2; ++i) {
                leaves[i] = sha256(abi.encodePacked(leaves[2 * i], leaves[2 * i + 1]));
            }
        }
        return leaves[0];
    }

    function _le(uint64 value) internal pure returns (bytes32 out) {
        for (uint256 i = 0; i < 8; ++i) {
            out |= bytes32(uint256((value >> (8 * i)) & 0xff) << (248 - 8 * i));
        }
    }

    function _id(string memory lrt) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(MODEL, bytes(lrt)));
    }

    function _newFeed(address rateSource, uint256 minHaircut, uint256 maxHaircut) internal returns (RiskFeed) {
        return _newFeed(rateSource, minHaircut, maxHaircut, "weETH");
    }

    function _newFeed(address rateSource, uint256 minHaircut, uint256 maxHaircut, string memory lrt)
        internal
        returns (RiskFeed)
    {
        return new RiskFeed(
            RiskFeed.Config({
                verifier: address(verifier),
                rateSource: rateSource,
                ilkIndex: 0,
                modelHash: MODEL,
                lrt: lrt,
                genesisTime: GENESIS,
                maxSlotAge: MAX_AGE,
                minHaircut: minHaircut,
                maxHaircut: maxHaircut,
                credentials: address(registry),
                minNetworkActive: 1e9,
                maxNetworkActive: 1e18,
                challengeWindow: WINDOW,
                challengeGas: CHALLENGE_GAS,
                gasPriceCeiling: GAS_CEILING,
                challengerReward: REWARD,
                burn: BURN,
                restaking: address(restakingMock)
            }),
            OWNER
        );
    }

    function _put(uint256[] memory inst, uint256 start, uint256 count, uint256 value) internal pure {
        for (uint256 i = 0; i < count; ++i) {
            uint256 limb = (value >> (16 * (count - 1 - i))) & 0xffff;
            inst[start + i] = limb << SCALE;
        }
    }

    /// Instances as the circuit lays them out; `score` is a signed fixed-point field element.
    function _instances(uint64 slot, bytes32 root, bytes32 model, uint256 score) internal pure returns (uint256[] memory inst) {
        inst = new uint256[](COUNT);
        uint256[8] memory f = _featuresOf(_commitment());
        for (uint256 i = 0; i < FEATURES; ++i) {
            inst[i] = f[i]; // q in [0, 1024], carried unscaled: the commitment's features
        }
        _put(inst, SLOT_INDEX, 2, slot);
        _put(inst, ROOT_INDEX, 16, uint256(root));
        _put(inst, MODEL_INDEX, 4, uint256(model) >> 192);
        inst[SCORE_INDEX] = score;
    }

    /// A committed snapshot of 100 validators (4 slashed, 3 still pending their correlation
    /// penalty, 10 exiting, 20 compounding), half the network.
    function _commitment() internal pure returns (SnapshotCommitment memory c) {
        uint128 e = 32e9;
        c.root = keccak256("a sum tree");
        c.sums = SnapshotSums(100, 98, 98 * e, 98 * e - 7e9, 4 * e, 3 * e, 90 * e, 10 * e, 5e9, 20 * e);
        c.firstIndex = 1000;
        c.lastIndex = 1099;
        c.networkActive = 196 * e;
        c.otherSlashed = 0;
    }

    function _featuresOf(SnapshotCommitment memory c) internal pure returns (uint256[8] memory) {
        return FeatureMath.features(c.sums, c.networkActive, c.otherSlashed);
    }

    function _scoreHalf() internal pure returns (uint256) {
        return 1 << (SCALE - 1);
    }

    /// Submit (pending), let the window pass, finalize: the rate follows.
    function _submit(uint256[] memory inst, bytes32 root) internal returns (uint256 id) {
        id = _pending(inst, root);
        vm.warp(block.timestamp + WINDOW);
        feed.finalize(id);
    }

    function _pending(uint256[] memory inst, bytes32 root) internal returns (uint256) {
        bytes memory proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h1 = _anchor(inst, root);
        vm.prank(SUBMITTER);
        return feed.submit{value: BOND}(proof, inst, anchorTs, h1, _commitment());
    }

    // ---------------------------------------------------------------- happy path and math

    function testRateBeforeFirstProofIsProtocolRate() public view {
        assertEq(feed.getExchangeRate(0), 1.05e18, "plain protocol rate");
        assertTrue(!feed.hasScore(), "no score yet");
    }

    function testAcceptedProofSetsHaircutAndRate() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        uint256 id = feed.submit{value: BOND}(proof, inst, anchorTs, h, _commitment());
        assertEq(feed.getExchangeRate(0), 1.05e18, "pending: the rate has not moved");
        assertTrue(!feed.hasScore(), "pending is not a score");
        vm.warp(block.timestamp + WINDOW);
        vm.expectEmit(true, true, false, true);
        emit IRiskFeed.RiskScoreAccepted(1_000_000, ROOT, lastBlockRoot, 0.5e18, 0.11e18, SUBMITTER);
        feed.finalize(id);

        RiskFeed.Latest memory l = feed.latest();
        assertEq(uint256(l.slot), 1_000_000, "slot");
        assertEq(l.stateRoot, ROOT, "state root");
        assertEq(l.blockRoot, lastBlockRoot, "the anchored block root");
        assertEq(l.score, 0.5e18, "score");
        assertEq(uint256(l.haircut), 0.11e18, "haircut = 1% + 20% * 0.5");
        assertEq(l.submitter, SUBMITTER, "submitter");
        assertEq(uint256(l.acceptedAt), block.timestamp, "accepted at");
        assertEq(feed.MODEL_HASH(), MODEL, "model hash");
        // 1.05 * (1 - 0.11)
        assertEq(feed.getExchangeRate(0), 0.9345e18, "risk-adjusted rate");
        // Live: follows the protocol rate.
        source.set(2e18);
        assertEq(feed.getExchangeRate(0), 1.78e18, "follows the protocol rate");
    }

    function testScoreDecodingClamps() public view {
        assertEq(feed.decodeScore(0), 0, "zero");
        assertEq(feed.decodeScore(1 << SCALE), 1e18, "one");
        assertEq(feed.decodeScore(3 << SCALE), 1e18, "above one clamps");
        assertEq(feed.decodeScore(FIELD - 5), 0, "negative clamps to zero");
        assertEq(feed.decodeScore(64 << SCALE), 1e18, "the bound itself");
        assertEq(feed.decodeScore(FIELD - (64 << SCALE)), 0, "minus the bound");
        assertEq(feed.decodeScore(256), 0.25e18, "a quarter");
        assertEq(feed.haircutOf(0), 0.01e18, "min haircut");
        assertEq(feed.haircutOf(1e18), 0.21e18, "max haircut");
    }

    function testFuzzRateMath(uint256 scoreRaw, uint256 rate) public {
        scoreRaw = bound(scoreRaw, 0, 1 << SCALE);
        rate = bound(rate, 1, 1e30);
        source.set(rate);
        _submit(_instances(1_000_000, ROOT, ID, scoreRaw), ROOT);
        uint256 score = scoreRaw * 1e18 / (1 << SCALE);
        uint256 haircut = 0.01e18 + 0.2e18 * score / 1e18;
        assertEq(feed.getExchangeRate(0), rate * (1e18 - haircut) / 1e18, "rate * (1 - haircut)");
        assertLe(feed.getExchangeRate(0), rate, "never above the protocol rate");
    }

    function testNewerSlotReplacesHaircut() public {
        _submit(_instances(1_000_000, ROOT, ID, _scoreHalf()), ROOT);
        bytes32 root2 = keccak256("later state");
        _submit(_instances(1_000_001, root2, ID, 0), root2);
        assertEq(uint256(feed.latest().haircut), 0.01e18, "min haircut at score 0");
        assertEq(uint256(feed.latest().slot), 1_000_001, "newer slot");
    }

    // ---------------------------------------------------------------- rejections

    function testRejectsTamperedProof() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        proof[3] = bytes1(uint8(proof[3]) ^ 1);
        BeaconBlockHeader memory h2 = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(IRiskFeed.InvalidProof.selector);
        feed.submit{value: BOND}(proof, inst, anchorTs, h2, _commitment());
    }

    function testRejectsTamperedScore() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        inst[SCORE_INDEX] = 0;
        BeaconBlockHeader memory h3 = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(IRiskFeed.InvalidProof.selector);
        feed.submit{value: BOND}(proof, inst, anchorTs, h3, _commitment());
    }

    function testRejectsVerifierFalse() public {
        verifier.setAnswerFalse(true);
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h4 = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(IRiskFeed.InvalidProof.selector);
        feed.submit{value: BOND}(proof, inst, anchorTs, h4, _commitment());
    }

    function testRejectsRelabelledSlotAndRoot() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        bytes32 other = keccak256("another state");
        // The same proof with other instances for slot and root: the proof does not verify.
        uint256[] memory relabelled = _instances(1_000_005, other, ID, _scoreHalf());
        BeaconBlockHeader memory h5 = _anchor(relabelled, other);
        vm.prank(SUBMITTER);
        vm.expectRevert(IRiskFeed.InvalidProof.selector);
        feed.submit{value: BOND}(proof, relabelled, anchorTs, h5, _commitment());
        // The same proof and instances naming another state root: the commitment differs.
        BeaconBlockHeader memory h6 = _anchor(inst, other);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.StateRootMismatch.selector, other, ROOT));
        feed.submit{value: BOND}(proof, inst, anchorTs, h6, _commitment());
    }

    function testRejectsWrongInstanceCount() public {
        uint256[] memory inst = new uint256[](COUNT - 1);
        BeaconBlockHeader memory h7 = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.WrongInstanceCount.selector, COUNT - 1, COUNT));
        feed.submit{value: BOND}("", inst, anchorTs, h7, _commitment());
    }

    function testRejectsMalformedLimb() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        inst[ROOT_INDEX + 3] += 1; // not a multiple of 2^scale
        bytes memory proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h8 = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.MalformedInstance.selector, ROOT_INDEX + 3));
        feed.submit{value: BOND}(proof, inst, anchorTs, h8, _commitment());
        inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        inst[SLOT_INDEX] = uint256(1 << 16) << SCALE; // a limb of 17 bits
        proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h9 = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.MalformedInstance.selector, SLOT_INDEX));
        feed.submit{value: BOND}(proof, inst, anchorTs, h9, _commitment());
    }

    function testRejectsOutOfRangeFeatureAndScore() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        inst[2] = 1025; // a feature above 1.0
        bytes memory proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h10 = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.MalformedInstance.selector, 2));
        feed.submit{value: BOND}(proof, inst, anchorTs, h10, _commitment());

        uint256 tooBig = (64 << SCALE) + 1;
        inst = _instances(1_000_000, ROOT, ID, tooBig);
        proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h11 = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.ScoreOutOfRange.selector, tooBig));
        feed.submit{value: BOND}(proof, inst, anchorTs, h11, _commitment());

        uint256 tooNegative = FIELD - tooBig;
        inst = _instances(1_000_000, ROOT, ID, tooNegative);
        proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h12 = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.ScoreOutOfRange.selector, tooNegative));
        feed.submit{value: BOND}(proof, inst, anchorTs, h12, _commitment());
    }

    function testRejectsAnotherModel() public {
        bytes32 other = keccak256("another model");
        uint256[] memory inst = _instances(1_000_000, ROOT, other, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h13 = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.WrongModel.selector, bytes8(other), bytes8(ID)));
        feed.submit{value: BOND}(proof, inst, anchorTs, h13, _commitment());
    }

    function testModelIdBindsModelAndToken() public view {
        assertEq(feed.MODEL_ID(), bytes8(ID), "model id = sha256(model hash || lrt)[:8]");
        assertTrue(bytes8(ID) != bytes8(_id("rsETH")), "another token, another id");
        assertTrue(bytes8(ID) != bytes8(MODEL), "not the bare model hash");
    }

    function testRejectsAnotherTokensProof() public {
        // A proof of rsETH's validators (same model) on the weETH feed.
        bytes32 rsEth = _id("rsETH");
        uint256[] memory inst = _instances(1_000_000, ROOT, rsEth, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h14 = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.WrongModel.selector, bytes8(rsEth), bytes8(ID)));
        feed.submit{value: BOND}(proof, inst, anchorTs, h14, _commitment());
        // The rsETH feed takes it.
        RiskFeed rsFeed = _newFeed(address(source), 0.01e18, 0.21e18, "rsETH");
        BeaconBlockHeader memory h15 = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        uint256 id = rsFeed.submit{value: BOND}(proof, inst, anchorTs, h15, _commitment());
        vm.warp(block.timestamp + WINDOW);
        rsFeed.finalize(id);
        assertTrue(rsFeed.hasScore(), "accepted by its own token's feed");
    }

    function testRejectsReplay() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        _submit(inst, ROOT);
        bytes memory proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h16 = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.AlreadySubmitted.selector, uint64(1_000_000), ROOT));
        feed.submit{value: BOND}(proof, inst, anchorTs, h16, _commitment());
    }

    function testRejectsOlderOrSameSlot() public {
        _submit(_instances(1_000_000, ROOT, ID, _scoreHalf()), ROOT);
        bytes32 other = keccak256("another state");
        uint256[] memory older = _instances(999_999, other, ID, 0);
        bytes memory proof = verifier.proofFor(older);
        BeaconBlockHeader memory h17 = _anchor(older, other);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.SlotNotNewer.selector, uint64(999_999), uint64(1_000_000)));
        feed.submit{value: BOND}(proof, older, anchorTs, h17, _commitment());
        uint256[] memory same = _instances(1_000_000, other, ID, 0);
        proof = verifier.proofFor(same);
        BeaconBlockHeader memory h18 = _anchor(same, other);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.SlotNotNewer.selector, uint64(1_000_000), uint64(1_000_000)));
        feed.submit{value: BOND}(proof, same, anchorTs, h18, _commitment());
    }

    function testRejectsStaleSlot() public {
        uint64 slot = 1_000_000;
        vm.warp(GENESIS + uint256(slot) * 12 + MAX_AGE + 1);
        uint256[] memory inst = _instances(slot, ROOT, ID, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h19 = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.StaleSlot.selector, slot, MAX_AGE + 1, MAX_AGE));
        feed.submit{value: BOND}(proof, inst, anchorTs, h19, _commitment());
        // Exactly at the bound is still fresh.
        vm.warp(GENESIS + uint256(slot) * 12 + MAX_AGE);
        _submit(inst, ROOT);
    }

    function testRejectsFutureSlot() public {
        uint64 slot = 1_000_006; // 5 slots after the current time's slot 1,000,005
        uint256[] memory inst = _instances(slot, ROOT, ID, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        uint256 slotTime = GENESIS + uint256(slot) * 12;
        BeaconBlockHeader memory h20 = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.SlotInFuture.selector, slot, slotTime, block.timestamp));
        feed.submit{value: BOND}(proof, inst, anchorTs, h20, _commitment());
    }

    function testAnyoneMaySubmitWithTheExactBond() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        address stranger = address(0xBAD);
        vm.deal(stranger, 1 ether);
        BeaconBlockHeader memory h21 = _anchor(inst, ROOT);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.WrongBond.selector, BOND - 1, BOND));
        feed.submit{value: BOND - 1}(proof, inst, anchorTs, h21, _commitment());
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.WrongBond.selector, 0, BOND));
        feed.submit(proof, inst, anchorTs, h21, _commitment());
        vm.prank(stranger);
        uint256 id = feed.submit{value: BOND}(proof, inst, anchorTs, h21, _commitment());
        assertEq(id, 1, "first id");
        assertEq(stranger.balance, 1 ether - BOND, "bond held");
        assertEq(address(feed).balance, BOND, "the feed holds it");
        vm.warp(block.timestamp + WINDOW);
        feed.finalize(id);
        assertEq(stranger.balance, 1 ether, "bond returned on finalize");
        assertTrue(feed.hasScore(), "a stranger's sound proof is final");
    }

    function testOnlyOwnerPauses() public {
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.NotOwner.selector, SUBMITTER));
        feed.setPaused(true);
        vm.prank(OWNER);
        feed.transferOwnership(SUBMITTER);
        assertEq(feed.owner(), SUBMITTER, "new owner");
        vm.prank(OWNER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.NotOwner.selector, OWNER));
        feed.setPaused(true);
    }

    function testWrongIlkAndBadConstruction() public {
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.WrongIlk.selector, uint8(1), uint8(0)));
        feed.getExchangeRate(1);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.InvalidHaircutRange.selector, 0.3e18, 0.2e18));
        _newFeed(address(source), 0.3e18, 0.2e18);
        vm.expectRevert(IRiskFeed.InvalidConfig.selector);
        _newFeed(address(0), 0, 0.2e18);
        vm.expectRevert(IRiskFeed.InvalidConfig.selector);
        _newFeed(address(source), 0, 0.2e18, "");
    }

    // ---------------------------------------------------------------- anchoring (EIP-4788)

    function testAnchorsBlockRootFromBeaconRootsContract() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        BeaconBlockHeader memory h = _anchor(inst, ROOT);
        assertEq(feed.anchoredBlockRoot(anchorTs, h), lastBlockRoot, "the header's root, anchored");
        // What the 4788 contract itself answers for that timestamp.
        (bool ok, bytes memory ret) = BEACON_ROOTS.staticcall(abi.encode(anchorTs));
        assertTrue(ok, "4788 get");
        assertEq(abi.decode(ret, (bytes32)), lastBlockRoot, "4788 holds the root");
    }

    function testRejectsTimestampWithoutBeaconRoot() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h = _anchor(inst, ROOT);
        uint256 missing = anchorTs - 5;
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.BeaconRootUnavailable.selector, missing));
        feed.submit{value: BOND}(proof, inst, missing, h, _commitment());
        // An entry overwritten by a later block with the same ring position is gone too.
        _setBeaconRoot(anchorTs + RING, lastBlockRoot);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.BeaconRootUnavailable.selector, anchorTs));
        feed.submit{value: BOND}(proof, inst, anchorTs, h, _commitment());
    }

    function testRejectsHeaderTheChainDoesNotKnow() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h = _anchor(inst, ROOT);
        h.proposerIndex += 1; // any changed field is another block
        bytes32 forged = _headerRoot(h);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.HeaderNotAnchored.selector, forged, lastBlockRoot));
        feed.submit{value: BOND}(proof, inst, anchorTs, h, _commitment());
    }

    function testRejectsProofOfAnotherStateThanTheAnchoredHeader() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        // An anchored header whose state root is not the one the proof commits to.
        bytes32 other = keccak256("the state the chain has");
        BeaconBlockHeader memory h = _anchor(inst, other);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.StateRootMismatch.selector, other, ROOT));
        feed.submit{value: BOND}(proof, inst, anchorTs, h, _commitment());
        // An anchored header of another slot with the same state root.
        h = _anchor(_instances(1_000_001, ROOT, ID, 0), ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.SlotMismatch.selector, uint64(1_000_000), uint64(1_000_001)));
        feed.submit{value: BOND}(proof, inst, anchorTs, h, _commitment());
    }

    /// The anchoring's cost, measured: the 4788 read and the header root (the header and the
    /// timestamp add 6 words of calldata, at most 3,072 gas, on top).
    function testAnchoringGas() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        BeaconBlockHeader memory h = _anchor(inst, ROOT);
        uint256 before = gasleft();
        feed.anchoredBlockRoot(anchorTs, h);
        uint256 used = before - gasleft();
        emit log_named_uint("anchoring gas (4788 read + header root, cold)", used);
        assertLe(used + 3072, 60_000, "anchoring adds at most 60k gas");
    }

    // ---------------------------------------------------------------- in the reserve oracle

    function testReserveOracleFollowsFeedWithinClamp() public {
        MockWeEth weEth = new MockWeEth();
        // The oracle reads the feed and the feed reads the oracle's protocol rate: the feed is
        // deployed first, pointing at the address the oracle will have.
        address predicted = _nextAddress(2);
        RiskFeed riskFeed = _newFeed(predicted, 0.01e18, 0.21e18);
        address[3] memory feeds = [address(riskFeed), address(0), address(0)];
        WeEthWstEthReserveOracle oracle =
            new WeEthWstEthReserveOracle(0, feeds, 1, 0.03e27, address(weEth), address(weEth));
        assertEq(address(oracle), predicted, "predicted oracle address");
        uint256 protocolRate = oracle.getProtocolExchangeRate();
        assertEq(oracle.currentExchangeRate(), protocolRate, "initial");
        assertEq(riskFeed.getExchangeRate(0), protocolRate, "no proof: the protocol rate");

        // Without a proof an update keeps the protocol rate.
        vm.warp(block.timestamp + 58 minutes);
        oracle.updateExchangeRate();
        assertEq(oracle.currentExchangeRate(), protocolRate, "unchanged before a proof");

        uint64 slot = uint64((block.timestamp - GENESIS) / 12);
        uint256[] memory inst = _instances(slot, ROOT, ID, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h23 = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        uint256 id = riskFeed.submit{value: BOND}(proof, inst, anchorTs, h23, _commitment());
        assertEq(riskFeed.getExchangeRate(0), protocolRate, "pending: still the protocol rate");
        vm.warp(block.timestamp + WINDOW);
        riskFeed.finalize(id);
        uint256 target = protocolRate * (1e18 - 0.11e18) / 1e18;
        assertEq(riskFeed.getExchangeRate(0), target, "feed rate");

        // 11% haircut, 3% clamp: three clamped steps, then the target.
        uint256 rate = protocolRate;
        for (uint256 i = 0; i < 4; ++i) {
            vm.warp(block.timestamp + 58 minutes);
            oracle.updateExchangeRate();
            uint256 floor = rate - rate * 0.03e27 / 1e27;
            rate = target > floor ? target : floor;
            assertEq(oracle.currentExchangeRate(), rate, "clamped step");
        }
        assertEq(oracle.currentExchangeRate(), target, "reached the risk-adjusted rate");
    }

    function _nextAddress(uint256 ahead) internal view returns (address) {
        // The CREATE address of this contract's deployment `ahead` creations from now.
        uint256 nonce = VmNonce(address(vm)).getNonce(address(this)) + ahead - 1;
        bytes memory rlp;
        if (nonce < 0x80) rlp = abi.encodePacked(bytes1(0xd6), bytes1(0x94), address(this), uint8(nonce));
        else rlp = abi.encodePacked(bytes1(0xd7), bytes1(0x94), address(this), bytes1(0x81), uint8(nonce));
        return address(uint160(uint256(keccak256(rlp))));
    }

    // ---------------------------------------------------------------- committed snapshot

    function testSoundCommitmentAcceptedAndSnapshotted() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        SnapshotCommitment memory c = _commitment();
        uint256[8] memory f = _featuresOf(c);
        assertEq(f[0], 42, "slashed share 4/98 of 1024, rounded"); // 41.8 -> 42
        bytes memory proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h = _anchor(inst, ROOT);
        bytes32[] memory creds = registry.credentials();
        vm.expectEmit(true, true, false, true);
        emit IRiskFeed.SnapshotCommitted(1, 1_000_000, c.root, keccak256(abi.encode(c)), keccak256(abi.encodePacked(creds)), creds);
        vm.prank(SUBMITTER);
        uint256 gasBefore = gasleft();
        uint256 id = feed.submit{value: BOND}(proof, inst, anchorTs, h, c);
        emit log_named_uint("submit gas with commitment (mock verifier)", gasBefore - gasleft());
        vm.warp(block.timestamp + WINDOW);
        feed.finalize(id);
        RiskFeed.Latest memory l = feed.latest();
        assertEq(l.commitmentHash, keccak256(abi.encode(c)), "commitment stored");
        assertEq(l.credentialsHash, keccak256(abi.encodePacked(creds)), "credential set snapshotted");
        assertEq(keccak256(bytes(feed.credentialSource())), keccak256("registry"), "registry");
    }

    function testFeaturesNotFromTheSumsRefused() public {
        SnapshotCommitment memory c = _commitment();
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        uint256[8] memory f = _featuresOf(c);
        bytes memory proof;
        BeaconBlockHeader memory h;
        // the proof's features as the sums would give them, but the sums claim fewer slashed
        c.sums.slashedEffective -= 32e9;
        c.sums.pendingEffective -= 32e9;
        uint256[8] memory lied = _featuresOf(c);
        proof = verifier.proofFor(inst);
        h = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.FeaturesMismatch.selector, 0, lied[0], f[0]));
        feed.submit{value: BOND}(proof, inst, anchorTs, h, c);
        // one feature instance changed (a proof of other features) against the sound sums
        c = _commitment();
        inst[2] = f[2] - 1;
        proof = verifier.proofFor(inst);
        h = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.FeaturesMismatch.selector, 2, f[2], f[2] - 1));
        feed.submit{value: BOND}(proof, inst, anchorTs, h, c);
        // the network input outside the feed's bounds
        inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        c.networkActive = 2e18;
        proof = verifier.proofFor(inst);
        h = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.NetworkInputOutOfRange.selector, 2e18, 1e9, 1e18));
        feed.submit{value: BOND}(proof, inst, anchorTs, h, c);
        // an empty commitment
        c = _commitment();
        c.sums.leaves = 0;
        vm.prank(SUBMITTER);
        vm.expectRevert(IRiskFeed.EmptyCommitment.selector);
        feed.submit{value: BOND}(proof, inst, anchorTs, h, c);
        assertTrue(!feed.hasScore(), "nothing accepted");
    }

    function testCredentialChangeIsAnEventAndTheOldSnapshotStays() public {
        _submit(_instances(1_000_000, ROOT, ID, _scoreHalf()), ROOT);
        bytes32 first = feed.latest().credentialsHash;
        bytes32[] memory more = new bytes32[](1);
        more[0] = bytes32(uint256(0x01) << 248 | 0xBEEF);
        vm.prank(OWNER);
        registry.add(more);
        assertEq(feed.latest().credentialsHash, first, "a later change leaves the snapshot");
        vm.warp(block.timestamp + 24);
        uint256[] memory inst = _instances(1_000_002, ROOT, ID, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h = _anchor(inst, ROOT);
        bytes32 next = keccak256(abi.encodePacked(registry.credentials()));
        vm.expectEmit(false, false, false, true);
        emit IRiskFeed.CredentialSetChanged(first, next, 3);
        vm.prank(SUBMITTER);
        uint256 id = feed.submit{value: BOND}(proof, inst, anchorTs, h, _commitment());
        assertEq(feed.submission(id).credentialsHash, next, "the new set for the new submission");
        assertEq(feed.latest().credentialsHash, first, "the final one keeps its own");
    }

    // ---------------------------------------------------------------- bond, window, finalize

    function testBondIsTheSumOfItsParts() public view {
        (uint256 total, uint256 gas, uint256 ceiling, uint256 cover, uint256 reward, uint256 burn) = feed.bond();
        assertEq(gas, CHALLENGE_GAS, "challenge gas");
        assertEq(ceiling, GAS_CEILING, "ceiling");
        assertEq(cover, CHALLENGE_GAS * GAS_CEILING, "gas cover");
        assertEq(reward, REWARD, "reward");
        assertEq(burn, BURN, "burn");
        assertEq(total, cover + reward + burn, "total");
        assertEq(total, BOND, "0.1 ETH");
        assertEq(feed.CHALLENGE_WINDOW(), WINDOW, "window");
    }

    function testBadBondConfigRefused() public {
        RiskFeed.Config memory c = RiskFeed.Config({
            verifier: address(verifier),
            rateSource: address(source),
            ilkIndex: 0,
            modelHash: MODEL,
            lrt: "weETH",
            genesisTime: GENESIS,
            maxSlotAge: MAX_AGE,
            minHaircut: 0,
            maxHaircut: 0.2e18,
            credentials: address(registry),
            minNetworkActive: 1e9,
            maxNetworkActive: 1e18,
            challengeWindow: WINDOW,
            challengeGas: CHALLENGE_GAS,
            gasPriceCeiling: GAS_CEILING,
            challengerReward: REWARD,
            burn: 0,
            restaking: address(restakingMock)
        });
        vm.expectRevert(IRiskFeed.InvalidBond.selector);
        new RiskFeed(c, OWNER);
        c.burn = BURN;
        c.challengeWindow = 0;
        vm.expectRevert(IRiskFeed.InvalidBond.selector);
        new RiskFeed(c, OWNER);
    }

    function testFinalizeOnlyAfterTheWindowAndOnce() public {
        uint256 id = _pending(_instances(1_000_000, ROOT, ID, _scoreHalf()), ROOT);
        uint256 deadline = feed.deadlineOf(id);
        assertEq(deadline, block.timestamp + WINDOW, "deadline");
        IRiskFeed.Submission memory s = feed.submission(id);
        assertEq(uint256(s.status), uint256(IRiskFeed.Status.Pending), "pending");
        assertEq(uint256(s.bond), BOND, "bond recorded");
        vm.warp(deadline - 1);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.WindowOpen.selector, id, deadline));
        feed.finalize(id);
        vm.warp(deadline);
        uint256 before = SUBMITTER.balance;
        uint256 gasBefore = gasleft();
        feed.finalize(id); // anyone: this test contract is no one in particular
        emit log_named_uint("finalize gas (first final, cold)", gasBefore - gasleft());
        assertEq(SUBMITTER.balance, before + BOND, "bond back");
        assertEq(uint256(feed.submission(id).status), uint256(IRiskFeed.Status.Final), "final");
        assertEq(feed.finalId(), id, "final id");
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.NotPending.selector, id, IRiskFeed.Status.Final));
        feed.finalize(id);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.NoSuchSubmission.selector, 7));
        feed.finalize(7);
    }

    function testFinalizeGasBound() public {
        _submit(_instances(1_000_000, ROOT, ID, _scoreHalf()), ROOT);
        bytes32 root2 = keccak256("later state");
        uint256 id = _pending(_instances(1_000_001, root2, ID, 0), root2);
        vm.warp(block.timestamp + WINDOW);
        uint256 gasBefore = gasleft();
        feed.finalize(id);
        uint256 used = gasBefore - gasleft();
        emit log_named_uint("finalize gas (a later final, warm slots cold)", used);
        assertLe(used + 21_000 + 16 * 36, 100_000, "finalize within 100k gas (transaction)");
    }

    function testSeveralPendingOrderedBySlotAndTheNewestFinalWins() public {
        bytes32 rootA = keccak256("state A");
        bytes32 rootB = keccak256("state B");
        bytes32 rootC = keccak256("state C");
        // B (a newer slot) first, then A (older) and C: none blocks another while pending.
        uint256 b = _pending(_instances(1_000_004, rootB, ID, 0), rootB);
        uint256 a = _pending(_instances(1_000_000, rootA, ID, _scoreHalf()), rootA);
        uint256 c = _pending(_instances(1_000_002, rootC, ID, 1 << SCALE), rootC);
        uint256[] memory ids = feed.pendingIds();
        assertEq(ids.length, 3, "three pending");
        assertEq(ids[0], a, "slot 1_000_000 first");
        assertEq(ids[1], c, "then 1_000_002");
        assertEq(ids[2], b, "then 1_000_004");
        vm.warp(block.timestamp + WINDOW);
        feed.finalize(c); // final: haircut at score 1
        assertEq(uint256(feed.latest().haircut), 0.21e18, "C final");
        feed.finalize(b); // newer: supersedes C as the final one
        assertEq(uint256(feed.latest().haircut), 0.01e18, "B final");
        assertEq(uint256(feed.latest().slot), 1_000_004, "B's slot");
        uint256 before = SUBMITTER.balance;
        vm.expectEmit(true, true, false, false);
        emit IRiskFeed.SubmissionSuperseded(a, b);
        feed.finalize(a); // older than the final one: closed, never the rate, bond back
        assertEq(uint256(feed.submission(a).status), uint256(IRiskFeed.Status.Superseded), "A superseded");
        assertEq(SUBMITTER.balance, before + BOND, "A's bond back");
        assertEq(uint256(feed.latest().slot), 1_000_004, "still B");
        assertEq(feed.pendingIds().length, 0, "none pending");
        // A new submission must be newer than the final one (pending ones never constrain it).
        uint256[] memory older = _instances(1_000_003, rootA, ID, 0);
        bytes memory proof = verifier.proofFor(older);
        BeaconBlockHeader memory h = _anchor(older, rootA);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.SlotNotNewer.selector, uint64(1_000_003), uint64(1_000_004)));
        feed.submit{value: BOND}(proof, older, anchorTs, h, _commitment());
    }

    function testPauseStopsSubmitAndFinalizeOnly() public {
        uint256 id = _pending(_instances(1_000_000, ROOT, ID, _scoreHalf()), ROOT);
        vm.prank(OWNER);
        feed.setPaused(true);
        assertTrue(feed.paused(), "paused");
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(IRiskFeed.FeedPaused.selector);
        feed.finalize(id);
        bytes32 root2 = keccak256("later state");
        uint256[] memory inst = _instances(1_000_001, root2, ID, 0);
        bytes memory proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h = _anchor(inst, root2);
        vm.prank(SUBMITTER);
        vm.expectRevert(IRiskFeed.FeedPaused.selector);
        feed.submit{value: BOND}(proof, inst, anchorTs, h, _commitment());
        assertEq(feed.getExchangeRate(0), 1.05e18, "the rate still reads");
        vm.prank(OWNER);
        feed.setPaused(false);
        feed.finalize(id);
        assertTrue(feed.hasScore(), "finalized after the pause");
    }

    function testABondARefusingSubmitterCannotTakeIsOwed() public {
        RefusingSubmitter r = new RefusingSubmitter();
        vm.deal(address(r), 1 ether);
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h = _anchor(inst, ROOT);
        uint256 id = r.submit(feed, BOND, proof, inst, anchorTs, h, _commitment());
        vm.warp(block.timestamp + WINDOW);
        feed.finalize(id); // never blocked by the submitter
        assertEq(feed.owed(address(r)), BOND, "credited");
        r.setRefuse(false);
        vm.prank(address(r));
        feed.withdraw();
        assertEq(address(r).balance, 1 ether, "withdrawn");
        vm.prank(address(r));
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.NothingOwed.selector, address(r)));
        feed.withdraw();
        // A recipient that burns the gas it is given cannot make finalize fail either.
        r.setBurn(true);
        bytes32 root2 = keccak256("later state");
        uint256[] memory inst2 = _instances(1_000_001, root2, ID, 0);
        bytes memory proof2 = verifier.proofFor(inst2);
        BeaconBlockHeader memory h2 = _anchor(inst2, root2);
        uint256 id2 = r.submit(feed, BOND, proof2, inst2, anchorTs, h2, _commitment());
        vm.warp(block.timestamp + WINDOW);
        feed.finalize{gas: 500_000}(id2); // its push gets 30k gas, not all of the 500k
        assertEq(feed.finalId(), id2, "final");
        assertEq(address(r).balance, 1 ether, "paid within the bounded gas");
    }

    function testARerunOfAPendingSubmissionIsRefusedAnotherCommitmentIsNot() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, ID, _scoreHalf());
        _pending(inst, ROOT);
        bytes memory proof = verifier.proofFor(inst);
        BeaconBlockHeader memory h = _anchor(inst, ROOT);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.AlreadySubmitted.selector, uint64(1_000_000), ROOT));
        feed.submit{value: BOND}(proof, inst, anchorTs, h, _commitment());
        // The same state with another commitment (giving the same features): taken, pending too.
        SnapshotCommitment memory other = _commitment();
        other.root = keccak256("another tree");
        vm.prank(SUBMITTER);
        uint256 id = feed.submit{value: BOND}(proof, inst, anchorTs, h, other);
        assertEq(id, 2, "a second pending submission of the same state");
    }
}

contract RefusingSubmitter {
    bool public refuse = true;

    function setRefuse(bool value) external {
        refuse = value;
    }

    function submit(
        RiskFeed feed,
        uint256 bond,
        bytes memory proof,
        uint256[] memory inst,
        uint256 ts,
        BeaconBlockHeader memory h,
        SnapshotCommitment memory c
    ) external returns (uint256) {
        return feed.submit{value: bond}(proof, inst, ts, h, c);
    }

    receive() external payable {
        require(!refuse, "no thanks");
        if (burn) {
            while (gasleft() > 100) {} // a griefer: burns whatever gas it is given
        }
    }

    bool public burn;

    function setBurn(bool value) external {
        burn = value;
    }
}
