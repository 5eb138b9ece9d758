"""The restaking features of the risk model and the rule's restaking part (pure, stdlib only).

Two features, each q in [0, 1024] like the beacon features, computed in exact integers from
what EigenLayer's contracts say about the LRT's stakers (EigenPod owners) as of one execution
block B (the "pinned block", a public instance of the proof); `RestakingFeatures.sol` computes
the same integers on chain and the RiskFeed refuses a proof whose instances differ.

For each staker s of the LRT (found from its withdrawal credentials: credential -> EigenPod ->
podOwner), D_s = its native-ETH deposit shares x deposit scaling factor / WAD (the ETH it
restaked before any slash), and its operator's max magnitudes m_then = at block B - W and
m_now = at block B (`getMaxMagnitudesAtBlock`, a snapshotted view; WAD for an undelegated
staker). Then, rounding each product down as the contract does:

    then_s = D_s x m_then / WAD        now_s = D_s x m_now / WAD
    held   = sum then_s                lost  = sum (then_s - now_s)
    avs_loss               = kink(lost / held)     (0 when the LRT's rate already counts it)
    largest_operator_share = max over operators of (sum now_s of its stakers) / sum now_s

`avs_loss` is the share of the LRT's restaked ETH that AVSs slashed within the last W blocks (a
slash takes the same fraction of every staker's withdrawable shares as it takes of the
operator's max magnitude). `largest_operator_share` is the largest single exposure: what one
operator (the unit an AVS slashes) holds of the LRT's restaked ETH. It is forward-looking: the
rule does not weigh it (its weight is the model's to find, and it finds about none).

The rule's restaking part: a realized AVS loss is a haircut like a beacon-chain loss, added to
the beacon loss fraction (`extended_fraction`), unless the LRT's own exchange rate already
reflects it (then `avs_loss` is 0 and nothing is counted twice; see the model card).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ion_cli.zk import layout

WAD = 10**18


@dataclass(frozen=True)
class StakerPosition:
    staker: str
    operator: str | None  # None: not delegated
    deposit: int  # deposit shares x deposit scaling factor / WAD (wei)
    max_then: int  # the operator's max magnitude at B - W (WAD when undelegated)
    max_now: int  # at B

    @property
    def then(self) -> int:
        return self.deposit * self.max_then // WAD

    @property
    def now(self) -> int:
        return self.deposit * self.max_now // WAD

    def to_json(self) -> dict[str, object]:
        return {
            "staker": self.staker,
            "operator": self.operator,
            "deposit_wei": str(self.deposit),
            "max_magnitude_then": str(self.max_then),
            "max_magnitude_now": str(self.max_now),
        }


@dataclass(frozen=True)
class RestakingInputs:
    """What the features are computed from, as of the pinned block."""

    block: int
    window: int  # W, blocks
    counts_loss: bool  # False: the LRT's rate already reflects AVS losses (not counted twice)
    positions: tuple[StakerPosition, ...] = ()

    @property
    def held(self) -> int:
        return sum(p.then for p in self.positions)

    @property
    def lost(self) -> int:
        return sum(p.then - p.now for p in self.positions)

    def by_operator(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.positions:
            if p.operator is not None:
                key = p.operator.lower()
                out[key] = out.get(key, 0) + p.now
        return out

    @property
    def total_now(self) -> int:
        return sum(p.now for p in self.positions)

    def loss_fraction(self) -> Fraction:
        """The realized AVS loss the rule counts (0 when the rate already reflects it)."""
        if not self.counts_loss or self.held == 0:
            return Fraction(0)
        return Fraction(self.lost, self.held)

    def quantized(self) -> tuple[int, ...]:
        return quantize(self)

    def to_json(self) -> dict[str, object]:
        ops = self.by_operator()
        return {
            "names": list(layout.RESTAKING_NAMES),
            "quantized": list(self.quantized()),
            "values": [q / layout.FEATURE_ONE for q in self.quantized()],
            "pinned_block": self.block,
            "window_blocks": self.window,
            "counts_loss": self.counts_loss,
            "held_wei": str(self.held),
            "lost_wei": str(self.lost),
            "loss_fraction": float(self.loss_fraction()),
            "operators": {k: str(v) for k, v in sorted(ops.items())},
            "positions": [p.to_json() for p in self.positions],
        }


NONE = RestakingInputs(block=0, window=0, counts_loss=False)


def none(block: int = 0) -> RestakingInputs:
    """No restaked ETH known (an LRT without EigenLayer stakers): both features 0."""
    return RestakingInputs(block=block, window=0, counts_loss=False)


def ratio(n: int, d: int) -> int:
    """round(n / d x 1024) half up, clamped to [0, 1024]; 0 when d = 0 (FeatureMath.ratio)."""
    if d == 0:
        return 0
    if n >= d:
        return layout.FEATURE_ONE
    return (2 * layout.FEATURE_ONE * n + d) // (2 * d)


def kinked(a: int, b: int) -> int:
    """kink(a / b) quantized (FeatureMath.kinked): 16 s up to 1/32, then (15 + 16 s) / 31."""
    if b == 0:
        return 0
    if a >= b:
        return layout.FEATURE_ONE
    if 32 * a <= b:
        return ratio(16 * a, b)
    return ratio(15 * b + 16 * a, 31 * b)


def quantize(inputs: RestakingInputs) -> tuple[int, int]:
    loss = kinked(inputs.lost, inputs.held) if inputs.counts_loss else 0
    ops = inputs.by_operator()
    largest = ratio(max(ops.values(), default=0), inputs.total_now)
    return loss, largest


def from_fractions(loss: Fraction, largest: Fraction) -> tuple[int, int]:
    """The features of a synthetic scenario given as exact fractions (training data)."""
    scale = 10**12
    held = scale
    lost = int(loss * scale)
    return kinked(lost, held), ratio(int(largest * scale), scale)


def extended_fraction(beacon_fraction: float, avs_fraction: float) -> float:
    """The extended rule's loss: the beacon-chain loss fraction plus the realized AVS loss
    fraction (both of the same restaked ETH; additive, so over-counting by their product at
    most, which is below 0.25 pp while each stays under 5%)."""
    return beacon_fraction + avs_fraction
