// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {TestBase} from "./utils/TestBase.sol";
import {IReserveOracle, ISpotOracle} from "../../ion_cli/devnet/contracts/interfaces/IOracles.sol";
import {ReserveOracle} from "../../ion_cli/devnet/contracts/oracles/ReserveOracle.sol";
import {WeEthWstEthReserveOracle} from "../../plugins/ion-weeth/ion_adapter_weeth/contracts/WeEthWstEthReserveOracle.sol";
import {RsEthWstEthReserveOracle} from "../../plugins/ion-rseth/ion_adapter_rseth/contracts/RsEthWstEthReserveOracle.sol";
import {RswEthWstEthReserveOracle} from "../../plugins/ion-rsweth/ion_adapter_rsweth/contracts/RswEthWstEthReserveOracle.sol";
import {EzEthWethReserveOracle} from "../../plugins/ion-ezeth/ion_adapter_ezeth/contracts/EzEthWethReserveOracle.sol";
import {SpotOracle} from "../../ion_cli/devnet/contracts/oracles/SpotOracle.sol";

// ---- mocks of the outside-world rate sources (only what the oracles read) ----

contract MockRateToken {
    uint256 public getRate;
    uint256 public rsETHPrice;
    uint256 public tokensPerStEth;
    uint256 public totalSupply;

    function setRate(uint256 r) external {
        getRate = r;
    }

    function setRsETHPrice(uint256 r) external {
        rsETHPrice = r;
    }

    function setTokensPerStEth(uint256 r) external {
        tokensPerStEth = r;
    }

    function setTotalSupply(uint256 s) external {
        totalSupply = s;
    }
}

contract MockRestakeManager {
    uint256 public tvl;

    function setTvl(uint256 t) external {
        tvl = t;
    }

    function calculateTVLs() external view returns (uint256[][] memory a, uint256[] memory b, uint256) {
        return (a, b, tvl);
    }
}

contract MockReserveFeed {
    mapping(uint8 => uint256) public rates;

    function setExchangeRate(uint8 ilkIndex, uint256 r) external {
        rates[ilkIndex] = r;
    }

    function getExchangeRate(uint8 ilkIndex) external view returns (uint256) {
        return rates[ilkIndex];
    }
}

contract MockPriceFeed {
    uint256 public price;
    uint256 public updatedAt;

    function set(uint256 p, uint256 t) external {
        price = p;
        updatedAt = t;
    }

    function latestPrice() external view returns (uint256, uint256) {
        return (price, updatedAt);
    }
}

contract MockReserveRate {
    uint256 public currentExchangeRate;

    function set(uint256 r) external {
        currentExchangeRate = r;
    }
}

contract OraclesTest is TestBase {
    event UpdateExchangeRate(uint256 exchangeRate);

    uint8 constant ILK = 0;
    uint256 constant MAX_CHANGE = 0.03e27; // 3%, as on mainnet

    MockRateToken rswEth;
    MockRateToken wstEth;
    MockReserveFeed feed0;
    MockReserveFeed feed1;
    MockReserveFeed feed2;

    function setUp() public {
        vm.warp(1_700_000_000);
        rswEth = new MockRateToken();
        wstEth = new MockRateToken();
        rswEth.setRate(1.05e18);
        wstEth.setTokensPerStEth(1e18); // 1:1 keeps the protocol rate equal to rswETH's rate
        feed0 = new MockReserveFeed();
        feed1 = new MockReserveFeed();
        feed2 = new MockReserveFeed();
    }

    function _feeds() internal view returns (address[3] memory) {
        return [address(feed0), address(feed1), address(feed2)];
    }

    function _oracle(uint8 quorum) internal returns (RswEthWstEthReserveOracle) {
        return new RswEthWstEthReserveOracle(ILK, _feeds(), quorum, MAX_CHANGE, address(rswEth), address(wstEth));
    }

    // ---- construction and the four protocol rates ----

    function test_ConstructorSetsRateAndGetters() public {
        RswEthWstEthReserveOracle o = _oracle(2);
        assertEq(o.currentExchangeRate(), 1.05e18, "initial rate = protocol rate");
        assertEq(o.lastUpdated(), 0, "lastUpdated starts at 0 (as the public oracle)");
        assertEq(o.MAX_CHANGE(), MAX_CHANGE, "MAX_CHANGE");
        assertEq(uint256(o.QUORUM()), 2, "QUORUM");
        assertEq(o.FEED0(), address(feed0), "FEED0");
        assertEq(o.FEED1(), address(feed1), "FEED1");
        assertEq(o.FEED2(), address(feed2), "FEED2");
        assertEq(uint256(o.ILK_INDEX()), 0, "ILK_INDEX");
        assertEq(o.UPDATE_COOLDOWN(), 58 minutes, "cooldown");
    }

    function test_ConstructorDoesNotClampOrConsultFeeds() public {
        // Feeds at 0 would pull the rate down on an update; the first value is the protocol's.
        RswEthWstEthReserveOracle o = _oracle(3);
        assertEq(o.currentExchangeRate(), 1.05e18, "protocol rate, no feed");
    }

    function test_WstEthBaseRates() public {
        MockRateToken weEth = new MockRateToken();
        MockRateToken lrtOracle = new MockRateToken();
        weEth.setRate(1.04e18);
        lrtOracle.setRsETHPrice(1.02e18);
        wstEth.setTokensPerStEth(0.85e18);
        rswEth.setRate(1.01e18);
        address[3] memory none;

        WeEthWstEthReserveOracle a = new WeEthWstEthReserveOracle(ILK, none, 0, MAX_CHANGE, address(weEth), address(wstEth));
        RsEthWstEthReserveOracle b = new RsEthWstEthReserveOracle(ILK, none, 0, MAX_CHANGE, address(lrtOracle), address(wstEth));
        RswEthWstEthReserveOracle c = new RswEthWstEthReserveOracle(ILK, none, 0, MAX_CHANGE, address(rswEth), address(wstEth));

        assertEq(a.currentExchangeRate(), 0.884e18, "weETH: 1.04 * 0.85");
        assertEq(b.currentExchangeRate(), 0.867e18, "rsETH: 1.02 * 0.85");
        assertEq(c.currentExchangeRate(), 0.8585e18, "rswETH: 1.01 * 0.85");
        assertEq(a.getProtocolExchangeRate(), 0.884e18, "getProtocolExchangeRate");
        assertEq(a.WEETH(), address(weEth), "WEETH");
        assertEq(b.LRT_ORACLE(), address(lrtOracle), "LRT_ORACLE");
        assertEq(c.RSWETH(), address(rswEth), "RSWETH");
    }

    function test_EzEthRate() public {
        MockRestakeManager manager = new MockRestakeManager();
        MockRateToken ezEth = new MockRateToken();
        address[3] memory none;

        // No supply yet: Renzo's first mint is 1:1.
        EzEthWethReserveOracle o = new EzEthWethReserveOracle(ILK, none, 0, MAX_CHANGE, address(manager), address(ezEth));
        assertEq(o.currentExchangeRate(), 1e18, "empty supply -> 1.0");

        manager.setTvl(1015e18);
        ezEth.setTotalSupply(1000e18);
        assertEq(o.getProtocolExchangeRate(), 1.015e18, "tvl / supply");
        vm.warp(block.timestamp + 58 minutes);
        o.updateExchangeRate();
        assertEq(o.currentExchangeRate(), 1.015e18, "updated");
    }

    function test_RevertInvalidQuorum() public {
        vm.expectRevert(abi.encodeWithSelector(IReserveOracle.InvalidQuorum.selector, uint8(4)));
        new RswEthWstEthReserveOracle(ILK, _feeds(), 4, MAX_CHANGE, address(rswEth), address(wstEth));
    }

    function test_RevertInvalidFeedLength() public {
        address[3] memory feeds = [address(feed0), address(0), address(feed2)];
        vm.expectRevert(abi.encodeWithSelector(IReserveOracle.InvalidFeedLength.selector, uint256(1)));
        new RswEthWstEthReserveOracle(ILK, feeds, 2, MAX_CHANGE, address(rswEth), address(wstEth));

        address[3] memory none;
        vm.expectRevert(abi.encodeWithSelector(IReserveOracle.InvalidFeedLength.selector, uint256(0)));
        new RswEthWstEthReserveOracle(ILK, none, 1, MAX_CHANGE, address(rswEth), address(wstEth));

        // Feeds beyond the quorum may be empty.
        RswEthWstEthReserveOracle o = new RswEthWstEthReserveOracle(ILK, feeds, 1, MAX_CHANGE, address(rswEth), address(wstEth));
        assertEq(uint256(o.QUORUM()), 1, "quorum 1 with feed1 empty");
    }

    function test_RevertInvalidMaxChange() public {
        vm.expectRevert(abi.encodeWithSelector(IReserveOracle.InvalidMaxChange.selector, uint256(0)));
        new RswEthWstEthReserveOracle(ILK, _feeds(), 1, 0, address(rswEth), address(wstEth));

        vm.expectRevert(abi.encodeWithSelector(IReserveOracle.InvalidMaxChange.selector, RAY + 1));
        new RswEthWstEthReserveOracle(ILK, _feeds(), 1, RAY + 1, address(rswEth), address(wstEth));

        RswEthWstEthReserveOracle o = new RswEthWstEthReserveOracle(ILK, _feeds(), 1, RAY, address(rswEth), address(wstEth));
        assertEq(o.MAX_CHANGE(), RAY, "100% allowed");
    }

    // ---- updates ----

    function test_Cooldown() public {
        vm.warp(1_700_000_000); // a real chain's clock: the first update is allowed at once
        RswEthWstEthReserveOracle o = _oracle(0);
        o.updateExchangeRate();
        uint256 deployedAt = block.timestamp;
        assertEq(o.lastUpdated(), deployedAt, "the first update sets lastUpdated");

        vm.expectRevert(abi.encodeWithSelector(IReserveOracle.UpdateCooldown.selector, deployedAt));
        o.updateExchangeRate();

        vm.warp(deployedAt + 58 minutes - 1);
        vm.expectRevert(abi.encodeWithSelector(IReserveOracle.UpdateCooldown.selector, deployedAt));
        o.updateExchangeRate();

        vm.warp(deployedAt + 58 minutes);
        o.updateExchangeRate();
        assertEq(o.lastUpdated(), deployedAt + 58 minutes, "lastUpdated moves");

        vm.expectRevert(abi.encodeWithSelector(IReserveOracle.UpdateCooldown.selector, deployedAt + 58 minutes));
        o.updateExchangeRate();
    }

    function test_MinRuleFeedsBelowProtocol() public {
        RswEthWstEthReserveOracle o = _oracle(1);
        feed0.setExchangeRate(ILK, 1.04e18);
        vm.warp(block.timestamp + 1 hours);
        vm.expectEmit(false, false, false, true);
        emit UpdateExchangeRate(1.04e18);
        o.updateExchangeRate();
        assertEq(o.currentExchangeRate(), 1.04e18, "feed below protocol wins");
    }

    function test_MinRuleProtocolBelowFeeds() public {
        RswEthWstEthReserveOracle o = _oracle(1);
        feed0.setExchangeRate(ILK, 1.06e18);
        rswEth.setRate(1.055e18);
        vm.warp(block.timestamp + 1 hours);
        o.updateExchangeRate();
        assertEq(o.currentExchangeRate(), 1.055e18, "protocol below feed wins");
    }

    function test_FeedsReadAtTheOraclesIlk() public {
        RswEthWstEthReserveOracle o = new RswEthWstEthReserveOracle(2, _feeds(), 1, MAX_CHANGE, address(rswEth), address(wstEth));
        feed0.setExchangeRate(0, 1.0e18); // another ilk's figure must be ignored
        feed0.setExchangeRate(2, 1.045e18);
        vm.warp(block.timestamp + 1 hours);
        o.updateExchangeRate();
        assertEq(o.currentExchangeRate(), 1.045e18, "ilk 2's feed value");
    }

    function test_QuorumZeroIgnoresFeeds() public {
        RswEthWstEthReserveOracle o = _oracle(0);
        feed0.setExchangeRate(ILK, 1.0e18);
        rswEth.setRate(1.06e18);
        vm.warp(block.timestamp + 1 hours);
        o.updateExchangeRate();
        assertEq(o.currentExchangeRate(), 1.06e18, "protocol rate alone");
    }

    function test_QuorumMeans() public {
        feed0.setExchangeRate(ILK, 1.03e18);
        feed1.setExchangeRate(ILK, 1.04e18);
        feed2.setExchangeRate(ILK, 1.02e18 + 1);
        RswEthWstEthReserveOracle o1 = _oracle(1); // all start at 1.05
        RswEthWstEthReserveOracle o2 = _oracle(2);
        RswEthWstEthReserveOracle o3 = _oracle(3);
        rswEth.setRate(1.07e18);
        vm.warp(block.timestamp + 1 hours);
        o1.updateExchangeRate();
        o2.updateExchangeRate();
        o3.updateExchangeRate();
        assertEq(o1.currentExchangeRate(), 1.03e18, "quorum 1 = feed0");
        assertEq(o2.currentExchangeRate(), 1.035e18, "quorum 2 = mean of feed0, feed1");
        // (1.03 + 1.04 + 1.02 + 1 wei) / 3 = 1.03 + 1/3 wei, floored
        assertEq(o3.currentExchangeRate(), 1.03e18, "quorum 3 = floor of the mean of three");
    }

    function test_ClampUp() public {
        RswEthWstEthReserveOracle o = _oracle(0); // 1.05
        rswEth.setRate(2e18);
        vm.warp(block.timestamp + 1 hours);
        o.updateExchangeRate();
        assertEq(o.currentExchangeRate(), 1.0815e18, "1.05 * 1.03");
        vm.warp(block.timestamp + 1 hours);
        o.updateExchangeRate();
        assertEq(o.currentExchangeRate(), 1.113945e18, "1.0815 * 1.03");
    }

    function test_ClampDown() public {
        RswEthWstEthReserveOracle o = _oracle(1); // 1.05
        feed0.setExchangeRate(ILK, 0.5e18);
        vm.warp(block.timestamp + 1 hours);
        o.updateExchangeRate();
        assertEq(o.currentExchangeRate(), 1.0185e18, "1.05 * 0.97");

        // Protocol rate collapsing to 0 is clamped too.
        rswEth.setRate(0);
        vm.warp(block.timestamp + 1 hours);
        o.updateExchangeRate();
        assertEq(o.currentExchangeRate(), 0.987945e18, "1.0185 * 0.97");
    }

    function test_WithinBandNoClamp() public {
        RswEthWstEthReserveOracle o = _oracle(0);
        rswEth.setRate(1.08e18); // +2.86% < 3%
        vm.warp(block.timestamp + 1 hours);
        o.updateExchangeRate();
        assertEq(o.currentExchangeRate(), 1.08e18, "inside the band");
    }

    function testFuzz_UpdateStaysInBandAndBelowSources(uint256 protocolRate, uint256 feedRate) public {
        protocolRate = bound(protocolRate, 0, 100e18);
        feedRate = bound(feedRate, 0, 100e18);
        RswEthWstEthReserveOracle o = _oracle(1);
        uint256 before = o.currentExchangeRate();
        rswEth.setRate(protocolRate);
        feed0.setExchangeRate(ILK, feedRate);
        vm.warp(block.timestamp + 1 hours);
        o.updateExchangeRate();
        uint256 r = o.currentExchangeRate();
        uint256 band = before * MAX_CHANGE / RAY;
        assertLe(r, before + band, "upper band");
        assertGe(r, before - band, "lower band");
        uint256 lowest = protocolRate < feedRate ? protocolRate : feedRate;
        if (lowest >= before - band && lowest <= before + band) assertEq(r, lowest, "unclamped = min");
    }

    // ---- spot ----

    function test_SpotLtvMath() public {
        MockPriceFeed feed = new MockPriceFeed();
        MockReserveRate reserve = new MockReserveRate();
        SpotOracle s = new SpotOracle(0.8e27, address(reserve), address(feed), 87_000);
        assertEq(s.LTV(), 0.8e27, "LTV");
        assertEq(s.RESERVE_ORACLE(), address(reserve), "RESERVE_ORACLE");

        // market below reserve: 0.8 * 1.01 = 0.808 (RAY)
        feed.set(1.01e18, block.timestamp);
        reserve.set(1.02e18);
        assertEq(s.getPrice(), 1.01e18, "price");
        assertEq(s.getSpot(), 0.808e27, "spot from market price");

        // reserve below market: 0.8 * 1.02 = 0.816
        feed.set(1.05e18, block.timestamp);
        assertEq(s.getSpot(), 0.816e27, "spot from reserve rate");

        // rounding down: 0.93 * (1 + 1 wei)  = 0.93e27 + 0.93e9 exactly, and 1/3 RAY LTV floors
        SpotOracle t = new SpotOracle(RAY / 3, address(reserve), address(feed), 87_000);
        reserve.set(1e18 + 1);
        assertEq(t.getSpot(), (RAY / 3) * (1e27 + 1e9) / RAY, "floor of LTV * rate");
    }

    function test_SpotStalePriceIsZero() public {
        MockPriceFeed feed = new MockPriceFeed();
        MockReserveRate reserve = new MockReserveRate();
        reserve.set(1e18);
        SpotOracle s = new SpotOracle(0.8e27, address(reserve), address(feed), 87_000);

        feed.set(1e18, block.timestamp - 87_000);
        assertEq(s.getPrice(), 1e18, "exactly max age still counts");
        assertEq(s.getSpot(), 0.8e27, "spot at max age");

        feed.set(1e18, block.timestamp - 87_001);
        assertEq(s.getPrice(), 0, "stale price");
        assertEq(s.getSpot(), 0, "stale spot");

        feed.set(1e18, block.timestamp + 10);
        assertEq(s.getPrice(), 1e18, "future timestamp is not stale");
    }

    function test_RevertInvalidLtv() public {
        vm.expectRevert(abi.encodeWithSelector(ISpotOracle.InvalidLtv.selector, RAY + 1));
        new SpotOracle(RAY + 1, address(1), address(2), 87_000);
        SpotOracle s = new SpotOracle(RAY, address(1), address(2), 87_000);
        assertEq(s.LTV(), RAY, "LTV of 1 allowed");
    }
}
