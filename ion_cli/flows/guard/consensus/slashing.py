"""`--deleverage-on-slashing PCT`: what the LRT's validators lost since the guard was armed.

Pure (stdlib only). When a guard is armed it records a `Baseline` of the LRT's validator set at
a finalized epoch: each validator's effective balance, its shortfall (`effective_balance -
balance`, at least 0) and whether it was already slashed. At each later finalized epoch
`measure` compares the set with it:

- slashed: the effective balance (as of the baseline) of every validator slashed since. That is
  what the slashing puts at stake: each loses 1/4096 at once and, 4096 epochs later, a
  correlation penalty that grows with everything slashed network-wide (up to all of it), and is
  forced out. A slashing of 5% of the set is "5%" here at once, hours before a proof moves the
  reserve rate;
- lost: what the others (not slashed) lost beyond the baseline, measured against the baseline's
  effective balance (an inactivity leak, offline penalties). Rewards and the sweep of balances
  above the effective balance are no loss, nor is a validator that exited and was withdrawn in
  the ordinary way (its ETH went back to the LRT).

The share is `(slashed + lost) / the baseline's effective balance` (of its live validators). The
trigger fires when it is above PCT; the guard then records a new baseline at that epoch, so each
event fires once and a later, separate event is measured afresh. The episode key names the
baseline it was measured from: a restart that measures the same event again finds it given.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ion_cli import consensus_rules as cr

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ion_cli.beacon.snapshot import Validator

GWEI = 10**9


def _live(v: Validator, epoch: int) -> bool:
    """Still on the consensus layer (not withdrawable yet): its balance can still be penalised."""
    return epoch < v.withdrawable_epoch


@dataclass(frozen=True)
class Baseline:
    """The LRT's set when the guard was armed (or last fired): index -> (effective balance,
    shortfall, slashed), Gwei."""

    lrt: str
    epoch: int
    state_root: str
    rows: dict[int, tuple[int, int, bool]] = field(default_factory=dict)

    @property
    def effective_balance(self) -> int:
        """The denominator: the effective balance of the validators not slashed at the
        baseline (a slashed one has nothing left to put at stake)."""
        return sum(eb for eb, _, slashed in self.rows.values() if not slashed)

    @property
    def key(self) -> str:
        """Names this baseline (the episode key of the event measured from it)."""
        digest = hashlib.sha256(f"{self.lrt}:{self.epoch}:{self.state_root}".encode()).hexdigest()
        return f"slashing:{self.lrt}:{self.epoch}:{digest[:12]}"

    def to_json(self) -> dict[str, Any]:
        # runs of consecutive indices alike ([first, count, eb, shortfall, slashed]): a set of
        # thousands of 32 ETH validators is a few runs (it is saved with the guard's memory)
        runs: list[list[int]] = []
        for i, (eb, short, slashed) in sorted(self.rows.items()):
            last = runs[-1] if runs else None
            if (
                last is not None
                and last[0] + last[1] == i
                and last[2:] == [eb, short, int(slashed)]
            ):
                last[1] += 1
            else:
                runs.append([i, 1, eb, short, int(slashed)])
        return {"lrt": self.lrt, "epoch": self.epoch, "state_root": self.state_root, "runs": runs}

    @classmethod
    def from_json(cls, raw: Any) -> Baseline:
        if not isinstance(raw, dict):
            raise ValueError("a slashing baseline is an object")
        rows = {}
        for run in raw.get("runs", []):
            if not (isinstance(run, list) and len(run) == 5):
                raise ValueError(
                    f"a baseline run is [first, count, eb, shortfall, slashed]: {run!r}"
                )
            first, count, eb, short, slashed = (int(x) for x in run)
            for i in range(first, first + count):
                rows[i] = (eb, short, bool(slashed))
        return cls(
            lrt=str(raw["lrt"]),
            epoch=int(raw["epoch"]),
            state_root=str(raw["state_root"]),
            rows=rows,
        )


def baseline(lrt: str, epoch: int, state_root: str, validators: Iterable[Validator]) -> Baseline:
    """The set at `epoch` as a baseline (validators already withdrawable are left out)."""
    rows = {
        v.index: (v.effective_balance, max(0, v.effective_balance - v.balance), v.slashed)
        for v in validators
        if _live(v, epoch)
    }
    return Baseline(lrt=lrt, epoch=epoch, state_root=state_root, rows=rows)


@dataclass(frozen=True)
class SlashingSignal:
    """What the set lost since the baseline, at one finalized epoch."""

    lrt: str
    epoch: int
    baseline_epoch: int
    key: str  # the episode: the baseline it was measured from
    slashed: tuple[int, ...]  # validators slashed since the baseline
    slashed_gwei: int  # their effective balance (at stake)
    initial_penalty_gwei: int  # what their slashing took at once (1/4096 of it each)
    lost_gwei: int  # balance the others lost beyond the baseline
    base_gwei: int  # the baseline's effective balance

    @property
    def share(self) -> Fraction:
        if self.base_gwei <= 0:
            return Fraction(0)
        return Fraction(self.slashed_gwei + self.lost_gwei, self.base_gwei)

    def above(self, threshold: Fraction) -> bool:
        """The trigger's condition: more than `threshold` of the set's effective balance."""
        return self.share > threshold

    def to_json(self) -> dict[str, Any]:
        return {
            "lrt": self.lrt,
            "epoch": self.epoch,
            "baseline_epoch": self.baseline_epoch,
            "episode": self.key,
            "slashed": list(self.slashed),
            "slashed_gwei": self.slashed_gwei,
            "initial_penalty_gwei": self.initial_penalty_gwei,
            "lost_gwei": self.lost_gwei,
            "base_gwei": self.base_gwei,
            "share": float(self.share),
        }


def measure(base: Baseline, epoch: int, validators: Iterable[Validator]) -> SlashingSignal:
    """The set at `epoch` against `base`."""
    slashed: list[int] = []
    slashed_gwei = initial = lost = 0
    for v in validators:
        before = base.rows.get(v.index)
        if v.slashed and (before is None or not before[2]):
            # slashed since the baseline (a validator that joined since counts too: its stake
            # is the LRT's) -- at stake: its effective balance before the slashing
            eb = before[0] if before is not None else v.effective_balance
            slashed.append(v.index)
            slashed_gwei += eb
            initial += cr.initial_slashing_penalty(eb)
            continue
        if before is None or before[2] or not _live(v, epoch):
            continue  # joined since, slashed before, or withdrawn: no loss of the baseline's
        eb0, short0, _ = before
        lost += max(0, max(0, eb0 - v.balance) - short0)
    return SlashingSignal(
        lrt=base.lrt,
        epoch=epoch,
        baseline_epoch=base.epoch,
        key=base.key,
        slashed=tuple(sorted(slashed)),
        slashed_gwei=slashed_gwei,
        initial_penalty_gwei=initial,
        lost_gwei=lost,
        base_gwei=base.effective_balance,
    )


def describe(signal: SlashingSignal) -> str:
    """One line for people."""
    from ion_cli.flows.guard.consensus.shares import percent

    parts = []
    if signal.slashed:
        n = len(signal.slashed)
        parts.append(
            f"{n} validator{'s' if n != 1 else ''} slashed ({signal.slashed_gwei / GWEI:,.0f} ETH "
            "at stake)"
        )
    if signal.lost_gwei:
        parts.append(f"{signal.lost_gwei / GWEI:,.4f} ETH of balance lost by the others")
    what = "; ".join(parts) or "no loss"
    return (
        f"{signal.lrt}: {what} since finalized epoch {signal.baseline_epoch}: "
        f"{percent(signal.share)} of its effective balance (epoch {signal.epoch})"
    )
