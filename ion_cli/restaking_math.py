"""EigenLayer's slashing arithmetic, as EigenLayer documents it (pure integers, no I/O).

Magnitudes are WAD-scaled fractions of an operator's stake in one strategy; an operator's max
magnitude starts at WAD and falls with each slash. Native ETH's strategy counts 1 share per wei.

- slashable stake in an operator set = shares x current magnitude / max magnitude;
- a staker's withdrawable shares = deposit shares x deposit scaling factor x beacon-chain
  slashing factor x max magnitude (each WAD-scaled; the beacon-chain slash applies first);
- a slash's `wadSlashed` = slashed magnitude / previous max magnitude: the withdrawable ETH behind
  the operator falls by that fraction, the slashed set's slashable ETH by the amount slashed,
  and the operator's other sets keep their slashable ETH.
"""

from __future__ import annotations

from decimal import Decimal

WAD = 10**18


def slashable(shares: int, magnitude: int, max_magnitude: int) -> int:
    """Shares an operator set can slash: shares x magnitude / max magnitude (rounded down)."""
    if max_magnitude <= 0 or magnitude <= 0:
        return 0
    return shares * magnitude // max_magnitude


def withdrawable(
    deposit_shares: int, deposit_scaling_factor: int, beacon_factor: int, max_magnitude: int
) -> int:
    """A staker's withdrawable native-ETH shares (EigenLayer rounds each product down)."""
    scaled = deposit_shares * deposit_scaling_factor // WAD
    return scaled * (max_magnitude * beacon_factor // WAD) // WAD


def lost_to_slash(withdrawable_before: int, wad_slashed: int) -> int:
    """What a staker lost to a slash of its operator: its withdrawable shares x wadSlashed."""
    return withdrawable_before * wad_slashed // WAD


def slashed_fraction(max_then: int, max_now: int) -> Decimal:
    """The part of an operator's stake slashed between two blocks: 1 - max now / max then."""
    if max_then <= 0:
        return Decimal(0)
    return Decimal(max_then - max_now) / Decimal(max_then)


def fraction(numerator: int, denominator: int) -> Decimal:
    return Decimal(numerator) / Decimal(denominator) if denominator > 0 else Decimal(0)
