// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {TestBase} from "./utils/TestBase.sol";
import {IonPool} from "../../ion_cli/devnet/contracts/IonPool.sol";
import {GemJoin} from "../../ion_cli/devnet/contracts/GemJoin.sol";
import {Whitelist} from "../../ion_cli/devnet/contracts/Whitelist.sol";
import {InterestRate} from "../../ion_cli/devnet/contracts/InterestRate.sol";
import {IonLens} from "../../ion_cli/devnet/contracts/IonLens.sol";

/// Plain 18-decimal token with an open mint, for tests only.
contract MockPoolToken is ERC20 {
    constructor(string memory symbol_) ERC20(symbol_, symbol_) {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// Spot oracle with a settable spot (RAY).
contract MockPoolSpotOracle {
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

/// Cheatcodes beyond TestBase's interface (same address).
interface MockVmExtra {
    function sign(uint256 privateKey, bytes32 digest) external returns (uint8 v, bytes32 r, bytes32 s);
}

/// A deployed pool as the devnet wires it: WETH-like base, one LRT ilk, spot 0.8, dust 1 token,
/// mainnet interest curve, open whitelist, GemJoin with GEM_JOIN_ROLE.
abstract contract IonPoolFixture is TestBase {
    MockVmExtra internal constant vmx = MockVmExtra(address(uint160(uint256(keccak256("hevm cheat code")))));

    // mainnet curve (Appendix D)
    uint256 internal constant MIN_BASE_RATE = 1_796_798_806_700_000_000;
    uint256 internal constant RATE_AT_KINK = 3_967_964_580_300_000_000;
    uint256 internal constant KINK = 0.9e27;
    uint256 internal constant SLOPE_ABOVE_KINK = 64_011_036_758_000_000_000;

    MockPoolToken internal base;
    MockPoolToken internal lrt;
    MockPoolSpotOracle internal spotOracle;
    InterestRate internal irm;
    Whitelist internal wl;
    IonPool internal pool;
    GemJoin internal gemJoin;
    /// The pool keeps only the public views; the rest is read through the lens, as on mainnet.
    IonLens internal lens;

    address internal admin = address(this);
    address internal treasury = address(0x7EA5);
    address internal lender = address(0x1E4D);
    address internal borrower = address(0xB0B);
    address internal stranger = address(0x5757);

    bytes32[] internal noProof;

    function setUp() public virtual {
        lens = new IonLens();
        base = new MockPoolToken("WETH");
        lrt = new MockPoolToken("weETH");
        spotOracle = new MockPoolSpotOracle(0.8e27);
        irm = new InterestRate(MIN_BASE_RATE, RATE_AT_KINK, KINK, SLOPE_ABOVE_KINK, 0);
        wl = new Whitelist(new bytes32[](0), bytes32(0));
        pool = new IonPool(address(base), treasury, "Ion WETH", "iWETH", admin, address(irm), address(wl));
        pool.initializeIlk(address(lrt));
        pool.updateIlkSpot(0, address(spotOracle));
        pool.updateIlkDebtCeiling(0, 100_000 * RAD);
        pool.updateIlkDust(0, 1 * RAD);
        pool.updateSupplyCap(100_000 * WAD);
        gemJoin = new GemJoin(address(pool), address(lrt), 0, admin);
        pool.grantRole(pool.GEM_JOIN_ROLE(), address(gemJoin));
    }

    function _supply(address who, uint256 amount) internal {
        base.mint(who, amount);
        vm.startPrank(who);
        base.approve(address(pool), amount);
        pool.supply(who, amount, noProof);
        vm.stopPrank();
    }

    /// Mints, joins and deposits `collateral`, then borrows `nd` normalized debt, all as `who`.
    function _openVault(address who, uint256 collateral, uint256 nd) internal {
        _joinAndDeposit(who, collateral);
        vm.prank(who);
        pool.borrow(0, who, who, nd, noProof);
    }

    function _joinAndDeposit(address who, uint256 collateral) internal {
        lrt.mint(who, collateral);
        vm.startPrank(who);
        lrt.approve(address(gemJoin), collateral);
        gemJoin.join(who, collateral);
        pool.depositCollateral(0, who, who, collateral, noProof);
        vm.stopPrank();
    }

    function _rpow(uint256 x, uint256 n) internal pure returns (uint256 z) {
        // independent square-and-multiply with half-up rounding, written from the definition
        z = RAY;
        uint256 b = x;
        while (n > 0) {
            if (n & 1 == 1) z = (z * b + RAY / 2) / RAY;
            n >>= 1;
            if (n > 0) b = (b * b + RAY / 2) / RAY;
        }
    }

    function _ceilDiv(uint256 a, uint256 b) internal pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }
}
