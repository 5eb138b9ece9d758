// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

uint256 constant WAD = 1e18;
uint256 constant RAY = 1e27;
uint256 constant RAD = 1e45;

/// @title WadRayMath
/// @notice Fixed-point helpers for the three units of the ledger: WAD (1e18: token amounts,
/// normalized debt), RAY (1e27: rates, spot, supply factor) and RAD (1e45: debt = WAD * RAY).
/// Every helper names its rounding direction explicitly, because the protocol always rounds in
/// its own favour and the CLI mirrors each choice (borrow floors, repay ceils, supply mints down,
/// withdraw burns up). Products are computed at full 512-bit precision (OpenZeppelin Math.mulDiv),
/// so an intermediate `a * b` never overflows as long as the final result fits in 256 bits.
/// Division by zero reverts (panic 0x12).
library WadRayMath {
    // ---- generic ----

    /// floor(a * b / denominator)
    function mulDivDown(uint256 a, uint256 b, uint256 denominator) internal pure returns (uint256) {
        return Math.mulDiv(a, b, denominator);
    }

    /// ceil(a * b / denominator)
    function mulDivUp(uint256 a, uint256 b, uint256 denominator) internal pure returns (uint256) {
        return Math.mulDiv(a, b, denominator, Math.Rounding.Ceil);
    }

    // ---- WAD ----

    /// floor(a * b / WAD)
    function wadMulDown(uint256 a, uint256 b) internal pure returns (uint256) {
        return Math.mulDiv(a, b, WAD);
    }

    /// ceil(a * b / WAD)
    function wadMulUp(uint256 a, uint256 b) internal pure returns (uint256) {
        return Math.mulDiv(a, b, WAD, Math.Rounding.Ceil);
    }

    /// floor(a * WAD / b)
    function wadDivDown(uint256 a, uint256 b) internal pure returns (uint256) {
        return Math.mulDiv(a, WAD, b);
    }

    /// ceil(a * WAD / b)
    function wadDivUp(uint256 a, uint256 b) internal pure returns (uint256) {
        return Math.mulDiv(a, WAD, b, Math.Rounding.Ceil);
    }

    // ---- RAY ----

    /// floor(a * b / RAY): e.g. a WAD amount times a RAY factor gives a WAD amount.
    function rayMulDown(uint256 a, uint256 b) internal pure returns (uint256) {
        return Math.mulDiv(a, b, RAY);
    }

    /// ceil(a * b / RAY)
    function rayMulUp(uint256 a, uint256 b) internal pure returns (uint256) {
        return Math.mulDiv(a, b, RAY, Math.Rounding.Ceil);
    }

    /// floor(a * RAY / b): e.g. a WAD amount divided by a RAY factor gives a WAD amount.
    function rayDivDown(uint256 a, uint256 b) internal pure returns (uint256) {
        return Math.mulDiv(a, RAY, b);
    }

    /// ceil(a * RAY / b)
    function rayDivUp(uint256 a, uint256 b) internal pure returns (uint256) {
        return Math.mulDiv(a, RAY, b, Math.Rounding.Ceil);
    }

    // ---- conversions between units ----

    /// WAD -> RAY (exact).
    function wadToRay(uint256 a) internal pure returns (uint256) {
        return a * 1e9;
    }

    /// WAD -> RAD (exact).
    function wadToRad(uint256 a) internal pure returns (uint256) {
        return a * RAY;
    }

    /// RAY -> RAD (exact).
    function rayToRad(uint256 a) internal pure returns (uint256) {
        return a * WAD;
    }

    /// RAY -> WAD, floor.
    function rayToWadDown(uint256 a) internal pure returns (uint256) {
        return a / 1e9;
    }

    /// RAY -> WAD, ceil.
    function rayToWadUp(uint256 a) internal pure returns (uint256) {
        return Math.ceilDiv(a, 1e9);
    }

    /// RAD -> WAD, floor (what the pool sends when a debt in RAD becomes a token amount).
    function radToWadDown(uint256 a) internal pure returns (uint256) {
        return a / RAY;
    }

    /// RAD -> WAD, ceil (what the pool pulls when a debt in RAD becomes a token amount).
    function radToWadUp(uint256 a) internal pure returns (uint256) {
        return Math.ceilDiv(a, RAY);
    }

    /// RAD -> RAY, floor.
    function radToRayDown(uint256 a) internal pure returns (uint256) {
        return a / WAD;
    }

    /// RAD -> RAY, ceil.
    function radToRayUp(uint256 a) internal pure returns (uint256) {
        return Math.ceilDiv(a, WAD);
    }

    /// Scales an amount with `decimals` decimals to WAD, floor when scaling down.
    function scaleToWad(uint256 amount, uint8 decimals) internal pure returns (uint256) {
        if (decimals == 18) return amount;
        if (decimals < 18) return amount * 10 ** (18 - decimals);
        return amount / 10 ** (decimals - 18);
    }

    // ---- exponentiation ----

    /// @notice x^n in fixed point with scale `base` (RAY for the interest accumulator), by
    /// repeated squaring. Every intermediate product is rounded half up, as in Maker's rpow,
    /// so the result for n seconds is reproducible off-chain step by step. x^0 = base (also for
    /// x = 0). Reverts on overflow of an intermediate product (x must stay well below 2^128
    /// times the base, which any sane per-second rate does).
    function rpow(uint256 x, uint256 n, uint256 base) internal pure returns (uint256 z) {
        uint256 half = base / 2;
        z = n % 2 != 0 ? x : base;
        for (n /= 2; n != 0; n /= 2) {
            x = (x * x + half) / base;
            if (n % 2 != 0) {
                z = (z * x + half) / base;
            }
        }
    }
}
