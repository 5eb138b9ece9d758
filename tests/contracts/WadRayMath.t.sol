// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {TestBase} from "./utils/TestBase.sol";
import {WadRayMath} from "../../ion_cli/devnet/contracts/math/WadRayMath.sol";

contract WadRayMathTest is TestBase {
    using WadRayMath for uint256;

    function testFuzz_mulRounding(uint128 a, uint128 b) public pure {
        uint256 x = a;
        uint256 y = b;
        uint256 down = x.rayMulDown(y);
        uint256 up = x.rayMulUp(y);
        assertEq(down, x * y / RAY, "ray floor");
        assertEq(up, down + (x * y % RAY == 0 ? 0 : 1), "ray ceil");
        assertEq(x.wadMulDown(y), x * y / WAD, "wad floor");
        assertEq(x.wadMulUp(y), x * y / WAD + (x * y % WAD == 0 ? 0 : 1), "wad ceil");
    }

    function testFuzz_divRounding(uint128 a, uint128 b) public pure {
        uint256 x = a;
        uint256 y = uint256(b) + 1;
        uint256 down = x.rayDivDown(y);
        uint256 up = x.rayDivUp(y);
        assertEq(down, x * RAY / y, "ray floor");
        assertEq(up, down + (x * RAY % y == 0 ? 0 : 1), "ray ceil");
        assertEq(x.wadDivDown(y), x * WAD / y, "wad floor");
        assertEq(x.wadDivUp(y), x * WAD / y + (x * WAD % y == 0 ? 0 : 1), "wad ceil");
    }

    /// Minting at rayDivDown and burning at rayDivUp never gives a lender more than it put in.
    function testFuzz_supplyWithdrawRoundTrip(uint128 amount, uint256 factor) public pure {
        factor = bound(factor, 1e27, 1e30);
        uint256 normalized = uint256(amount).rayDivDown(factor);
        assertLe(normalized.rayMulDown(factor), amount, "value after mint <= deposit");
        // burning `amount` needs at least what minting `amount` gave
        assertGe(uint256(amount).rayDivUp(factor), normalized, "burn >= mint");
    }

    /// floor(floor(B * RAY / rate) * rate / RAY) <= B: the CLI's borrow-amount recipe.
    function testFuzz_borrowRecipe(uint128 target, uint256 rate) public pure {
        rate = bound(rate, 1e27, 1e29);
        uint256 nd = uint256(target).rayDivDown(rate);
        assertLe(nd.rayMulDown(rate), target, "never more than asked");
        assertGe(nd.rayMulUp(rate), nd.rayMulDown(rate), "repay >= borrow");
    }

    function testFuzz_fullPrecision(uint256 a) public pure {
        // a * 2 RAY overflows 256 bits for large a, but the result fits: no intermediate overflow
        a = bound(a, 0, type(uint256).max / 2);
        assertEq(a.rayMulDown(2 * RAY), 2 * a, "mul");
        assertEq(a.rayDivDown(RAY / 2), 2 * a, "div");
        assertEq(a.rayMulUp(RAY), a, "identity");
    }

    function test_conversions() public pure {
        assertEq(uint256(3).wadToRay(), 3e9, "wadToRay");
        assertEq(uint256(3).wadToRad(), 3e27, "wadToRad");
        assertEq(uint256(3).rayToRad(), 3e18, "rayToRad");
        assertEq(uint256(3e9 + 1).rayToWadDown(), 3, "rayToWadDown");
        assertEq(uint256(3e9 + 1).rayToWadUp(), 4, "rayToWadUp");
        assertEq(uint256(5 * RAY + 1).radToWadDown(), 5, "radToWadDown");
        assertEq(uint256(5 * RAY + 1).radToWadUp(), 6, "radToWadUp");
        assertEq(uint256(5 * RAY).radToWadUp(), 5, "exact up");
        assertEq(uint256(7e18 + 1).radToRayDown(), 7, "radToRayDown");
        assertEq(uint256(7e18 + 1).radToRayUp(), 8, "radToRayUp");
        assertEq(uint256(12).scaleToWad(6), 12e12, "scale up");
        assertEq(uint256(12e20).scaleToWad(20), 12e18, "scale down");
        assertEq(WadRayMath.mulDivUp(7, 3, 2), 11, "mulDivUp");
        assertEq(WadRayMath.mulDivDown(7, 3, 2), 10, "mulDivDown");
    }

    function test_rpowBasics() public pure {
        assertEq(WadRayMath.rpow(2 * RAY, 0, RAY), RAY, "x^0");
        assertEq(WadRayMath.rpow(0, 0, RAY), RAY, "0^0");
        assertEq(WadRayMath.rpow(0, 5, RAY), 0, "0^n");
        assertEq(WadRayMath.rpow(2 * RAY, 1, RAY), 2 * RAY, "x^1");
        assertEq(WadRayMath.rpow(2 * RAY, 10, RAY), 1024 * RAY, "2^10");
        assertEq(WadRayMath.rpow(RAY, 1e9, RAY), RAY, "1^n");
        assertEq(WadRayMath.rpow(3 * WAD, 3, WAD), 27 * WAD, "wad base");
        // the mainnet minimum rate (0.05666 per year simple) compounds to e^0.05666 = 1.05830
        uint256 r = 1_796_798_806_700_000_000;
        uint256 year = WadRayMath.rpow(RAY + r, 365 days, RAY);
        assertApproxEq(year, 1.0583e27, 1e22, "compounded year");
    }

    /// Square-and-multiply agrees with plain repeated multiplication (half-up rounding each
    /// step) within a few units of the last place for small exponents.
    function testFuzz_rpowMatchesLoop(uint256 r, uint256 n) public pure {
        r = bound(r, 0, 1e20);
        n = bound(n, 0, 64);
        uint256 x = RAY + r;
        uint256 z = RAY;
        for (uint256 i; i < n; ++i) {
            z = (z * x + RAY / 2) / RAY;
        }
        assertApproxEq(WadRayMath.rpow(x, n, RAY), z, 64, "rpow vs loop");
    }
}
