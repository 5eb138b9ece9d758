// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {TestBase} from "./utils/TestBase.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IBalancerVaultLike} from "../../ion_cli/devnet/contracts/interfaces/IStandIns.sol";
import {DevToken} from "../../ion_cli/devnet/contracts/standins/DevToken.sol";
import {WETH9} from "../../ion_cli/devnet/contracts/standins/WETH9.sol";
import {StEth} from "../../ion_cli/devnet/contracts/standins/StEth.sol";
import {WstEth} from "../../ion_cli/devnet/contracts/standins/WstEth.sol";
import {EEth} from "../../plugins/ion-weeth/ion_adapter_weeth/contracts/EEth.sol";
import {EtherFiLiquidityPool} from "../../plugins/ion-weeth/ion_adapter_weeth/contracts/EtherFiLiquidityPool.sol";
import {WeEth} from "../../plugins/ion-weeth/ion_adapter_weeth/contracts/WeEth.sol";
import {EzEth} from "../../plugins/ion-ezeth/ion_adapter_ezeth/contracts/EzEth.sol";
import {RestakeManager} from "../../plugins/ion-ezeth/ion_adapter_ezeth/contracts/RestakeManager.sol";
import {RenzoOracle} from "../../plugins/ion-ezeth/ion_adapter_ezeth/contracts/RenzoOracle.sol";
import {RsEth} from "../../plugins/ion-rseth/ion_adapter_rseth/contracts/RsEth.sol";
import {LRTOracle} from "../../plugins/ion-rseth/ion_adapter_rseth/contracts/LRTOracle.sol";
import {LRTDepositPool} from "../../plugins/ion-rseth/ion_adapter_rseth/contracts/LRTDepositPool.sol";
import {RswEth} from "../../plugins/ion-rsweth/ion_adapter_rsweth/contracts/RswEth.sol";
import {MarketPriceFeed} from "../../ion_cli/devnet/contracts/standins/MarketPriceFeed.sol";
import {DevUniswapV3Pool} from "../../ion_cli/devnet/contracts/standins/DevUniswapV3Pool.sol";
import {DevBalancerVault} from "../../ion_cli/devnet/contracts/standins/DevBalancerVault.sol";
import {DevQuoterV2} from "../../ion_cli/devnet/contracts/standins/DevQuoterV2.sol";
import {DevSwapRouter} from "../../ion_cli/devnet/contracts/standins/DevSwapRouter.sol";
import {DevUniswapPoolIndex} from "../../ion_cli/devnet/contracts/standins/DevUniswapPoolIndex.sol";
import {BalancerQuery} from "./utils/BalancerQuery.sol";

contract StandInsTest is TestBase {
    using BalancerQuery for DevBalancerVault;

    address internal constant USER = address(0xBEEF);

    // ---------------------------------------------------------------- LST/LRT mint at the rate

    function test_Weth9WrapsAndUnwraps() public {
        WETH9 weth = new WETH9();
        vm.deal(USER, 5 ether);
        vm.startPrank(USER);
        weth.deposit{value: 3 ether}();
        (bool ok,) = address(weth).call{value: 1 ether}("");
        assertTrue(ok, "receive wraps");
        weth.withdraw(2 ether);
        vm.stopPrank();
        assertEq(weth.balanceOf(USER), 2 ether, "weth");
        assertEq(USER.balance, 3 ether, "eth");
    }

    function test_WstEthMintsFromEthAtTheRate() public {
        StEth st = new StEth(address(this));
        WstEth wst = new WstEth(address(st), address(this));
        wst.setStEthPerToken(1.17e18);
        assertEq(wst.tokensPerStEth(), uint256(1e36) / 1.17e18, "tokensPerStEth");

        vm.deal(USER, 10 ether);
        vm.prank(USER);
        (bool ok,) = address(wst).call{value: 10 ether}("");
        assertTrue(ok, "stake and wrap");
        assertEq(wst.balanceOf(USER), uint256(10 ether) * 1e18 / 1.17e18, "wstETH minted, rounded down");
        assertEq(address(st).balance, 10 ether, "stETH keeps the ETH");

        // unwrap pays out of the stETH held, at the rate
        uint256 bal = wst.balanceOf(USER);
        vm.prank(USER);
        uint256 out = wst.unwrap(bal);
        assertEq(out, bal * 1.17e18 / 1e18, "unwrap amount");
        assertEq(st.balanceOf(USER), out, "stETH received");
    }

    function _etherFi(uint256 staked, uint256 rate)
        internal
        returns (EEth eeth, EtherFiLiquidityPool lp, WeEth we)
    {
        eeth = new EEth(address(this));
        lp = new EtherFiLiquidityPool(address(eeth), address(this));
        we = new WeEth(address(eeth), address(lp), address(this));
        eeth.setLiquidityPool(address(lp));
        lp.depositOutOfLp(address(this), staked);
        lp.setRate(rate);
    }

    function test_WeEthRateIsThePoolsTotals() public {
        (EEth eeth, EtherFiLiquidityPool lp, WeEth we) = _etherFi(1000 ether, 1.04e18);
        assertEq(we.getRate(), 1.04e18, "getRate = P / S");
        assertEq(lp.getTotalPooledEther(), 1040 ether, "P");
        assertEq(eeth.totalShares(), 1000 ether, "S");
        assertEq(eeth.balanceOf(address(this)), 1040 ether, "a share is worth P / S");
        assertEq(we.getWeETHByeETH(1.04 ether), 1 ether, "sharesForAmount");
        assertEq(we.getEETHByWeETH(1 ether), 1.04 ether, "amountForShare");
    }

    function test_WeEthMintPathWithShares() public {
        (EEth eeth, EtherFiLiquidityPool lp, WeEth we) = _etherFi(1000 ether, 1.04e18);
        uint256 p = lp.getTotalPooledEther();
        uint256 s = eeth.totalShares();

        vm.deal(USER, 7 ether);
        vm.startPrank(USER);
        uint256 shares = lp.deposit{value: 7 ether}(); // deposit(): payable, no arguments
        assertEq(shares, uint256(7 ether) * s / p, "shares = floor(amount * S / P), totals before");
        uint256 p2 = lp.getTotalPooledEther();
        uint256 s2 = eeth.totalShares();
        assertEq(p2, p + 7 ether, "P grows by the deposit");
        assertEq(s2, s + shares, "S grows by the shares");
        uint256 e = eeth.balanceOf(USER);
        assertEq(e, shares * p2 / s2, "balance = floor(shares * P' / S')");
        assertLe(7 ether - e, 2, "a wei or two below the deposit");
        eeth.approve(address(we), e);
        uint256 w = we.wrap(e);
        vm.stopPrank();
        assertEq(w, e * s2 / p2, "wrap mints floor(x * S' / P')");
        assertEq(we.balanceOf(USER), w, "weETH");
        assertEq(address(lp).balance, 7 ether, "pool keeps the ETH");
        assertEq(lp.totalValueInLp(), 7 ether, "in the pool");
    }

    function test_DepositWithReferralMintsTheSameShares() public {
        (, EtherFiLiquidityPool lp,) = _etherFi(1000 ether, 1.07e18);
        vm.deal(USER, 10 ether);
        vm.startPrank(USER);
        uint256 a = lp.deposit{value: 3 ether}(address(0));
        uint256 b = lp.deposit{value: 3 ether}();
        vm.stopPrank();
        assertLe(a > b ? a - b : b - a, 1, "same price either way (b after a deposit)");
    }

    function test_OnlyThePoolMintsShares() public {
        EEth eeth = new EEth(address(this));
        EtherFiLiquidityPool lp = new EtherFiLiquidityPool(address(eeth), address(this));
        vm.deal(USER, 1 ether);
        vm.prank(USER);
        vm.expectRevert(abi.encodeWithSelector(EEth.NotLiquidityPool.selector, address(lp)));
        lp.deposit{value: 1 ether}();

        eeth.setLiquidityPool(address(lp));
        vm.expectRevert(EEth.PoolAlreadySet.selector);
        eeth.setLiquidityPool(USER);
        vm.expectRevert(abi.encodeWithSelector(EEth.NotLiquidityPool.selector, address(this)));
        eeth.mintShares(USER, 1);

        vm.prank(USER);
        vm.expectRevert();
        lp.setRate(1e18); // devnet admin only
    }

    function test_EtherFiFirstDepositIsOneToOne() public {
        EEth eeth = new EEth(address(this));
        EtherFiLiquidityPool lp = new EtherFiLiquidityPool(address(eeth), address(this));
        eeth.setLiquidityPool(address(lp));
        vm.expectRevert(EtherFiLiquidityPool.NoShares.selector);
        lp.setRate(1e18);
        vm.deal(USER, 2 ether);
        vm.prank(USER);
        assertEq(lp.deposit{value: 2 ether}(), 2 ether, "an empty pool mints the amount");
    }

    function test_SetRateIsExact(uint256 staked, uint256 rate) public {
        staked = bound(staked, 1 ether, 10_000_000 ether);
        rate = bound(rate, 0.5e18, 3e18);
        (,, WeEth we) = _etherFi(staked, 1e18);
        EtherFiLiquidityPool(we.liquidityPool()).setRate(rate);
        assertEq(we.getRate(), rate, "P / S is the rate asked for");
    }

    /// Renzo's calculateMintAmount, written out: two floors, a few wei below proportional.
    function _renzoMint(uint256 value, uint256 added, uint256 supply) internal pure returns (uint256) {
        if (value == 0 || supply == 0) return added;
        uint256 inflation = 1e18 * added / (value + added);
        return supply * 1e18 / (1e18 - inflation) - supply;
    }

    function test_EzEthRateRoundTripsThroughTvl(uint256 rate, uint256 deposit) public {
        rate = bound(rate, 0.5e18, 3e18);
        deposit = bound(deposit, 1 ether, 1_000_000 ether);
        EzEth ez = new EzEth(address(this));
        RestakeManager rm = new RestakeManager(address(ez), address(this));
        ez.setMinter(address(rm), true);
        rm.setRate(rate);
        ez.mint(address(this), 50_000 ether); // the protocol's existing supply

        (,, uint256 tvlBefore) = rm.calculateTVLs();
        vm.deal(USER, deposit);
        vm.prank(USER);
        rm.depositETH{value: deposit}();
        uint256 minted = ez.balanceOf(USER);
        assertEq(minted, _renzoMint(tvlBefore, deposit, 50_000 ether), "Renzo's mint arithmetic");
        assertLe(minted, deposit * 1e18 / rate, "never above the proportional figure");
        (,, uint256 tvl) = rm.calculateTVLs();
        assertEq(tvl * 1e18 / ez.totalSupply(), rate, "mainnet formula gives the set rate");
    }

    function test_EzEthReferralOverloadAndRenzoOracle() public {
        EzEth ez = new EzEth(address(this));
        RestakeManager rm = new RestakeManager(address(ez), address(this));
        ez.setMinter(address(rm), true);
        rm.setRate(1.01e18);
        vm.deal(USER, 4 ether);
        vm.prank(USER);
        rm.depositETH{value: 2 ether}(42);
        assertEq(ez.balanceOf(USER), 2 ether, "an empty protocol mints 1:1, as Renzo's");
        (,, uint256 tvl) = rm.calculateTVLs();
        RenzoOracle ro = new RenzoOracle(address(this));
        uint256 preview = ro.calculateMintAmount(tvl, 2 ether, ez.totalSupply());
        vm.prank(USER);
        rm.depositETH{value: 2 ether}();
        assertEq(ez.balanceOf(USER) - 2 ether, preview, "the oracle's preview is the mint");

        assertEq(ro.calculateMintAmount(0, 3 ether, 0), 3 ether, "empty protocol mints 1:1");
        uint256 proportional = ro.calculateMintAmount(202 ether, 101 ether, 200 ether);
        assertEq(proportional, _renzoMint(202 ether, 101 ether, 200 ether), "Renzo's arithmetic");
        assertTrue(proportional < 100 ether && proportional > 100 ether - 1e6, "a few wei below 100");
        vm.expectRevert(RenzoOracle.InvalidTokenAmount.selector);
        ro.calculateMintAmount(1e30, 1, 1);
    }

    function test_RsEthDepositAtOraclePrice() public {
        RsEth rs = new RsEth(address(this));
        LRTOracle oracle = new LRTOracle(address(this));
        LRTDepositPool dp = new LRTDepositPool(address(rs), address(oracle), address(this));
        rs.setMinter(address(dp), true);
        oracle.setRsETHPrice(1.02e18);
        oracle.updateRSETHPrice(); // anyone; keeps the set price
        assertEq(oracle.rsETHPrice(), 1.02e18, "price kept");

        uint256 expected = uint256(3 ether) * 1e18 / 1.02e18;
        assertEq(dp.getRsETHAmountToMint(dp.ETH_TOKEN(), 3 ether), expected, "preview");
        vm.deal(USER, 6 ether);
        vm.prank(USER);
        dp.depositETH{value: 3 ether}(expected, "ref");
        assertEq(rs.balanceOf(USER), expected, "minted");
        assertEq(address(dp).balance, 3 ether, "deposit pool keeps the ETH");

        vm.prank(USER);
        vm.expectRevert(LRTDepositPool.MinimumAmountToReceiveNotMet.selector);
        dp.depositETH{value: 3 ether}(expected + 1, "ref");
    }

    function test_RswEthDepositAtRate() public {
        RswEth rsw = new RswEth(address(this));
        rsw.setRate(1.03e18);
        assertEq(rsw.rswETHToETHRate(), 1.03e18, "rate");
        assertEq(rsw.ethToRswETHRate(), uint256(1e36) / 1.03e18, "inverse");
        vm.deal(USER, 4 ether);
        vm.startPrank(USER);
        rsw.deposit{value: 1 ether}();
        rsw.depositWithReferral{value: 3 ether}(address(0xCAFE));
        vm.stopPrank();
        // Swell's arithmetic: value * floor(1e36 / rate) / 1e18, the inverse rounded first.
        uint256 inverse = uint256(1e36) / 1.03e18;
        uint256 expected = uint256(1 ether) * inverse / 1e18 + uint256(3 ether) * inverse / 1e18;
        assertEq(rsw.balanceOf(USER), expected, "minted");
        assertTrue(expected < uint256(4 ether) * 1e18 / 1.03e18, "a wei below floor(eth / rate)");
        assertEq(address(rsw).balance, 4 ether, "keeps the ETH");

        vm.prank(USER);
        vm.expectRevert(abi.encodeWithSignature("OwnableUnauthorizedAccount(address)", USER));
        rsw.setRate(2e18);
    }

    function test_MarketPriceFeedFreshAndStale() public {
        vm.warp(1_700_000_000);
        MarketPriceFeed feed = new MarketPriceFeed(0.98e18, address(this));
        (uint256 p, uint256 t) = feed.latestPrice();
        assertEq(p, 0.98e18, "price");
        assertEq(t, block.timestamp, "fresh");
        feed.setStale(true);
        (, t) = feed.latestPrice();
        assertLe(t + 87_001, block.timestamp, "stale: older than 87,000 s");
        feed.setStale(false);
        feed.setPrice(1e18);
        (p, t) = feed.latestPrice();
        assertEq(p, 1e18, "new price");
        assertEq(t, block.timestamp, "fresh again");
    }

    // ---------------------------------------------------------------- Uniswap-V3-style pool

    DevUniswapV3Pool internal pool;
    WETH9 internal tokenA; // token0
    WETH9 internal tokenB; // token1
    /// How much of what is owed the callbacks pay (tests of the pool's balance checks).
    uint256 internal payShortBy;
    int256 internal seenDelta0;
    int256 internal seenDelta1;
    uint256 internal seenFee0;
    uint256 internal seenFee1;
    uint256 internal seenBalanceAtCallback;

    function _pool(uint24 fee, uint256 price) internal {
        tokenA = new WETH9();
        tokenB = new WETH9();
        pool = new DevUniswapV3Pool(address(tokenA), address(tokenB), fee, price);
        vm.deal(address(this), 4000 ether);
        tokenA.deposit{value: 2000 ether}();
        tokenB.deposit{value: 2000 ether}();
        tokenA.transfer(address(pool), 1000 ether);
        tokenB.transfer(address(pool), 1000 ether);
    }

    function _quoter() internal returns (DevQuoterV2) {
        address[] memory pools = new address[](1);
        pools[0] = address(pool);
        return new DevQuoterV2(pools);
    }

    function _quoteOut(address tokenIn, address tokenOut, uint256 amountOut) internal returns (uint256 amountIn) {
        (amountIn,,,) = _quoter().quoteExactOutputSingle(
            DevQuoterV2.QuoteExactOutputSingleParams(tokenIn, tokenOut, amountOut, pool.fee(), 0)
        );
    }

    function _quoteIn(address tokenIn, address tokenOut, uint256 amountIn) internal returns (uint256 amountOut) {
        (amountOut,,,) = _quoter().quoteExactInputSingle(
            DevQuoterV2.QuoteExactInputSingleParams(tokenIn, tokenOut, amountIn, pool.fee(), 0)
        );
    }

    function test_QuoterMovesNothingAndMatchesTheSwap() public {
        _pool(100, 1.15e18);
        uint256 poolA = tokenA.balanceOf(address(pool));
        uint256 quoted = _quoteIn(address(tokenA), address(tokenB), 10 ether);
        assertEq(tokenA.balanceOf(address(pool)), poolA, "a quote moves no token");
        (, int256 a1) = pool.swap(address(this), true, 10 ether, 0, "");
        assertEq(quoted, uint256(-a1), "quote = swap");
        (uint160 sqrtPriceX96, int24 tick,,,,, bool unlocked) = pool.slot0();
        // sqrt(1.15) * 2^96, and 1.0001^1397 <= 1.15 < 1.0001^1398
        uint256 squared = uint256(sqrtPriceX96) * uint256(sqrtPriceX96);
        assertApproxEq((squared * 1e18) >> 192, 1.15e18, 1, "sqrt price squared is the price");
        assertEq(int256(tick), 1397, "tick");
        assertTrue(unlocked, "unlocked");
    }

    function test_QuoterRejectsUnknownPools() public {
        _pool(100, 1e18);
        DevQuoterV2 q = _quoter();
        vm.expectRevert(
            abi.encodeWithSelector(DevUniswapPoolIndex.UnknownPool.selector, address(tokenA), address(tokenB), uint24(500))
        );
        q.quoteExactInputSingle(DevQuoterV2.QuoteExactInputSingleParams(address(tokenA), address(tokenB), 1 ether, 500, 0));
        vm.expectRevert(abi.encodeWithSelector(DevUniswapPoolIndex.CallbackNotFromPool.selector, address(this)));
        q.uniswapV3SwapCallback(1, -1, abi.encode(true));
    }

    function test_RouterExactInputAndOutputSingle() public {
        _pool(100, 1.15e18);
        address[] memory pools = new address[](1);
        pools[0] = address(pool);
        DevSwapRouter router = new DevSwapRouter(pools);
        tokenA.approve(address(router), type(uint256).max);
        tokenB.approve(address(router), type(uint256).max);

        uint256 expectedOut = _quoteIn(address(tokenA), address(tokenB), 10 ether);
        uint256 out = router.exactInputSingle(
            DevSwapRouter.ExactInputSingleParams(address(tokenA), address(tokenB), 100, USER, 10 ether, expectedOut, 0)
        );
        assertEq(out, expectedOut, "exact input");
        assertEq(tokenB.balanceOf(USER), expectedOut, "to the recipient");

        uint256 expectedIn = _quoteOut(address(tokenB), address(tokenA), 3 ether);
        uint256 paid = router.exactOutputSingle(
            DevSwapRouter.ExactOutputSingleParams(address(tokenB), address(tokenA), 100, USER, 3 ether, expectedIn, 0)
        );
        assertEq(paid, expectedIn, "exact output");
        assertEq(tokenA.balanceOf(USER), 3 ether, "exact amount out");

        vm.expectRevert(abi.encodeWithSelector(DevSwapRouter.TooMuchRequested.selector, expectedIn, expectedIn - 1));
        router.exactOutputSingle(
            DevSwapRouter.ExactOutputSingleParams(address(tokenB), address(tokenA), 100, USER, 3 ether, expectedIn - 1, 0)
        );
        vm.expectRevert(abi.encodeWithSelector(DevSwapRouter.TooLittleReceived.selector, expectedOut, expectedOut + 1));
        router.exactInputSingle(
            DevSwapRouter.ExactInputSingleParams(address(tokenA), address(tokenB), 100, USER, 10 ether, expectedOut + 1, 0)
        );
    }

    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        seenDelta0 = amount0Delta;
        seenDelta1 = amount1Delta;
        seenBalanceAtCallback = tokenB.balanceOf(address(this));
        if (amount0Delta > 0) tokenA.transfer(msg.sender, uint256(amount0Delta) - payShortBy);
        if (amount1Delta > 0) tokenB.transfer(msg.sender, uint256(amount1Delta) - payShortBy);
    }

    function uniswapV3FlashCallback(uint256 fee0, uint256 fee1, bytes calldata data) external {
        seenFee0 = fee0;
        seenFee1 = fee1;
        (uint256 a0, uint256 a1) = abi.decode(data, (uint256, uint256));
        tokenA.transfer(msg.sender, a0 + fee0 - payShortBy);
        tokenB.transfer(msg.sender, a1 + fee1);
    }

    function test_PoolExactInputZeroForOne() public {
        _pool(100, 1.15e18); // 1 token0 = 1.15 token1, 0.01%
        uint256 b1 = tokenB.balanceOf(address(this));
        (int256 a0, int256 a1) = pool.swap(address(this), true, 10 ether, 0, "");
        uint256 expectedOut = (uint256(10 ether) * 999_900 / 1e6) * 1.15e18 / 1e18;
        assertEq(a0, int256(10 ether), "amount0 in");
        assertEq(a1, -int256(expectedOut), "amount1 out");
        assertEq(seenDelta0, a0, "callback delta0");
        assertEq(seenDelta1, a1, "callback delta1");
        assertEq(seenBalanceAtCallback, b1 + expectedOut, "output sent before the callback");
        assertEq(tokenB.balanceOf(address(this)), b1 + expectedOut, "received");
    }

    function test_PoolExactOutputOneForZeroRoundsUp() public {
        _pool(100, 1.15e18);
        uint256 out = 3 ether + 7; // token0 out, pay token1
        (int256 a0, int256 a1) = pool.swap(address(this), false, -int256(out), 0, "");
        uint256 inLessFee = (out * 1.15e18 + 1e18 - 1) / 1e18;
        uint256 expectedIn = (inLessFee * 1e6 + 999_900 - 1) / 999_900;
        assertEq(a0, -int256(out), "exact output");
        assertEq(a1, int256(expectedIn), "input rounded up twice");
        assertEq(_quoteOut(address(tokenB), address(tokenA), out), expectedIn, "quote");
    }

    function test_PoolExactOutputNeverUnderpays(uint256 out, uint256 price, uint24 fee, bool zeroForOne) public {
        price = bound(price, 0.5e18, 2e18);
        fee = uint24(bound(fee, 0, 10_000));
        out = bound(out, 1, 100 ether);
        _pool(fee, price);
        (address tokenIn, address tokenOut) =
            zeroForOne ? (address(tokenA), address(tokenB)) : (address(tokenB), address(tokenA));
        uint256 amountIn = _quoteOut(tokenIn, tokenOut, out);
        // Sending that input as an exact-input swap yields at least the requested output.
        assertGe(_quoteIn(tokenIn, tokenOut, amountIn), out, "pool-favoured rounding round-trips");
    }

    function test_PoolRevertsWhenInputShort() public {
        _pool(100, 1e18);
        payShortBy = 1;
        vm.expectRevert(
            abi.encodeWithSelector(DevUniswapV3Pool.InsufficientInputAmount.selector, 1 ether - 1, 1 ether)
        );
        pool.swap(address(this), true, 1 ether, 0, "");
    }

    function test_PoolRevertsBeyondLiquidity() public {
        _pool(0, 1e18);
        vm.expectRevert(
            abi.encodeWithSelector(DevUniswapV3Pool.InsufficientLiquidity.selector, address(tokenB), 1000 ether, 1001 ether)
        );
        pool.swap(address(this), true, -1001 ether, 0, "");
    }

    function test_PoolFlashChargesCeilFee() public {
        _pool(100, 1e18);
        uint256 a0 = 12_345_678_901;
        uint256 a1 = 5 ether;
        uint256 before0 = tokenA.balanceOf(address(pool));
        pool.flash(address(this), a0, a1, abi.encode(a0, a1));
        assertEq(seenFee0, (a0 * 100 + 1e6 - 1) / 1e6, "fee0 rounded up");
        assertEq(seenFee1, uint256(5 ether) / 10_000, "fee1");
        assertEq(tokenA.balanceOf(address(pool)), before0 + seenFee0, "pool keeps the fee");
    }

    function test_PoolFlashRevertsWhenNotRepaid() public {
        _pool(100, 1e18);
        payShortBy = 1;
        uint256 fee0 = 1 ether / 10_000;
        vm.expectRevert(
            abi.encodeWithSelector(
                DevUniswapV3Pool.FlashNotRepaid.selector, address(tokenA), 1000 ether + fee0 - 1, 1000 ether + fee0
            )
        );
        pool.flash(address(this), 1 ether, 0, abi.encode(uint256(1 ether), uint256(0)));
    }

    // ---------------------------------------------------------------- Balancer-style vault

    bytes32 internal constant POOL_ID = keccak256("ezETH/WETH");

    function _vault() internal returns (DevBalancerVault vault) {
        tokenA = new WETH9(); // "ezETH"
        tokenB = new WETH9(); // "WETH"
        DevBalancerVault.PoolSpec[] memory specs = new DevBalancerVault.PoolSpec[](1);
        specs[0] = DevBalancerVault.PoolSpec(POOL_ID, address(tokenA), address(tokenB), 1.02e18, 0.0004e18);
        vault = new DevBalancerVault(specs);
        vm.deal(address(this), 4000 ether);
        tokenA.deposit{value: 2000 ether}();
        tokenB.deposit{value: 2000 ether}();
        tokenA.transfer(address(vault), 1000 ether);
        tokenB.transfer(address(vault), 1000 ether);
        tokenA.approve(address(vault), type(uint256).max);
        tokenB.approve(address(vault), type(uint256).max);
    }

    function _single(IBalancerVaultLike.SwapKind kind, address tokenIn, address tokenOut, uint256 amount)
        internal
        pure
        returns (IBalancerVaultLike.SingleSwap memory)
    {
        return IBalancerVaultLike.SingleSwap(POOL_ID, kind, tokenIn, tokenOut, amount, "");
    }

    function _funds() internal view returns (IBalancerVaultLike.FundManagement memory) {
        return IBalancerVaultLike.FundManagement(address(this), false, USER, false);
    }

    function test_VaultGivenOutBuysExactCollateral() public {
        DevBalancerVault vault = _vault();
        // buy 10 "ezETH" (A) with "WETH" (B): in = ceil(ceil(10 * 1.02) / (1 - 0.0004))
        IBalancerVaultLike.SingleSwap memory s =
            _single(IBalancerVaultLike.SwapKind.GIVEN_OUT, address(tokenB), address(tokenA), 10 ether);
        uint256 expectedIn = (uint256(10.2 ether) * 1e18 + 0.9996e18 - 1) / 0.9996e18;
        assertEq(vault.query(s), expectedIn, "query");
        uint256 before = tokenB.balanceOf(address(this));
        uint256 paid = vault.swap(s, _funds(), expectedIn, block.timestamp);
        assertEq(paid, expectedIn, "returns the input");
        assertEq(before - tokenB.balanceOf(address(this)), expectedIn, "pulled from sender");
        assertEq(tokenA.balanceOf(USER), 10 ether, "exact output to recipient");

        vm.expectRevert(abi.encodeWithSelector(DevBalancerVault.SwapLimit.selector, expectedIn, expectedIn - 1));
        vault.swap(s, _funds(), expectedIn - 1, block.timestamp);
    }

    function test_VaultGivenInSellsCollateral() public {
        DevBalancerVault vault = _vault();
        IBalancerVaultLike.SingleSwap memory s =
            _single(IBalancerVaultLike.SwapKind.GIVEN_IN, address(tokenA), address(tokenB), 10 ether);
        uint256 fee = uint256(10 ether) * 0.0004e18 / 1e18;
        uint256 expectedOut = (10 ether - fee) * 1.02e18 / 1e18;
        assertEq(vault.query(s), expectedOut, "query");
        assertEq(vault.swap(s, _funds(), expectedOut, block.timestamp), expectedOut, "out");
        assertEq(tokenB.balanceOf(USER), expectedOut, "recipient");

        vm.expectRevert(abi.encodeWithSelector(DevBalancerVault.SwapLimit.selector, expectedOut, expectedOut + 1));
        vault.swap(s, _funds(), expectedOut + 1, block.timestamp);
    }

    function test_VaultChecksDeadlineSenderAndPool() public {
        DevBalancerVault vault = _vault();
        vm.warp(1000);
        IBalancerVaultLike.SingleSwap memory s =
            _single(IBalancerVaultLike.SwapKind.GIVEN_IN, address(tokenA), address(tokenB), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(DevBalancerVault.SwapDeadline.selector, 999));
        vault.swap(s, _funds(), 0, 999);

        vm.prank(USER);
        vm.expectRevert(abi.encodeWithSelector(DevBalancerVault.SenderNotCaller.selector, address(this), USER));
        vault.swap(s, _funds(), 0, 1000);

        s.poolId = bytes32(uint256(1));
        vm.expectRevert(abi.encodeWithSelector(DevBalancerVault.PoolNotRegistered.selector, bytes32(uint256(1))));
        vault.swap(s, _funds(), 0, 1000);
    }

    function test_VaultBatchQueryChainsSteps() public {
        DevBalancerVault vault = _vault();
        // "WETH" -> "ezETH" -> "WETH": the second step takes the first step's output (amount 0).
        IBalancerVaultLike.BatchSwapStep[] memory steps = new IBalancerVaultLike.BatchSwapStep[](2);
        steps[0] = IBalancerVaultLike.BatchSwapStep(POOL_ID, 0, 1, 10 ether, "");
        steps[1] = IBalancerVaultLike.BatchSwapStep(POOL_ID, 1, 0, 0, "");
        address[] memory assets = new address[](2);
        (assets[0], assets[1]) = (address(tokenB), address(tokenA));
        int256[] memory deltas = vault.queryBatchSwap(IBalancerVaultLike.SwapKind.GIVEN_IN, steps, assets, _funds());
        uint256 aOut = vault.query(_single(IBalancerVaultLike.SwapKind.GIVEN_IN, address(tokenB), address(tokenA), 10 ether));
        uint256 bBack = vault.query(_single(IBalancerVaultLike.SwapKind.GIVEN_IN, address(tokenA), address(tokenB), aOut));
        assertEq(deltas[0], int256(10 ether) - int256(bBack), "WETH: in, then back out");
        assertEq(deltas[1], 0, "ezETH: out, then in");
        assertTrue(bBack < 10 ether, "two fees");
    }

    receive() external payable {}
}
