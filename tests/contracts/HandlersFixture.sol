// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {TestBase} from "./utils/TestBase.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IonPool} from "../../ion_cli/devnet/contracts/IonPool.sol";
import {GemJoin} from "../../ion_cli/devnet/contracts/GemJoin.sol";
import {Whitelist} from "../../ion_cli/devnet/contracts/Whitelist.sol";
import {InterestRate} from "../../ion_cli/devnet/contracts/InterestRate.sol";
import {WETH9} from "../../ion_cli/devnet/contracts/standins/WETH9.sol";
import {StEth} from "../../ion_cli/devnet/contracts/standins/StEth.sol";
import {WstEth} from "../../ion_cli/devnet/contracts/standins/WstEth.sol";
import {DevToken} from "../../ion_cli/devnet/contracts/standins/DevToken.sol";
import {DevUniswapV3Pool} from "../../ion_cli/devnet/contracts/standins/DevUniswapV3Pool.sol";
import {DevQuoterV2} from "../../ion_cli/devnet/contracts/standins/DevQuoterV2.sol";
import {IonLens} from "../../ion_cli/devnet/contracts/IonLens.sol";

/// Spot oracle with a fixed, settable spot (RAY): the handler tests do not exercise oracles.
contract HandlerTestSpot {
    uint256 public spot;

    constructor(uint256 spot_) {
        spot = spot_;
    }

    function setSpot(uint256 spot_) external {
        spot = spot_;
    }

    function getSpot() external view returns (uint256) {
        return spot;
    }
}

/// The outside world of the devnet (WETH, Lido, a wstETH/WETH pool) and a market factory that
/// wires the real IonPool, GemJoin, Whitelist and InterestRate the way the deploy script does.
abstract contract HandlersFixture is TestBase {
    // mainnet curve (Appendix D)
    uint256 internal constant MIN_BASE_RATE = 1_796_798_806_700_000_000;
    uint256 internal constant RATE_AT_KINK = 3_967_964_580_300_000_000;
    uint256 internal constant KINK = 0.9e27;
    uint256 internal constant SLOPE_ABOVE_KINK = 64_011_036_758_000_000_000;

    /// WETH per wstETH on the Uniswap stand-in (and wstETH's stEthPerToken).
    uint256 internal constant WSTETH_PRICE = 1.15e18;

    address internal constant LENDER = address(0x1E4D);
    address internal constant USER = address(0xB0B);
    address internal constant OTHER = address(0x0712);
    address internal constant TREASURY = address(0x7EA5);

    WETH9 internal weth;
    StEth internal stEth;
    WstEth internal wstEth;
    /// wstETH is token0, WETH token1 (the mainnet order: 0x7f39... < 0xC02a...).
    DevUniswapV3Pool internal uniPool;
    /// QuoterV2-style quotes of uniPool (the pool itself has no quote view, as on mainnet).
    DevQuoterV2 internal quoter;
    IonLens internal lens;
    InterestRate internal irm;
    Whitelist internal wl;

    bytes32[] internal noProof;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        weth = new WETH9();
        stEth = new StEth(address(this));
        wstEth = new WstEth(address(stEth), address(this));
        wstEth.setStEthPerToken(WSTETH_PRICE);
        uniPool = new DevUniswapV3Pool(address(wstEth), address(weth), 100, WSTETH_PRICE);
        quoter = _quoterOf(address(uniPool));
        lens = new IonLens();
        _fund(address(wstEth), address(uniPool), 5000 ether);
        _fund(address(weth), address(uniPool), 5000 ether);
        irm = new InterestRate(MIN_BASE_RATE, RATE_AT_KINK, KINK, SLOPE_ABOVE_KINK, 0);
        wl = new Whitelist(new bytes32[](0), bytes32(0));
    }

    /// A market as the devnet deploys it, with 1000 of the base asset supplied by LENDER.
    function _market(address collateral, address baseToken, uint256 spot, uint256 dustTokens)
        internal
        returns (IonPool pool, GemJoin join)
    {
        pool = new IonPool(baseToken, TREASURY, "Ion test", "iTEST", address(this), address(irm), address(wl));
        pool.initializeIlk(collateral);
        pool.updateIlkSpot(0, address(new HandlerTestSpot(spot)));
        pool.updateIlkDebtCeiling(0, 100_000 * RAD);
        pool.updateIlkDust(0, dustTokens * RAD);
        pool.updateSupplyCap(100_000 * WAD);
        join = new GemJoin(address(pool), collateral, 0, address(this));
        pool.grantRole(pool.GEM_JOIN_ROLE(), address(join));

        _fund(baseToken, LENDER, 1000 ether);
        vm.startPrank(LENDER);
        IERC20(baseToken).approve(address(pool), type(uint256).max);
        pool.supply(LENDER, 1000 ether, noProof);
        vm.stopPrank();
    }

    /// Lets `who` use `handler` on `pool` with unlimited approvals of both tokens.
    function _optIn(address who, IonPool pool, address handler, address collateral) internal {
        vm.startPrank(who);
        pool.addOperator(handler);
        IERC20(collateral).approve(handler, type(uint256).max);
        IERC20(pool.underlying()).approve(handler, type(uint256).max);
        vm.stopPrank();
    }

    /// WETH is wrapped from dealt ETH; every other token is an owner-minted stand-in.
    function _fund(address token, address to, uint256 amount) internal {
        if (token == address(weth)) {
            vm.deal(address(this), amount);
            weth.deposit{value: amount}();
            weth.transfer(to, amount);
        } else {
            DevToken(token).mint(to, amount);
        }
    }

    function _quoterOf(address pool) internal returns (DevQuoterV2) {
        address[] memory pools = new address[](1);
        pools[0] = pool;
        return new DevQuoterV2(pools);
    }

    /// tokenIn the quoter says `pool` wants for exactly `amountOut` of tokenOut.
    function _quoteExactOutput(DevQuoterV2 q, address tokenIn, address tokenOut, uint256 amountOut)
        internal
        returns (uint256 amountIn)
    {
        (amountIn,,,) = q.quoteExactOutputSingle(DevQuoterV2.QuoteExactOutputSingleParams(tokenIn, tokenOut, amountOut, 100, 0));
    }

    function _ceilDiv(uint256 a, uint256 b) internal pure returns (uint256) {
        return a / b + (a % b == 0 ? 0 : 1);
    }

    /// What the pool's repay pulls for `nd` at `rate`.
    function _owed(uint256 nd, uint256 rate) internal pure returns (uint256) {
        return _ceilDiv(nd * rate, RAY);
    }

    receive() external payable {}
}
