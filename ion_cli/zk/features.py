"""The model's inputs: eight deterministic features of a validator set, each in [0, 1].

Pure (stdlib only). Every feature is computed in exact rational arithmetic from integers (Gwei,
epochs) and then quantized to q in [0, 1024] (`layout.quantize`: round half up); the model and
the proof see q / 1024, and the receipt records q, so anyone can recompute them from the
validators the receipt lists. The set is the snapshot's validators that are not yet withdrawable
at the snapshot's epoch (`rule.is_live`); `B` is their total effective balance. Shares are
weighted by effective balance, not by count (a 2048-ETH 0x02 validator weighs 64 32-ETH ones).

| # | name                      | definition                                                       |
|---|---------------------------|------------------------------------------------------------------|
| 0 | slashed_share             | effective balance of slashed validators / B                      |
| 1 | pending_correlation_share | ... slashed with the correlation penalty still to come / B       |
| 2 | active_share              | ... active (activation <= epoch < exit) / B                      |
| 3 | exiting_share             | ... unslashed and exiting or exited (exit epoch set) / B         |
| 4 | shortfall                 | kink(sum max(0, effective - balance) / B), see below             |
| 5 | network_share             | min(1, B / T), T = the network's active balance                  |
| 6 | correlation_loss          | kink(pending correlation penalties / B): what the correlation    |
|   |                           | penalties still to come will take (per `rule.loss`, W = the      |
|   |                           | set's live slashed balance plus others, T = network active)      |
| 7 | concentration             | Herfindahl index of B over withdrawal credentials (pods, vaults) |

An empty set (B = 0) has every feature 0. The shortfall s goes through a kink so that losses of
a fraction of a percent survive the 1/1024 quantization and large ones still show:
kink(s) = 16 s for s <= 1/32 (reaching 0.5), then 0.5 + (s - 1/32) x 16/31 (reaching 1 at s = 1).

The rule's loss is about unkink(shortfall) + unkink(correlation_loss): the model's job is to
combine the two through the kinks (piecewise linear, which a ReLU layer represents), and the
other features let it learn what the rule leaves out (they carry little weight today). An
earlier set had the correlation *rate* instead and left the model a product of two features to
learn, which 16 ReLUs did poorly at small losses (a 0.6% loss scored 0).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from ion_cli import consensus_rules as cr
from ion_cli.beacon.snapshot import Snapshot
from ion_cli.zk import layout
from ion_cli.zk.rule import (
    NetworkContext,
    correlation_pending,
    is_active,
    is_live,
    shortfall,
    slashed_in_window,
    total_active,
)

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


def compute(snapshot: Snapshot, network: NetworkContext | None = None) -> Features:
    network = network or NetworkContext()
    epoch = snapshot.state.epoch
    live = [v for v in snapshot.validators if is_live(v, epoch)]
    total = sum(v.effective_balance for v in live)
    if total == 0:
        zeros = tuple(Fraction(0) for _ in layout.FEATURE_NAMES)
        return Features(zeros, tuple(0 for _ in zeros), len(live), 0)

    def share(amount: int) -> Fraction:
        return Fraction(amount, total)

    slashed = sum(v.effective_balance for v in live if v.slashed)
    pending = sum(v.effective_balance for v in live if correlation_pending(v, epoch))
    active = sum(v.effective_balance for v in live if is_active(v, epoch))
    exiting = sum(
        v.effective_balance for v in live if not v.slashed and v.exit_epoch != cr.FAR_FUTURE_EPOCH
    )
    short = sum(shortfall(v) for v in live)
    network_total = total_active(snapshot, network)
    window = slashed_in_window(snapshot, network)
    pending_penalty = sum(
        min(cr.correlation_penalty(v.effective_balance, window, network_total), v.balance)
        for v in live
        if correlation_pending(v, epoch)
    )
    by_credential: dict[str, int] = defaultdict(int)
    for v in live:
        by_credential[v.withdrawal_credentials.lower()] += v.effective_balance
    herfindahl = sum((share(b) ** 2 for b in by_credential.values()), Fraction(0))

    values = (
        share(slashed),
        share(pending),
        share(active),
        share(exiting),
        kink(share(short)),
        _clamp(Fraction(total, network_total)) if network_total else Fraction(0),
        kink(share(pending_penalty)),
        herfindahl,
    )
    return Features(
        values=values,
        quantized=tuple(quantize_exact(x) for x in values),
        validators=len(live),
        effective_balance=total,
    )


def quantize_exact(x: Fraction) -> int:
    """round(x * 1024) half up, exactly (no float on the way)."""
    scaled = x * layout.FEATURE_ONE
    q = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
    return min(max(q, 0), layout.FEATURE_ONE)
