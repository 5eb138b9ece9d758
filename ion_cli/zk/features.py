"""The model's inputs: eight deterministic features of a validator set, each in [0, 1].

Pure (stdlib only). Every feature is a function of the committed snapshot's root sums
(`ion_cli.zk.sumtree`, names in brackets) and of two network-level inputs (T, the network's
total active balance; W_o, the balance slashed in the window by validators outside the set),
computed in exact integer arithmetic and quantized to q in [0, 1024] (round half up): the
RiskFeed's `FeatureMath` library computes the same integers on chain from the same sums, and
the submission is refused unless they equal the proof's feature instances. The set is the
LRT's validators that are not yet withdrawable (`rule.is_live`); B = [live_effective].

| # | name                      | definition (B = 0: every feature 0)                              |
|---|---------------------------|------------------------------------------------------------------|
| 0 | slashed_share             | [slashed_effective] / B                                          |
| 1 | pending_correlation_share | [pending_effective] / B (slashed, correlation penalty to come)   |
| 2 | active_share              | [active_effective] / B                                           |
| 3 | exiting_share             | [exiting_effective] / B (unslashed, exit epoch set)              |
| 4 | shortfall                 | kink([shortfall] / B), shortfall = sum max(0, effective - bal.)  |
| 5 | network_share             | min(1, B / T'), T' = max(T, [active_effective])                  |
| 6 | correlation_loss          | kink(c x ([pending_effective] / 1 ETH) / B), c = the correlation |
|   |                           | penalty per increment: min(3 W, T') // (T' // 1 ETH), W =        |
|   |                           | [slashed_effective] + W_o                                        |
| 7 | compounding_share         | [compounding_effective] / B (0x02 credentials)                   |

Changed for the committed snapshot (model v3): `concentration` (the Herfindahl index over
withdrawal credentials) is not a function of sums over one index-sorted tree (it needs every
credential's total, squared), so it is replaced by `compounding_share`; `correlation_loss` no
longer caps each validator's penalty at its balance (a per-validator minimum is not a function
of sums; the cap binds only when a third of the network is slashed and the kink is saturated
there anyway). The rule (`rule.loss`) is unchanged: it still applies the cap.

The shortfall s goes through a kink so that losses of a fraction of a percent survive the
1/1024 quantization and large ones still show: kink(s) = 16 s for s <= 1/32 (reaching 0.5),
then 0.5 + (s - 1/32) x 16/31 = (15 + 16 s) / 31 (reaching 1 at s = 1).

The rule's loss is about unkink(shortfall) + unkink(correlation_loss): the model's job is to
combine the two through the kinks (piecewise linear, which a ReLU layer represents).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ion_cli import consensus_rules as cr
from ion_cli.beacon.snapshot import Snapshot
from ion_cli.zk import layout
from ion_cli.zk.rule import NetworkContext

KINK_AT = Fraction(1, 32)


def kink(s: Fraction) -> Fraction:
    """The shortfall feature: steep (x16) up to 1/32, then gentle up to 1 (both clamped)."""
    s = _clamp(s)
    if s <= KINK_AT:
        return 16 * s
    return Fraction(1, 2) + (s - KINK_AT) * Fraction(16, 31)


def unkink(f: float) -> float:
    """The shortfall fraction a shortfall feature stands for (the inverse of `kink`)."""
    if f <= 0.5:
        return f / 16
    return 1 / 32 + (f - 0.5) * 31 / 16


@dataclass(frozen=True)
class Features:
    values: tuple[Fraction, ...]  # exact, in [0, 1], `layout.FEATURE_NAMES` order
    quantized: tuple[int, ...]  # what the model and the proof see, q in [0, 1024]
    validators: int  # live validators counted
    effective_balance: int  # B, Gwei

    def as_floats(self) -> tuple[float, ...]:
        """The values the model computes on: q / 1024 (exact in float32)."""
        return tuple(q / layout.FEATURE_ONE for q in self.quantized)

    def to_json(self) -> dict[str, object]:
        return {
            "names": list(layout.FEATURE_NAMES),
            "quantized": list(self.quantized),
            "values": [q / layout.FEATURE_ONE for q in self.quantized],
            "validators": self.validators,
            "effective_balance_gwei": self.effective_balance,
        }


def _clamp(x: Fraction) -> Fraction:
    return min(max(x, Fraction(0)), Fraction(1))


def sums_of(snapshot: Snapshot) -> tuple[int, ...]:
    """The root sums of the snapshot's committed tree (without hashing anything)."""
    from ion_cli.zk import sumtree

    total = sumtree.ZERO_SUMS
    for v in snapshot.validators:
        total = sumtree.add_sums(total, sumtree.leaf_sums(v, snapshot.state.epoch))
    return total


def compute(snapshot: Snapshot, network: NetworkContext | None = None) -> Features:
    network = network or NetworkContext()
    return from_sums(sums_of(snapshot), network.active_balance, network.other_slashed)


def _share(n: int, d: int) -> Fraction:
    return _clamp(Fraction(n, d)) if d else Fraction(0)


def from_sums(sums: tuple[int, ...], network_active: int, other_slashed: int) -> Features:
    """The features of a committed snapshot from its root sums (`sumtree.SUM_NAMES` order) and
    the two network-level inputs; exactly what `FeatureMath.sol` computes."""
    from ion_cli.zk import sumtree

    s = dict(zip(sumtree.SUM_NAMES, sums, strict=True))
    b = s["live_effective"]
    if b == 0:
        zeros = tuple(Fraction(0) for _ in layout.FEATURE_NAMES)
        return Features(zeros, tuple(0 for _ in zeros), s["live"], 0)
    t = max(network_active, s["active_effective"])
    window = s["slashed_effective"] + other_slashed
    per_increment = cr.correlation_penalty(cr.EFFECTIVE_BALANCE_INCREMENT, window, t)
    pending_penalty = per_increment * (s["pending_effective"] // cr.EFFECTIVE_BALANCE_INCREMENT)
    values = (
        _share(s["slashed_effective"], b),
        _share(s["pending_effective"], b),
        _share(s["active_effective"], b),
        _share(s["exiting_effective"], b),
        kink(_share(s["shortfall"], b)),
        _share(b, t),
        kink(_share(pending_penalty, b)),
        _share(s["compounding_effective"], b),
    )
    return Features(
        values=values,
        quantized=tuple(quantize_exact(x) for x in values),
        validators=s["live"],
        effective_balance=b,
    )


def quantize_exact(x: Fraction) -> int:
    """round(x * 1024) half up, exactly (no float on the way)."""
    scaled = x * layout.FEATURE_ONE
    q = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
    return min(max(q, 0), layout.FEATURE_ONE)
