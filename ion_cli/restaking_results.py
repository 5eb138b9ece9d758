"""Typed results of `ion restaking` / `Ion.restaking`: which operators and AVSs an LRT's restaked
ETH is exposed to. Amounts are wei ints (native-ETH shares: 1 share = 1 wei), magnitudes
WAD-scaled ints; JSON writes both as decimal strings, fractions as decimal strings."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class SlashRecord:
    """An OperatorSlashed of the operator in the window, and what the LRT lost to it."""

    avs: str
    id: int
    wad_slashed: int
    block: int
    description: str
    lrt_lost_wei: int
    transaction_hash: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "avs": self.avs,
            "id": self.id,
            "wad_slashed": str(self.wad_slashed),
            "block": self.block,
            "description": self.description,
            "lrt_lost_wei": str(self.lrt_lost_wei),
            "transaction_hash": self.transaction_hash,
        }


@dataclass(frozen=True)
class SetExposure:
    """One operator set (AVS, id) the operator allocates to: its magnitude over the max, and the
    LRT's ETH it can slash now. A pending change takes effect at `effect_block`."""

    avs: str
    id: int
    magnitude: int
    max_magnitude: int
    lrt_slashable_wei: int
    operator_slashable_wei: int
    pending_diff: int = 0
    effect_block: int | None = None
    slashes: tuple[SlashRecord, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "avs": self.avs,
            "id": self.id,
            "magnitude": str(self.magnitude),
            "max_magnitude": str(self.max_magnitude),
            "allocated": str(Decimal(self.magnitude) / Decimal(self.max_magnitude))
            if self.max_magnitude
            else "0",
            "lrt_slashable_wei": str(self.lrt_slashable_wei),
            "operator_slashable_wei": str(self.operator_slashable_wei),
            "pending_diff": str(self.pending_diff),
            "effect_block": self.effect_block,
            "slashes": [s.to_json() for s in self.slashes],
        }


@dataclass(frozen=True)
class PodFactor:
    staker: str
    kind: str
    pod: str | None
    beacon_chain_slashing_factor: int
    withdrawable_wei: int

    def to_json(self) -> dict[str, Any]:
        return {
            "staker": self.staker,
            "kind": self.kind,
            "pod": self.pod,
            "beacon_chain_slashing_factor": str(self.beacon_chain_slashing_factor),
            "withdrawable_wei": str(self.withdrawable_wei),
        }


@dataclass(frozen=True)
class OperatorExposure:
    operator: str
    lrt_withdrawable_wei: int  # the LRT's ETH behind this operator (its stakers' withdrawable)
    operator_shares_wei: int  # every staker's
    max_magnitude: int
    encumbered_magnitude: int
    lrt_slashable_any_wei: int  # by at least one of the operator's sets
    queued_slashable_wei: int  # the LRT's withdrawals queued from this operator, still slashable
    operator_queued_slashable_wei: int  # every staker's (DelegationManager's own view)
    max_magnitude_then: int  # at the start of the window
    slashed_in_window: Decimal  # 1 - max now / max then
    lrt_slashed_in_window_wei: int
    sets: tuple[SetExposure, ...]
    pods: tuple[PodFactor, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "operator": self.operator,
            "lrt_withdrawable_wei": str(self.lrt_withdrawable_wei),
            "operator_shares_wei": str(self.operator_shares_wei),
            "max_magnitude": str(self.max_magnitude),
            "encumbered_magnitude": str(self.encumbered_magnitude),
            "lrt_slashable_any_wei": str(self.lrt_slashable_any_wei),
            "queued_slashable_wei": str(self.queued_slashable_wei),
            "operator_queued_slashable_wei": str(self.operator_queued_slashable_wei),
            "max_magnitude_then": str(self.max_magnitude_then),
            "slashed_in_window": str(self.slashed_in_window),
            "lrt_slashed_in_window_wei": str(self.lrt_slashed_in_window_wei),
            "sets": [s.to_json() for s in self.sets],
            "pods": [p.to_json() for p in self.pods],
        }


@dataclass(frozen=True)
class PendingChange:
    operator: str
    avs: str
    id: int
    magnitude: int
    pending_diff: int
    effect_block: int
    lrt_slashable_change_wei: int  # + raises the LRT's exposure when it takes effect

    def to_json(self) -> dict[str, Any]:
        return {
            "operator": self.operator,
            "avs": self.avs,
            "id": self.id,
            "magnitude": str(self.magnitude),
            "pending_diff": str(self.pending_diff),
            "effect_block": self.effect_block,
            "lrt_slashable_change_wei": str(self.lrt_slashable_change_wei),
        }


@dataclass(frozen=True)
class RestakingExposure:
    lrt: str
    network: str
    block: int
    since_block: int
    since_seconds: int
    method: str
    complete: bool
    unknown: tuple[str, ...]
    operators: tuple[OperatorExposure, ...]
    total_restaked_wei: int  # the LRT's withdrawable native-ETH shares, all stakers
    undelegated_wei: int  # held by stakers that delegate to no operator
    slashable_any_wei: int
    avs_exposure_wei: dict[str, int] = field(default_factory=dict)  # AVS -> its sets' sum
    queued_slashable_wei: int = 0  # the LRT's queued withdrawals still slashable
    operators_queued_slashable_wei: int = 0  # all stakers' of its operators
    pending: tuple[PendingChange, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def slashable_share(self) -> Decimal:
        if self.total_restaked_wei <= 0:
            return Decimal(0)
        return Decimal(self.slashable_any_wei) / Decimal(self.total_restaked_wei)

    @property
    def avs_count(self) -> int:
        return sum(1 for v in self.avs_exposure_wei.values() if v > 0)

    @property
    def largest_avs(self) -> tuple[str, int] | None:
        if not self.avs_exposure_wei:
            return None
        avs = max(self.avs_exposure_wei, key=lambda k: (self.avs_exposure_wei[k], k))
        return avs, self.avs_exposure_wei[avs]

    def summary(self) -> str:
        """One line for `ion validators summary` and `ion position`."""
        from ion_cli.amounts import format_amount

        def text(wei: int) -> str:
            return format_amount(wei, 18)

        if not self.complete and not self.operators:
            return f"restaking: unknown ({', '.join(self.unknown) or 'no delegation data'})"
        largest = self.largest_avs
        share = f"{self.slashable_share * 100:.1f}%"
        line = (
            f"restaking: {share} of {text(self.total_restaked_wei)} ETH slashable by "
            f"{self.avs_count} AVS(s) through {len(self.operators)} operator(s)"
        )
        if largest is not None:
            line += f"; largest single AVS {largest[0]}: {text(largest[1])} ETH"
        return line

    def to_json(self) -> dict[str, Any]:
        largest = self.largest_avs
        return {
            "lrt": self.lrt,
            "network": self.network,
            "block": self.block,
            "since_block": self.since_block,
            "since_seconds": self.since_seconds,
            "method": self.method,
            "complete": self.complete,
            "unknown": list(self.unknown),
            "notes": list(self.notes),
            "operators": [o.to_json() for o in self.operators],
            "totals": {
                "restaked_wei": str(self.total_restaked_wei),
                "undelegated_wei": str(self.undelegated_wei),
                "slashable_any_wei": str(self.slashable_any_wei),
                "slashable_share": str(self.slashable_share),
                "avs_count": self.avs_count,
                "avs_exposure_wei": {k: str(v) for k, v in sorted(self.avs_exposure_wei.items())},
                "largest_avs": None
                if largest is None
                else {"avs": largest[0], "slashable_wei": str(largest[1])},
                "queued_slashable_wei": str(self.queued_slashable_wei),
                "operators_queued_slashable_wei": str(self.operators_queued_slashable_wei),
                "pending": [p.to_json() for p in self.pending],
            },
        }


__all__ = [
    "OperatorExposure",
    "PendingChange",
    "PodFactor",
    "RestakingExposure",
    "SetExposure",
    "SlashRecord",
]
