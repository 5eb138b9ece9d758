// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {TestBase} from "./utils/TestBase.sol";
import {MockHalo2Verifier, MockRateSource, MockRestakingFeatures} from "./RiskFeed.t.sol";
import {RiskFeed, IRiskFeed} from "../../ion_cli/devnet/contracts/zk/RiskFeed.sol";
import {RiskFeedChallenges} from "../../ion_cli/devnet/contracts/zk/RiskFeedChallenges.sol";
import {SnapshotCommitment} from "../../ion_cli/devnet/contracts/zk/FraudProofs.sol";
import {CredentialRegistry} from "../../ion_cli/devnet/contracts/zk/LrtCredentials.sol";
import {BeaconBlockHeader} from "../../ion_cli/devnet/contracts/zk/SszMerkle.sol";

/// Every kind of one-step fraud proof against a real beacon state (the devnet's synthetic chain,
/// 15,800 validators) and the weETH validators' committed tree, sound or with one lie each
/// (tests/contracts/gen_challenge_vectors.py writes the cases): a challenge of a lie succeeds,
/// rejects the submission, pays the challenger from the bond and burns the rest, and the rate
/// never moves; every kind of challenge of the sound submission fails on chain.
contract RiskFeedChallengesTest is TestBase {
    MockRestakingFeatures internal restakingMock = new MockRestakingFeatures();
    event log_named_uint(string key, uint256 val);
    event log_string(string val);

    struct Case {
        string name;
        uint8 kind;
        bool fraud;
        SnapshotCommitment commitment;
        bytes data;
    }

    /// A made-up opening of a sound tree: must revert with `expected` (the opening's error).
    struct Refused {
        string name;
        uint8 kind;
        SnapshotCommitment commitment;
        bytes data;
        bytes4 expected;
    }

    uint256 internal constant SCALE = 10;
    uint256 internal constant GENESIS = 1_600_000_000;
    bytes32 internal constant MODEL = keccak256("the risk model");
    address internal constant BEACON_ROOTS = 0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02;
    bytes internal constant BEACON_ROOTS_CODE =
        hex"3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f35801560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42064281555f359062001fff015500";
    uint256 internal constant RING = 8191;
    address internal constant OWNER = address(0xA11CE);
    address internal constant SUBMITTER = address(0xB0B);
    address internal constant CHALLENGER = address(0xC4A1);
    uint256 internal constant WINDOW = 300;
    uint256 internal constant BURN = 0.04 ether;
    uint256 internal constant BOND = 0.1 ether;
    uint256 internal constant CHALLENGE_GAS_BOUND = 500_000;

    MockHalo2Verifier internal verifier;
    MockRateSource internal source;
    CredentialRegistry internal registry;
    BeaconBlockHeader internal header;
    Case[] internal cases;
    Refused[] internal refused;

    function setUp() public {
        bytes memory data = vm.readFileBinary("tests/contracts/vectors/challenges.bin");
        (BeaconBlockHeader memory h, bytes32[] memory creds, Case[] memory all, Refused[] memory bad) =
            abi.decode(data, (BeaconBlockHeader, bytes32[], Case[], Refused[]));
        header = h;
        for (uint256 i = 0; i < all.length; ++i) {
            cases.push(all[i]);
        }
        for (uint256 i = 0; i < bad.length; ++i) {
            refused.push(bad[i]);
        }
        verifier = new MockHalo2Verifier();
        source = new MockRateSource();
        registry = new CredentialRegistry(OWNER);
        vm.prank(OWNER);
        registry.add(creds);
        vm.etch(BEACON_ROOTS, BEACON_ROOTS_CODE);
        vm.warp(GENESIS + uint256(h.slot) * 12 + 60);
        vm.deal(SUBMITTER, 100 ether);
    }

    function _feed() internal returns (RiskFeed) {
        return new RiskFeed(
            RiskFeed.Config({
                verifier: address(verifier),
                rateSource: address(source),
                ilkIndex: 0,
                modelHash: MODEL,
                lrt: "weETH",
                genesisTime: GENESIS,
                maxSlotAge: 2 hours,
                minHaircut: 0.01e18,
                maxHaircut: 0.21e18,
                credentials: address(registry),
                minNetworkActive: 1e9,
                maxNetworkActive: 1e18,
                challengeWindow: WINDOW,
                challengeGas: 500_000,
                gasPriceCeiling: 100 gwei,
                challengerReward: 0.01 ether,
                burn: BURN,
                restaking: address(restakingMock)
            }),
            OWNER
        );
    }

    function _put(uint256[] memory inst, uint256 start, uint256 count, uint256 value) internal pure {
        for (uint256 i = 0; i < count; ++i) {
            inst[start + i] = ((value >> (16 * (count - 1 - i))) & 0xffff) << SCALE;
        }
    }

    /// Submit `c` about the vectors' state (anchored), with a proof the mock verifier accepts.
    function _submit(RiskFeed feed, SnapshotCommitment memory c) internal returns (uint256 id) {
        uint256[] memory inst = new uint256[](35); // restaking [30:32] and block [32:34]: 0
        uint256[8] memory f = feed.featuresOf(c);
        for (uint256 i = 0; i < 8; ++i) {
            inst[i] = f[i];
        }
        _put(inst, 8, 2, header.slot);
        _put(inst, 10, 16, uint256(header.stateRoot));
        _put(inst, 26, 4, uint256(sha256(abi.encodePacked(MODEL, bytes("weETH")))) >> 192);
        inst[34] = 1 << (SCALE - 1);
        uint256 ts = block.timestamp - 1;
        bytes32 blockRoot = this.headerRoot(header);
        vm.store(BEACON_ROOTS, bytes32(ts % RING), bytes32(ts));
        vm.store(BEACON_ROOTS, bytes32(ts % RING + RING), blockRoot);
        bytes memory proof = verifier.proofFor(inst);
        vm.prank(SUBMITTER);
        id = feed.submit{value: BOND}(proof, inst, ts, header, c);
        assertEq(feed.submission(id).submitter, SUBMITTER, "submitted by SUBMITTER");
    }

    /// hash_tree_root of a header, computed here independently of the feed's library.
    function headerRoot(BeaconBlockHeader calldata h) external pure returns (bytes32) {
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

    /// The gas a transaction of `data` pays beyond execution: 21,000 and its calldata.
    function _intrinsic(bytes memory data) internal pure returns (uint256 gas) {
        gas = 21_000;
        for (uint256 i = 0; i < data.length; ++i) {
            gas += data[i] == 0 ? 4 : 16;
        }
    }

    function testEveryKindOnLiesAndOnTheSoundSubmission() public {
        assertGe(cases.length, 20, "the vectors hold every case");
        uint256 dearest;
        for (uint256 i = 0; i < cases.length; ++i) {
            Case memory k = cases[i];
            RiskFeed feed = _feed();
            uint256 id = _submit(feed, k.commitment);
            assertEq(id, 1, "the vectors name submission 1");
            address challenges = address(feed.CHALLENGES());
            uint256 rateBefore = feed.getExchangeRate(0);
            uint256 challengerBefore = CHALLENGER.balance;
            vm.prank(CHALLENGER);
            uint256 g = gasleft();
            (bool ok, bytes memory ret) = challenges.call(k.data);
            uint256 used = g - gasleft();
            used += _intrinsic(k.data);
            emit log_string(k.name);
            emit log_named_uint("  challenge gas (transaction)", used);
            if (k.fraud) {
                if (!ok) emit log_named_uint("  unexpected revert, selector", uint256(bytes32(ret)) >> 224);
                assertTrue(ok, string.concat(k.name, ": the challenge of a lie succeeds"));
                IRiskFeed.Submission memory s = feed.submission(id);
                assertEq(uint256(s.status), uint256(IRiskFeed.Status.Rejected), string.concat(k.name, ": rejected"));
                assertEq(CHALLENGER.balance, challengerBefore + BOND - BURN, string.concat(k.name, ": challenger paid"));
                assertEq(address(feed).balance, BURN, string.concat(k.name, ": the burn stays locked"));
                assertEq(feed.burnt(), BURN, "burnt counted");
                assertEq(feed.getExchangeRate(0), rateBefore, "the rate never moved");
                assertTrue(!feed.hasScore(), "no score");
                vm.warp(block.timestamp + WINDOW);
                vm.expectRevert(abi.encodeWithSelector(IRiskFeed.NotPending.selector, id, IRiskFeed.Status.Rejected));
                feed.finalize(id);
                vm.warp(block.timestamp - WINDOW);
                if (used > dearest) dearest = used;
            } else {
                assertTrue(!ok, string.concat(k.name, ": the challenge of a sound submission fails"));
                assertEq(
                    keccak256(ret),
                    keccak256(abi.encodeWithSelector(RiskFeedChallenges.NoFraud.selector, k.kind)),
                    string.concat(k.name, ": NoFraud(kind)")
                );
                assertEq(uint256(feed.submission(id).status), uint256(IRiskFeed.Status.Pending), "still pending");
            }
            assertLe(used, CHALLENGE_GAS_BOUND, string.concat(k.name, ": within 500k gas"));
        }
        emit log_named_uint("dearest successful challenge (gas)", dearest);
    }

    /// Children sums the children's hashes do not bind, an empty leaf given sums its sibling
    /// makes up for: a challenger cannot reject a sound submission with them (issue 23's hole).
    function testMadeUpOpeningsCannotRejectASoundSubmission() public {
        assertGe(refused.length, 4, "the vectors hold the made-up openings");
        for (uint256 i = 0; i < refused.length; ++i) {
            Refused memory k = refused[i];
            RiskFeed feed = _feed();
            uint256 id = _submit(feed, k.commitment);
            address challenges = address(feed.CHALLENGES());
            vm.prank(CHALLENGER);
            (bool ok, bytes memory ret) = challenges.call(k.data);
            emit log_string(k.name);
            assertTrue(!ok, string.concat(k.name, ": refused"));
            assertEq(bytes4(ret), k.expected, string.concat(k.name, ": the opening's error"));
            assertEq(uint256(feed.submission(id).status), uint256(IRiskFeed.Status.Pending), "still pending");
        }
    }

    function _firstLie(uint8 kind) internal view returns (Case memory k) {
        for (uint256 i = 0; i < cases.length; ++i) {
            if (cases[i].fraud && cases[i].kind == kind) return cases[i];
        }
        revert("no such case");
    }

    function testNoChallengeAfterTheWindowThenTheLieWouldFinalize() public {
        Case memory k = _firstLie(1);
        RiskFeed feed = _feed();
        uint256 id = _submit(feed, k.commitment);
        uint256 deadline = feed.deadlineOf(id);
        vm.warp(deadline);
        address challenges = address(feed.CHALLENGES());
        vm.prank(CHALLENGER);
        (bool ok, bytes memory ret) = challenges.call(k.data);
        assertTrue(!ok, "too late");
        assertEq(keccak256(ret), keccak256(abi.encodeWithSelector(IRiskFeed.WindowClosed.selector, id, deadline)), "closed");
    }

    function testChallengeMustRepeatTheStoredCommitment() public {
        Case memory k = _firstLie(1);
        Case memory other = _firstLie(2);
        RiskFeed feed = _feed();
        _submit(feed, other.commitment);
        address challenges = address(feed.CHALLENGES());
        vm.prank(CHALLENGER);
        (bool ok, bytes memory ret) = challenges.call(k.data);
        assertTrue(!ok, "another commitment");
        assertEq(bytes32(bytes4(ret)), bytes32(IRiskFeed.CommitmentMismatch.selector), "mismatch");
    }

    function testOnlyTheChallengesContractRejects() public {
        RiskFeed feed = _feed();
        uint256 id = _submit(feed, _firstLie(1).commitment);
        vm.expectRevert(abi.encodeWithSelector(IRiskFeed.NotChallenges.selector, address(this)));
        feed.reject(id, 1, address(this));
    }

    /// A submitter that challenges its own false submission from another account gets the gas
    /// cover and the reward back, and loses the burn (plus the gas of both transactions).
    function testSelfChallengeLosesTheBurn() public {
        Case memory k = _firstLie(2);
        RiskFeed feed = _feed();
        uint256 start = SUBMITTER.balance;
        _submit(feed, k.commitment);
        address sock = address(0x50C);
        address challenges = address(feed.CHALLENGES());
        vm.prank(sock);
        (bool ok,) = challenges.call(k.data);
        assertTrue(ok, "the lie is caught");
        assertEq(SUBMITTER.balance + sock.balance, start - BURN, "the pair is down by the burn");
    }

    function testChallengesGoOnWhilePaused() public {
        Case memory k = _firstLie(7);
        RiskFeed feed = _feed();
        uint256 id = _submit(feed, k.commitment);
        vm.prank(OWNER);
        feed.setPaused(true);
        address challenges = address(feed.CHALLENGES());
        vm.prank(CHALLENGER);
        (bool ok,) = challenges.call(k.data);
        assertTrue(ok, "a challenge while paused");
        assertEq(uint256(feed.submission(id).status), uint256(IRiskFeed.Status.Rejected), "rejected");
    }
}
