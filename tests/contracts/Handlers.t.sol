// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {HandlersFixture} from "./HandlersFixture.sol";
import {IIonPool} from "../../ion_cli/devnet/contracts/interfaces/IIonPool.sol";
import {IWhitelist} from "../../ion_cli/devnet/contracts/interfaces/IWhitelist.sol";
import {IonPool} from "../../ion_cli/devnet/contracts/IonPool.sol";
import {GemJoin} from "../../ion_cli/devnet/contracts/GemJoin.sol";
import {EEth} from "../../plugins/ion-weeth/ion_adapter_weeth/contracts/EEth.sol";
import {EtherFiLiquidityPool} from "../../plugins/ion-weeth/ion_adapter_weeth/contracts/EtherFiLiquidityPool.sol";
import {WeEth} from "../../plugins/ion-weeth/ion_adapter_weeth/contracts/WeEth.sol";
import {RsEth} from "../../plugins/ion-rseth/ion_adapter_rseth/contracts/RsEth.sol";
import {LRTOracle} from "../../plugins/ion-rseth/ion_adapter_rseth/contracts/LRTOracle.sol";
import {LRTDepositPool} from "../../plugins/ion-rseth/ion_adapter_rseth/contracts/LRTDepositPool.sol";
import {RswEth} from "../../plugins/ion-rsweth/ion_adapter_rsweth/contracts/RswEth.sol";
import {DevUniswapV3Pool} from "../../ion_cli/devnet/contracts/standins/DevUniswapV3Pool.sol";
import {IonHandlerBase} from "../../ion_cli/devnet/contracts/handlers/IonHandlerBase.sol";
import {UniswapFlashswapDirectMintHandler} from "../../ion_cli/devnet/contracts/handlers/UniswapFlashswapDirectMintHandler.sol";
import {WeEthHandler} from "../../plugins/ion-weeth/ion_adapter_weeth/contracts/WeEthHandler.sol";
import {RsEthHandler} from "../../plugins/ion-rseth/ion_adapter_rseth/contracts/RsEthHandler.sol";
import {RswEthHandler} from "../../plugins/ion-rsweth/ion_adapter_rsweth/contracts/RswEthHandler.sol";

/// Test-only: reads the handler's internal token-order flag (the public handler has no getter).
contract RswEthHandlerProbe is RswEthHandler {
    constructor(address p, address j, address w, address u, address s, address e, address r)
        RswEthHandler(p, j, w, u, s, e, r)
    {}

    function wethIsToken0() external view returns (bool) {
        return WETH_IS_TOKEN0;
    }
}

/// IonHandlerBase flows and the flash-swap direct-mint handlers, end to end against the real
/// IonPool, GemJoin, Whitelist and InterestRate.
contract HandlersTest is HandlersFixture {
    uint256 internal constant WEETH_RATE = 1.05e18;

    EEth internal eEth;
    EtherFiLiquidityPool internal etherFi;
    WeEth internal weEth;
    IonPool internal pool;
    GemJoin internal join;
    WeEthHandler internal handler;

    function setUp() public override {
        super.setUp();
        eEth = new EEth(address(this));
        etherFi = new EtherFiLiquidityPool(address(eEth), address(this));
        weEth = new WeEth(address(eEth), address(etherFi), address(this));
        eEth.setLiquidityPool(address(etherFi));
        etherFi.depositOutOfLp(address(this), 100_000 ether); // the validators' stake
        etherFi.setRate(WEETH_RATE);
        // spot = LTV 0.8 * 1.05 / 1.15 wstETH per weETH
        (pool, join) = _market(address(weEth), address(wstEth), 0.73e27, 1);
        handler = new WeEthHandler(
            address(pool), address(join), address(wl), address(uniPool), address(wstEth), address(weth), address(etherFi), address(weEth)
        );
        wl.approveProtocolWhitelist(address(handler));
        _optIn(USER, pool, address(handler), address(weEth));
        _optIn(OTHER, pool, address(handler), address(weEth));
        _fund(address(weEth), USER, 100 ether);

        // Someone else's debt makes the rate grow, so the tests below see rate != RAY.
        _fund(address(weEth), OTHER, 100 ether);
        vm.prank(OTHER);
        handler.depositAndBorrow(100 ether, 50 ether, noProof);
        vm.warp(block.timestamp + 30 days);
    }

    // ---------------------------------------------------------------- IonHandlerBase

    function test_DepositAndBorrow() public {
        uint256 rate = pool.rate(0);
        assertTrue(rate > RAY, "rate moved");
        vm.prank(USER);
        handler.depositAndBorrow(10 ether, 5 ether, noProof);

        (uint256 c, uint256 nd) = pool.vault(0, USER);
        assertEq(c, 10 ether, "collateral");
        assertEq(nd, uint256(5 ether) * RAY / rate, "nd = floor(B * RAY / rate)");
        assertEq(wstEth.balanceOf(USER), nd * rate / RAY, "received floor(nd * rate / RAY)");
        assertApproxEq(wstEth.balanceOf(USER), 5 ether, 2, "about what was asked");
        assertEq(weEth.balanceOf(USER), 90 ether, "collateral pulled");
        _assertHandlerEmpty();
    }

    function test_RepayAndWithdrawPullsOnlyWhatThePoolTakes() public {
        vm.prank(USER);
        handler.depositAndBorrow(10 ether, 5 ether, noProof);
        vm.warp(block.timestamp + 10 days);
        uint256 rate = pool.rate(0);
        uint256 ndBefore = pool.normalizedDebt(0, USER);
        uint256 balanceBefore = wstEth.balanceOf(USER);

        vm.prank(USER);
        handler.repayAndWithdraw(2 ether, 3 ether);

        uint256 repaidNd = uint256(2 ether) * RAY / rate;
        assertEq(pool.normalizedDebt(0, USER), ndBefore - repaidNd, "nd repaid = floor(debt * RAY / rate)");
        assertEq(balanceBefore - wstEth.balanceOf(USER), _owed(repaidNd, rate), "paid only what the pool took");
        assertLe(_owed(repaidNd, rate), 2 ether, "never more than asked");
        assertEq(pool.collateral(0, USER), 7 ether, "collateral left");
        assertEq(weEth.balanceOf(USER), 93 ether, "collateral back");
        _assertHandlerEmpty();
    }

    function test_RepayAndWithdrawCapsAtTheDebt() public {
        vm.prank(USER);
        handler.depositAndBorrow(10 ether, 5 ether, noProof);
        vm.warp(block.timestamp + 1 days);
        uint256 rate = pool.rate(0);
        uint256 nd = pool.normalizedDebt(0, USER);
        _fund(address(wstEth), USER, 10 ether);
        uint256 balanceBefore = wstEth.balanceOf(USER);

        vm.prank(USER);
        handler.repayAndWithdraw(100 ether, 10 ether);
        assertEq(pool.normalizedDebt(0, USER), 0, "all repaid");
        assertEq(balanceBefore - wstEth.balanceOf(USER), _owed(nd, rate), "pulled only what was owed");
        assertEq(pool.collateral(0, USER), 0, "all collateral out");
        _assertHandlerEmpty();
    }

    function test_RepayFullLeavesExactlyZeroDebt(uint256 borrowAmount, uint256 elapsed) public {
        // the handler borrows floor(B * RAY / rate): keep clear of the 1-token dust
        borrowAmount = bound(borrowAmount, 1.01 ether, 7 ether);
        elapsed = bound(elapsed, 1, 3 * 365 days);
        vm.prank(USER);
        handler.depositAndBorrow(10 ether, borrowAmount, noProof);
        vm.warp(block.timestamp + elapsed);
        _fund(address(wstEth), USER, 5 ether); // interest
        uint256 expected = _owed(pool.normalizedDebt(0, USER), pool.rate(0));
        uint256 balanceBefore = wstEth.balanceOf(USER);

        vm.prank(USER);
        handler.repayFullAndWithdraw(10 ether);
        (uint256 c, uint256 nd) = pool.vault(0, USER);
        assertEq(nd, 0, "zero debt");
        assertEq(c, 0, "zero collateral");
        assertEq(balanceBefore - wstEth.balanceOf(USER), expected, "pulled exactly ceil(nd * rate / RAY)");
        assertEq(weEth.balanceOf(USER), 100 ether, "all collateral back");
        _assertHandlerEmpty();
    }

    function test_NeedsOperatorConsent() public {
        address stranger = address(0x5757);
        _fund(address(weEth), stranger, 10 ether);
        vm.startPrank(stranger);
        weEth.approve(address(handler), type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(IIonPool.UnsafePositionChangeWithoutConsent.selector, 0, stranger, address(handler))
        );
        handler.depositAndBorrow(10 ether, 1 ether, noProof);
        vm.stopPrank();
    }

    function test_ChecksTheUserAgainstTheWhitelist() public {
        wl.updateBorrowersRoot(0, keccak256("some root"));
        vm.prank(USER);
        vm.expectRevert(abi.encodeWithSelector(IWhitelist.NotWhitelistedBorrower.selector, 0, USER));
        handler.depositAndBorrow(10 ether, 1 ether, noProof);
    }

    function test_ReceiveOnlyFromWeth() public {
        vm.deal(USER, 1 ether);
        vm.prank(USER);
        (bool ok, bytes memory ret) = address(handler).call{value: 1 ether}("");
        assertTrue(!ok, "rejected");
        assertEq(bytes4(ret), IonHandlerBase.CannotSendEthToContract.selector, "error");
    }

    // ---------------------------------------------------------------- flashswapAndMint (weETH)

    /// wstETH the pool wants for the WETH that mints `amountToMint` weETH.
    function _weEthLeverageCost(uint256 amountToMint) internal returns (uint256 ethNeeded, uint256 cost) {
        ethNeeded = _ethForExactWeEth(amountToMint);
        cost = _quoteExactOutput(quoter, address(wstEth), address(weth), ethNeeded); // wstETH in, WETH out
    }

    /// The ETH the handler sends to ether.fi for exactly `amount` weETH: the public search's
    /// first candidate, wadDivUp(wadMulDown(amount, P), S) + 1, or one wei more.
    function _ethForExactWeEth(uint256 amount) internal view returns (uint256) {
        uint256 p = etherFi.getTotalPooledEther();
        uint256 s = eEth.totalShares();
        uint256 eth = _ceilDiv(amount * p / 1e18 * 1e18, s) + 1;
        for (uint256 i = 0; i < 2; ++i) {
            uint256 shares = eth * s / p;
            uint256 eEthOut = shares * (p + eth) / (s + shares);
            if (eEthOut * (s + shares) / (p + eth) == amount) return eth;
            ++eth;
        }
        revert("no exact amount");
    }

    function test_FlashswapAndMintWeEth() public {
        (uint256 ethNeeded, uint256 cost) = _weEthLeverageCost(6 ether);
        uint256 poolWstEthBefore = wstEth.balanceOf(address(uniPool));
        uint256 ethAtEtherFi = address(etherFi).balance;

        vm.prank(USER);
        handler.flashswapAndMint(4 ether, 10 ether, cost, block.timestamp, noProof);

        (uint256 c, uint256 nd) = pool.vault(0, USER);
        assertEq(c, 10 ether, "resulting collateral");
        uint256 debt = _owed(nd, pool.rate(0));
        assertGe(debt, cost, "debt covers the swap");
        assertLe(debt, cost + 2, "and no more than rounding");
        assertEq(weEth.balanceOf(USER), 96 ether, "only the initial deposit pulled");
        assertEq(wstEth.balanceOf(USER), 0, "nothing borrowed to the user");
        assertGe(wstEth.balanceOf(address(uniPool)) - poolWstEthBefore, cost, "pool paid");
        assertEq(address(etherFi).balance - ethAtEtherFi, ethNeeded, "minted at ether.fi");
        _assertHandlerEmpty();
    }

    function test_FlashswapSlippageBound() public {
        (, uint256 cost) = _weEthLeverageCost(6 ether);
        vm.prank(USER);
        vm.expectRevert(
            abi.encodeWithSelector(IonHandlerBase.FlashloanRepaymentTooExpensive.selector, cost, cost - 1)
        );
        handler.flashswapAndMint(4 ether, 10 ether, cost - 1, block.timestamp, noProof);
    }

    function test_FlashswapDeadline() public {
        vm.prank(USER);
        vm.expectRevert(
            abi.encodeWithSelector(IonHandlerBase.TransactionDeadlineReached.selector, block.timestamp - 1)
        );
        handler.flashswapAndMint(4 ether, 10 ether, 100 ether, block.timestamp - 1, noProof);
    }

    function test_SwapCallbackOnlyFromPool() public {
        vm.prank(USER);
        vm.expectRevert(abi.encodeWithSelector(UniswapFlashswapDirectMintHandler.CallbackOnlyCallableByPool.selector, USER));
        handler.uniswapV3SwapCallback(1, -1, "");
    }

    function test_FlashswapWithoutLeverageOnlyDeposits() public {
        vm.prank(USER);
        handler.flashswapAndMint(4 ether, 4 ether, 0, block.timestamp, noProof);
        (uint256 c, uint256 nd) = pool.vault(0, USER);
        assertEq(c, 4 ether, "deposited");
        assertEq(nd, 0, "no debt");
    }

    // ---------------------------------------------------------------- rsETH and rswETH

    function test_FlashswapAndMintRsEthDepositsExtraWei() public {
        RsEth rsEth = new RsEth(address(this));
        LRTOracle oracle = new LRTOracle(address(this));
        LRTDepositPool depositPool = new LRTDepositPool(address(rsEth), address(oracle), address(this));
        rsEth.setMinter(address(depositPool), true);
        // Below 1 ETH per rsETH the ETH rounded up for an odd amount mints one wei more.
        uint256 price = 0.5e18;
        oracle.setRsETHPrice(price);
        (IonPool rsPool, GemJoin rsJoin) = _market(address(rsEth), address(wstEth), 0.345e27, 4);
        RsEthHandler rsHandler = new RsEthHandler(
            address(rsPool), address(rsJoin), address(wl), address(uniPool), address(wstEth), address(weth), address(depositPool), address(rsEth)
        );
        wl.approveProtocolWhitelist(address(rsHandler));
        _optIn(USER, rsPool, address(rsHandler), address(rsEth));
        _fund(address(rsEth), USER, 5 ether);

        uint256 amountToMint = 15 ether + 1;
        uint256 ethNeeded = _ceilDiv(amountToMint * price, 1e18);
        uint256 minted = ethNeeded * 1e18 / price;
        assertTrue(minted > amountToMint, "this case mints extra wei");
        uint256 cost = _quoteExactOutput(quoter, address(wstEth), address(weth), ethNeeded);

        vm.prank(USER);
        rsHandler.flashswapAndMint(5 ether, 5 ether + amountToMint, cost, block.timestamp, noProof);
        (uint256 c, uint256 nd) = rsPool.vault(0, USER);
        assertEq(c, 5 ether + minted, "the extra wei are deposited too");
        assertApproxEq(_owed(nd, rsPool.rate(0)), cost, 2, "debt = swap cost");
        assertEq(rsEth.balanceOf(address(rsHandler)), 0, "nothing left in the handler");
    }

    function test_FlashswapAndMintRswEthWithWethAsToken0() public {
        RswEth rswEth = new RswEth(address(this));
        uint256 rate = 1.03e18;
        rswEth.setRate(rate);
        // The other token order: WETH token0, price = wstETH per WETH.
        DevUniswapV3Pool reversed =
            new DevUniswapV3Pool(address(weth), address(wstEth), 100, uint256(1e36) / WSTETH_PRICE);
        _fund(address(wstEth), address(reversed), 1000 ether);
        _fund(address(weth), address(reversed), 1000 ether);
        (IonPool rswPool, GemJoin rswJoin) = _market(address(rswEth), address(wstEth), 0.71e27, 4);
        RswEthHandlerProbe rswHandler = new RswEthHandlerProbe(
            address(rswPool), address(rswJoin), address(wl), address(reversed), address(wstEth), address(weth), address(rswEth)
        );
        assertTrue(rswHandler.wethIsToken0(), "order detected");
        wl.approveProtocolWhitelist(address(rswHandler));
        _optIn(USER, rswPool, address(rswHandler), address(rswEth));
        _fund(address(rswEth), USER, 5 ether);

        uint256 inverse = uint256(1e36) / rate; // ethToRswETHRate
        uint256 ethNeeded = _ceilDiv(uint256(15 ether) * 1e18, inverse);
        uint256 cost = _quoteExactOutput(_quoterOf(address(reversed)), address(wstEth), address(weth), ethNeeded); // wstETH (token1) in
        vm.prank(USER);
        rswHandler.flashswapAndMint(5 ether, 20 ether, cost, block.timestamp, noProof);
        (uint256 c, uint256 nd) = rswPool.vault(0, USER);
        assertEq(c, 5 ether + ethNeeded * inverse / 1e18, "collateral");
        assertApproxEq(_owed(nd, rswPool.rate(0)), cost, 2, "debt = swap cost");
        assertEq(address(rswEth).balance, ethNeeded, "minted at Swell");
    }

    /// The public rswETH handler's quote views, and MINT_ASSET on every handler.
    function test_RswEthQuoteViewsAndMintAsset() public {
        RswEth rswEth = new RswEth(address(this));
        rswEth.setRate(1.03e18);
        (IonPool rswPool, GemJoin rswJoin) = _market(address(rswEth), address(wstEth), 0.71e27, 4);
        RswEthHandler rswHandler = new RswEthHandler(
            address(rswPool), address(rswJoin), address(wl), address(uniPool), address(wstEth), address(weth), address(rswEth)
        );
        uint256 ethIn = rswHandler.getEthAmountInForLstAmountOut(15 ether);
        uint256 inverse = uint256(1e36) / 1.03e18; // ethToRswETHRate
        assertEq(ethIn, _ceilDiv(uint256(15 ether) * 1e18, inverse), "wadDivUp(amount, ethToRswETHRate)");
        assertTrue(rswHandler.getLstAmountOutForEthAmountIn(ethIn) >= 15 ether, "that eth mints at least as much");
        assertEq(rswHandler.getLstAmountOutForEthAmountIn(1.03 ether), uint256(1.03 ether) * inverse / 1e18, "wadMulDown");
        vm.deal(address(this), ethIn);
        rswEth.deposit{value: ethIn}();
        assertEq(rswEth.balanceOf(address(this)), rswHandler.getLstAmountOutForEthAmountIn(ethIn), "the view is the mint");
        assertEq(address(rswHandler.MINT_ASSET()), address(weth), "rswETH handler mints from WETH");
        assertEq(address(handler.MINT_ASSET()), address(weth), "weETH handler mints from WETH");
    }

    function test_ConstructorRejectsAPoolWithoutWethAndWstEth() public {
        DevUniswapV3Pool unrelated = new DevUniswapV3Pool(address(weEth), address(weth), 100, 1e18);
        vm.expectRevert(UniswapFlashswapDirectMintHandler.InvalidUniswapPool.selector);
        new WeEthHandler(
            address(pool), address(join), address(wl), address(unrelated), address(wstEth), address(weth), address(etherFi), address(weEth)
        );
    }

    function _assertHandlerEmpty() internal view {
        assertEq(wstEth.balanceOf(address(handler)), 0, "handler wstETH");
        assertEq(weEth.balanceOf(address(handler)), 0, "handler weETH");
        assertEq(weth.balanceOf(address(handler)), 0, "handler WETH");
        // wrap moves the shares an amount is worth, rounded down: a share or two of eETH may
        // stay behind, as with ether.fi's own eETH.
        assertLe(eEth.balanceOf(address(handler)), 2, "handler eETH: rounding dust at most");
        assertEq(address(handler).balance, 0, "handler ETH");
        assertEq(lens.gem(address(pool), 0, address(handler)), 0, "handler gem");
    }
}
