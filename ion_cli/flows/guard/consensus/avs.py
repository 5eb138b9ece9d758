"""`--deleverage-on-avs-slashing PCT`: an AVS slashed an operator the LRT delegates to.

Pure. Each `OperatorSlashed` event of such an operator (EigenLayer's AllocationManager; read as
the restaking monitor reads it) is one event: the LRT loses its withdrawable shares behind the
operator just before the slash x `wadSlashed` (`restaking_math.lost_to_slash`). The share is
that loss over the LRT's restaked ETH just before (all its stakers' withdrawable shares). The
trigger fires once per event (keyed by its log) when the share is above PCT; with PCT 0 on any
loss at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

WAD = 10**18


@dataclass(frozen=True)
class AvsSlash:
    lrt: str
    operator: str
    avs: str
    operator_set: int
    wad_slashed: int
    lost_wei: int  # the LRT's ETH the slash took
    held_wei: int  # the LRT's restaked ETH just before it
    block: int
    transaction_hash: str
    log_index: int
    description: str = ""

    @property
    def key(self) -> str:
        return f"avs:{self.lrt}:{self.transaction_hash.lower()}:{self.log_index}"

    @property
    def share(self) -> Fraction:
        return Fraction(self.lost_wei, self.held_wei) if self.held_wei > 0 else Fraction(0)

    def above(self, threshold: Fraction) -> bool:
        if threshold == 0:
            return self.lost_wei > 0
        return self.share > threshold

    def describe(self) -> str:
        from ion_cli.flows.guard.consensus.shares import percent

        return (
            f"{self.lrt}: AVS {self.avs} slashed operator {self.operator} (set "
            f"{self.operator_set}) by {self.wad_slashed / WAD:.6f} of its stake: "
            f"{self.lost_wei / WAD:.6f} ETH of {self.lrt} lost, {percent(self.share)} of its "
            f"restaked ETH (block {self.block})"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "lrt": self.lrt,
            "operator": self.operator,
            "avs": self.avs,
            "set": self.operator_set,
            "wad_slashed": str(self.wad_slashed),
            "lost_wei": str(self.lost_wei),
            "held_wei": str(self.held_wei),
            "share": float(self.share),
            "block": self.block,
            "transaction_hash": self.transaction_hash,
            "log_index": self.log_index,
            "episode": self.key,
        }
