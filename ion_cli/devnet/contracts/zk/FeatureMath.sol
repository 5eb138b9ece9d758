// SPDX-License-Identifier: MIT
pragma solidity ^0.8.21;

/// The root sums of a committed snapshot (ion_cli/zk/sumtree.py, SUM_NAMES order): counts and
/// Gwei totals over the LRT's validators that are not yet withdrawable at the snapshot's epoch.
struct SnapshotSums {
    uint128 leaves;
    uint128 live;
    uint128 liveEffective;
    uint128 liveBalance;
    uint128 slashedEffective;
    uint128 pendingEffective;
    uint128 activeEffective;
    uint128 exitingEffective;
    uint128 shortfall;
    uint128 compoundingEffective;
}

/// @title FeatureMath
/// @notice The risk model's eight features from a committed snapshot's root sums and two
/// network-level inputs, in the integers the circuit sees (q in [0, 1024], q / 1024 the
/// feature), exactly as ion_cli/zk/features.py `from_sums` computes them: every feature is an
/// exact ratio n / d rounded half up, round(n * 1024 / d) = (2048 n + d) / (2 d), clamped to 1.
/// @dev All products fit: sums are uint128, multipliers at most 2048 * 31.
library FeatureMath {
    uint256 internal constant ONE = 1024;
    uint256 internal constant N_FEATURES = 8;
    /// One effective-balance increment (1 ETH in Gwei): the correlation penalty's unit.
    uint256 internal constant INCREMENT = 1e9;
    uint256 internal constant PROPORTIONAL_SLASHING_MULTIPLIER = 3;

    /// @notice round(n / d * 1024) half up, clamped to [0, 1024]; 0 when d = 0.
    function ratio(uint256 n, uint256 d) internal pure returns (uint256) {
        if (d == 0) return 0;
        if (n >= d) return ONE;
        return (2 * ONE * n + d) / (2 * d);
    }

    /// @notice kink(a / b) quantized: 16 s up to s = 1/32, then (15 + 16 s) / 31.
    function kinked(uint256 a, uint256 b) internal pure returns (uint256) {
        if (b == 0) return 0;
        if (a >= b) return ONE;
        if (32 * a <= b) return ratio(16 * a, b);
        return ratio(15 * b + 16 * a, 31 * b);
    }

    /// @notice The features, in the model's order: slashed_share, pending_correlation_share,
    /// active_share, exiting_share, shortfall, network_share, correlation_loss,
    /// compounding_share.
    /// @param networkActive the network's total active balance (Gwei; floored at the set's own)
    /// @param otherSlashed the balance slashed in the window outside the set (Gwei)
    function features(SnapshotSums memory s, uint256 networkActive, uint256 otherSlashed)
        internal
        pure
        returns (uint256[N_FEATURES] memory f)
    {
        uint256 b = s.liveEffective;
        if (b == 0) return f;
        uint256 t = networkActive > s.activeEffective ? networkActive : s.activeEffective;
        uint256 adjusted = (uint256(s.slashedEffective) + otherSlashed) * PROPORTIONAL_SLASHING_MULTIPLIER;
        if (adjusted > t) adjusted = t;
        uint256 increments = t / INCREMENT;
        uint256 perIncrement = increments == 0 ? 0 : adjusted / increments;
        f[0] = ratio(s.slashedEffective, b);
        f[1] = ratio(s.pendingEffective, b);
        f[2] = ratio(s.activeEffective, b);
        f[3] = ratio(s.exitingEffective, b);
        f[4] = kinked(s.shortfall, b);
        f[5] = ratio(b, t);
        f[6] = kinked(perIncrement * (s.pendingEffective / INCREMENT), b);
        f[7] = ratio(s.compoundingEffective, b);
    }
}
