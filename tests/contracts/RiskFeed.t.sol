// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {TestBase} from "./utils/TestBase.sol";
import {RiskFeed, IRiskFeed} from "../../ion_cli/devnet/contracts/zk/RiskFeed.sol";
import {IReserveOracle} from "../../ion_cli/devnet/contracts/interfaces/IOracles.sol";
import {WeEthWstEthReserveOracle} from "../../ion_cli/devnet/contracts/oracles/WeEthWstEthReserveOracle.sol";

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
    uint256 internal constant SCALE = 10;
    uint256 internal constant FEATURES = 8;
    uint256 internal constant SLOT_INDEX = FEATURES;
    uint256 internal constant ROOT_INDEX = SLOT_INDEX + 2;
    uint256 internal constant MODEL_INDEX = ROOT_INDEX + 16;
    uint256 internal constant SCORE_INDEX = MODEL_INDEX + 4;
    uint256 internal constant COUNT = SCORE_INDEX + 1;
    uint256 internal constant GENESIS = 1_600_000_000;
    uint256 internal constant MAX_AGE = 2 days;
    uint256 internal constant FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    bytes32 internal constant MODEL = keccak256("the risk model");
    bytes32 internal constant ROOT = keccak256("a beacon state");
    bytes32 internal constant BLOCK_ROOT = keccak256("a beacon block");

    address internal constant OWNER = address(0xA11CE);
    address internal constant SUBMITTER = address(0xB0B);

    MockHalo2Verifier internal verifier;
    MockRateSource internal source;
    RiskFeed internal feed;

    function setUp() public {
        verifier = new MockHalo2Verifier();
        source = new MockRateSource();
        feed = _newFeed(address(source), 0.01e18, 0.21e18);
        vm.prank(OWNER);
        feed.setSubmitter(SUBMITTER, true);
        vm.warp(GENESIS + 1_000_000 * 12 + 60);
    }

    function _newFeed(address rateSource, uint256 minHaircut, uint256 maxHaircut) internal returns (RiskFeed) {
        return new RiskFeed(
            RiskFeed.Config({
                verifier: address(verifier),
                rateSource: rateSource,
                ilkIndex: 0,
                modelHash: MODEL,
                genesisTime: GENESIS,
                maxSlotAge: MAX_AGE,
                minHaircut: minHaircut,
                maxHaircut: maxHaircut
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
        for (uint256 i = 0; i < FEATURES; ++i) {
            inst[i] = i * 100; // q in [0, 1024], carried unscaled
        }
        _put(inst, SLOT_INDEX, 2, slot);
        _put(inst, ROOT_INDEX, 16, uint256(root));
        _put(inst, MODEL_INDEX, 4, uint256(model) >> 192);
        inst[SCORE_INDEX] = score;
    }

    function _scoreHalf() internal pure returns (uint256) {
        return 1 << (SCALE - 1);
    }

    function _submit(uint256[] memory inst, bytes32 root) internal {
        bytes memory proof = verifier.proofFor(inst);
        vm.prank(SUBMITTER);
        feed.submit(proof, inst, root, BLOCK_ROOT);
    }

    // ---------------------------------------------------------------- happy path and math

    function testRateBeforeFirstProofIsProtocolRate() public view {
        assertEq(feed.getExchangeRate(0), 1.05e18, "plain protocol rate");
        assertTrue(!feed.hasScore(), "no score yet");
    }

    function testAcceptedProofSetsHaircutAndRate() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, MODEL, _scoreHalf());
        vm.expectEmit(true, true, false, true);
        emit IRiskFeed.RiskScoreAccepted(1_000_000, ROOT, BLOCK_ROOT, 0.5e18, 0.11e18, SUBMITTER);
        _submit(inst, ROOT);

        RiskFeed.Latest memory l = feed.latest();
        assertEq(uint256(l.slot), 1_000_000, "slot");
        assertEq(l.stateRoot, ROOT, "state root");
        assertEq(l.blockRoot, BLOCK_ROOT, "block root");
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
        _submit(_instances(1_000_000, ROOT, MODEL, scoreRaw), ROOT);
        uint256 score = scoreRaw * 1e18 / (1 << SCALE);
        uint256 haircut = 0.01e18 + 0.2e18 * score / 1e18;
        assertEq(feed.getExchangeRate(0), rate * (1e18 - haircut) / 1e18, "rate * (1 - haircut)");
        assertLe(feed.getExchangeRate(0), rate, "never above the protocol rate");
    }

    function testNewerSlotReplacesHaircut() public {
        _submit(_instances(1_000_000, ROOT, MODEL, _scoreHalf()), ROOT);
        bytes32 root2 = keccak256("later state");
        _submit(_instances(1_000_001, root2, MODEL, 0), root2);
        assertEq(uint256(feed.latest().haircut), 0.01e18, "min haircut at score 0");
        assertEq(uint256(feed.latest().slot), 1_000_001, "newer slot");
    }

    // ---------------------------------------------------------------- rejections

    function testRejectsTamperedProof() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, MODEL, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        proof[3] = bytes1(uint8(proof[3]) ^ 1);
        vm.prank(SUBMITTER);
        vm.expectRevert(IRiskFeed.InvalidProof.selector);
        feed.submit(proof, inst, ROOT, BLOCK_ROOT);
    }

    function testRejectsTamperedScore() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, MODEL, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        inst[SCORE_INDEX] = 0;
        vm.prank(SUBMITTER);
        vm.expectRevert(IRiskFeed.InvalidProof.selector);
        feed.submit(proof, inst, ROOT, BLOCK_ROOT);
    }

    function testRejectsVerifierFalse() public {
        verifier.setAnswerFalse(true);
        uint256[] memory inst = _instances(1_000_000, ROOT, MODEL, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        vm.prank(SUBMITTER);
        vm.expectRevert(IRiskFeed.InvalidProof.selector);
        feed.submit(proof, inst, ROOT, BLOCK_ROOT);
    }

    function testRejectsRelabelledSlotAndRoot() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, MODEL, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        bytes32 other = keccak256("another state");
        // The same proof with other instances for slot and root: the proof does not verify.
        uint256[] memory relabelled = _instances(1_000_005, other, MODEL, _scoreHalf());
        vm.prank(SUBMITTER);
        vm.expectRevert(IRiskFeed.InvalidProof.selector);
        feed.submit(proof, relabelled, other, BLOCK_ROOT);
        // The same proof and instances naming another state root: the commitment differs.
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.StateRootMismatch.selector, other, ROOT));
        feed.submit(proof, inst, other, BLOCK_ROOT);
    }

    function testRejectsWrongInstanceCount() public {
        uint256[] memory inst = new uint256[](COUNT - 1);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.WrongInstanceCount.selector, COUNT - 1, COUNT));
        feed.submit("", inst, ROOT, BLOCK_ROOT);
    }

    function testRejectsMalformedLimb() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, MODEL, _scoreHalf());
        inst[ROOT_INDEX + 3] += 1; // not a multiple of 2^scale
        bytes memory proof = verifier.proofFor(inst);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.MalformedInstance.selector, ROOT_INDEX + 3));
        feed.submit(proof, inst, ROOT, BLOCK_ROOT);
        inst = _instances(1_000_000, ROOT, MODEL, _scoreHalf());
        inst[SLOT_INDEX] = uint256(1 << 16) << SCALE; // a limb of 17 bits
        proof = verifier.proofFor(inst);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.MalformedInstance.selector, SLOT_INDEX));
        feed.submit(proof, inst, ROOT, BLOCK_ROOT);
    }

    function testRejectsOutOfRangeFeatureAndScore() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, MODEL, _scoreHalf());
        inst[2] = 1025; // a feature above 1.0
        bytes memory proof = verifier.proofFor(inst);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.MalformedInstance.selector, 2));
        feed.submit(proof, inst, ROOT, BLOCK_ROOT);

        uint256 tooBig = (64 << SCALE) + 1;
        inst = _instances(1_000_000, ROOT, MODEL, tooBig);
        proof = verifier.proofFor(inst);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.ScoreOutOfRange.selector, tooBig));
        feed.submit(proof, inst, ROOT, BLOCK_ROOT);

        uint256 tooNegative = FIELD - tooBig;
        inst = _instances(1_000_000, ROOT, MODEL, tooNegative);
        proof = verifier.proofFor(inst);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.ScoreOutOfRange.selector, tooNegative));
        feed.submit(proof, inst, ROOT, BLOCK_ROOT);
    }

    function testRejectsAnotherModel() public {
        bytes32 other = keccak256("another model");
        uint256[] memory inst = _instances(1_000_000, ROOT, other, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.WrongModel.selector, bytes8(other), bytes8(MODEL)));
        feed.submit(proof, inst, ROOT, BLOCK_ROOT);
    }

    function testRejectsReplay() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, MODEL, _scoreHalf());
        _submit(inst, ROOT);
        bytes memory proof = verifier.proofFor(inst);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.AlreadySubmitted.selector, uint64(1_000_000), ROOT));
        feed.submit(proof, inst, ROOT, BLOCK_ROOT);
    }

    function testRejectsOlderOrSameSlot() public {
        _submit(_instances(1_000_000, ROOT, MODEL, _scoreHalf()), ROOT);
        bytes32 other = keccak256("another state");
        uint256[] memory older = _instances(999_999, other, MODEL, 0);
        bytes memory proof = verifier.proofFor(older);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.SlotNotNewer.selector, uint64(999_999), uint64(1_000_000)));
        feed.submit(proof, older, other, BLOCK_ROOT);
        uint256[] memory same = _instances(1_000_000, other, MODEL, 0);
        proof = verifier.proofFor(same);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.SlotNotNewer.selector, uint64(1_000_000), uint64(1_000_000)));
        feed.submit(proof, same, other, BLOCK_ROOT);
    }

    function testRejectsStaleSlot() public {
        uint64 slot = 1_000_000;
        vm.warp(GENESIS + uint256(slot) * 12 + MAX_AGE + 1);
        uint256[] memory inst = _instances(slot, ROOT, MODEL, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.StaleSlot.selector, slot, MAX_AGE + 1, MAX_AGE));
        feed.submit(proof, inst, ROOT, BLOCK_ROOT);
        // Exactly at the bound is still fresh.
        vm.warp(GENESIS + uint256(slot) * 12 + MAX_AGE);
        _submit(inst, ROOT);
    }

    function testRejectsFutureSlot() public {
        uint64 slot = 1_000_006; // 5 slots after the current time's slot 1,000,005
        uint256[] memory inst = _instances(slot, ROOT, MODEL, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        uint256 slotTime = GENESIS + uint256(slot) * 12;
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.SlotInFuture.selector, slot, slotTime, block.timestamp));
        feed.submit(proof, inst, ROOT, BLOCK_ROOT);
    }

    function testRejectsSubmitterNotOnAllowlist() public {
        uint256[] memory inst = _instances(1_000_000, ROOT, MODEL, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        address stranger = address(0xBAD);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.NotAllowedSubmitter.selector, stranger));
        feed.submit(proof, inst, ROOT, BLOCK_ROOT);
        // Removed from the list: refused again.
        vm.prank(OWNER);
        feed.setSubmitter(SUBMITTER, false);
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.NotAllowedSubmitter.selector, SUBMITTER));
        feed.submit(proof, inst, ROOT, BLOCK_ROOT);
    }

    function testOnlyOwnerManagesAllowlist() public {
        vm.prank(SUBMITTER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.NotOwner.selector, SUBMITTER));
        feed.setSubmitter(SUBMITTER, true);
        vm.prank(OWNER);
        feed.transferOwnership(SUBMITTER);
        assertEq(feed.owner(), SUBMITTER, "new owner");
        vm.prank(OWNER);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.NotOwner.selector, OWNER));
        feed.setSubmitter(OWNER, true);
    }

    function testWrongIlkAndBadConstruction() public {
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.WrongIlk.selector, uint8(1), uint8(0)));
        feed.getExchangeRate(1);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.InvalidHaircutRange.selector, 0.3e18, 0.2e18));
        _newFeed(address(source), 0.3e18, 0.2e18);
        vm.expectRevert(IRiskFeed.InvalidConfig.selector);
        _newFeed(address(0), 0, 0.2e18);
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

        vm.prank(OWNER);
        riskFeed.setSubmitter(SUBMITTER, true);
        uint64 slot = uint64((block.timestamp - GENESIS) / 12);
        uint256[] memory inst = _instances(slot, ROOT, MODEL, _scoreHalf());
        bytes memory proof = verifier.proofFor(inst);
        vm.prank(SUBMITTER);
        riskFeed.submit(proof, inst, ROOT, BLOCK_ROOT);
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
}
