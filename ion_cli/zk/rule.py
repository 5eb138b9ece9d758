"""The plain consensus rule behind the risk score: what a validator set stands to lose.

Pure (stdlib only), built on `ion_cli.consensus_rules` (Electra slashing), so the devnet's beacon
server, the model's training labels and `ion risk`'s "rule" column compute the same figure.

The loss of a validator set at a beacon state, in Gwei, counts two things for every validator
that is not yet withdrawable (`epoch < withdrawable_epoch`; afterwards its ETH is back on the
execution layer):
- the shortfall `max(0, effective_balance - balance)`: what the consensus layer has already
  taken (the initial slashing penalty, effective_balance / 4096 since Electra; inactivity and
  offline penalties) and rewards have not made good;
- for a slashed validator whose correlation penalty is still to come (applied at the epoch
  halfway to withdrawability), that penalty: per effective-balance increment,
  min(3 x slashed-in-window, total active) / total active increments. The slashed-in-window sum
  counts this set's slashed validators plus `NetworkContext.other_slashed`; the total is the
  network's active balance (`NetworkContext.active_balance`).
The loss fraction divides it by the set's effective balance (the same validators). Not counted:
forward-looking risk (validators that are fine today), the penalties a slashed validator keeps
paying until it exits, and anything the LRT protocol does off the beacon chain.

`hypothetical_slashing` applies a slashing to a snapshot (what `ion risk --what-if-slashed`
shows): the chosen validators are marked slashed at the snapshot's epoch, pay the initial penalty
at once, and are set to exit, with withdrawability pushed EPOCHS_PER_SLASHINGS_VECTOR out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ion_cli import consensus_rules as cr
from ion_cli.beacon.snapshot import Snapshot, Validator

GWEI_PER_ETH = 10**9
# Used when the network's total active balance is not known (mainnet, late 2026, rounded).
DEFAULT_NETWORK_ACTIVE_BALANCE = 35_000_000 * GWEI_PER_ETH


@dataclass(frozen=True)
class NetworkContext:
    """What the rule needs from outside the set: the network's total active balance (Gwei) and
    the balance slashed in the current window by validators outside the set (Gwei)."""

    active_balance: int = DEFAULT_NETWORK_ACTIVE_BALANCE
    other_slashed: int = 0

    def to_json(self) -> dict[str, int]:
        return {"active_balance": self.active_balance, "other_slashed": self.other_slashed}


def is_live(v: Validator, epoch: int) -> bool:
    """Still on the consensus layer (not withdrawable yet): its balance can still be penalised."""
    return epoch < v.withdrawable_epoch


def is_active(v: Validator, epoch: int) -> bool:
    return v.activation_epoch <= epoch < v.exit_epoch


def correlation_pending(v: Validator, epoch: int) -> bool:
    """Slashed, and the epoch that applies its correlation penalty has not been processed.

    A state in epoch e has processed epochs up to e - 1; the penalty comes with the processing
    of `withdrawable_epoch - EPOCHS_PER_SLASHINGS_VECTOR / 2`.
    """
    return (
        v.slashed
        and is_live(v, epoch)
        and epoch <= cr.correlation_penalty_epoch(v.withdrawable_epoch)
    )


def shortfall(v: Validator) -> int:
    return max(0, v.effective_balance - v.balance)


def set_active_balance(snapshot: Snapshot) -> int:
    epoch = snapshot.state.epoch
    return sum(v.effective_balance for v in snapshot.validators if is_active(v, epoch))


def slashed_in_window(snapshot: Snapshot, network: NetworkContext) -> int:
    """The slashings-vector sum the correlation penalty sees: the set's slashed validators that
    are still live (slashed within the last EPOCHS_PER_SLASHINGS_VECTOR epochs) plus others."""
    epoch = snapshot.state.epoch
    own = sum(v.effective_balance for v in snapshot.validators if v.slashed and is_live(v, epoch))
    return own + network.other_slashed


def total_active(snapshot: Snapshot, network: NetworkContext) -> int:
    """The network's total active balance, never below the set's own."""
    return max(network.active_balance, set_active_balance(snapshot))


@dataclass(frozen=True)
class Loss:
    """The rule's figure for one snapshot (Gwei), with its parts."""

    shortfall: int
    correlation_pending: int
    effective_balance: int  # of the live validators: the denominator

    @property
    def total(self) -> int:
        return self.shortfall + self.correlation_pending

    @property
    def fraction(self) -> float:
        return self.total / self.effective_balance if self.effective_balance else 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "shortfall_gwei": self.shortfall,
            "correlation_pending_gwei": self.correlation_pending,
            "total_gwei": self.total,
            "effective_balance_gwei": self.effective_balance,
            "fraction": self.fraction,
        }


def loss(snapshot: Snapshot, network: NetworkContext | None = None) -> Loss:
    network = network or NetworkContext()
    epoch = snapshot.state.epoch
    window = slashed_in_window(snapshot, network)
    total = total_active(snapshot, network)
    short = corr = eb = 0
    for v in snapshot.validators:
        if not is_live(v, epoch):
            continue
        eb += v.effective_balance
        short += shortfall(v)
        if correlation_pending(v, epoch):
            # decrease_balance floors at zero: a validator cannot lose more than it holds.
            corr += min(cr.correlation_penalty(v.effective_balance, window, total), v.balance)
    return Loss(shortfall=short, correlation_pending=corr, effective_balance=eb)


# ---- what if -----------------------------------------------------------------------------------


def slashable(snapshot: Snapshot) -> list[Validator]:
    """The validators a new slashing could hit (active, not slashed), worst first: the largest
    effective balance first, then by index, so the choice is deterministic."""
    epoch = snapshot.state.epoch
    pool = [v for v in snapshot.validators if is_active(v, epoch) and not v.slashed]
    return sorted(pool, key=lambda v: (-v.effective_balance, v.index))


def slash_validator(v: Validator, epoch: int) -> Validator:
    """The validator as `slash_validator` leaves it at `epoch` (ignoring the exit churn)."""
    exit_epoch = v.exit_epoch
    withdrawable = v.withdrawable_epoch
    if exit_epoch == cr.FAR_FUTURE_EPOCH:
        exit_epoch = cr.exit_epoch_after(epoch)
        withdrawable = exit_epoch + cr.MIN_VALIDATOR_WITHDRAWABILITY_DELAY
    withdrawable = cr.slashed_withdrawable_epoch(epoch, withdrawable)
    penalty = cr.initial_slashing_penalty(v.effective_balance)
    return replace(
        v,
        slashed=True,
        balance=max(0, v.balance - penalty),
        exit_epoch=exit_epoch,
        withdrawable_epoch=withdrawable,
        status="active_slashed",
    )


def hypothetical_slashing(snapshot: Snapshot, count: int) -> Snapshot:
    """The snapshot with `count` more validators slashed now (see `slashable` for which)."""
    if count < 0:
        raise ValueError("count must be >= 0")
    chosen = {v.index for v in slashable(snapshot)[:count]}
    epoch = snapshot.state.epoch
    validators = tuple(
        slash_validator(v, epoch) if v.index in chosen else v for v in snapshot.validators
    )
    note = f"hypothetical: {len(chosen)} more validator(s) slashed at epoch {epoch}"
    return replace(snapshot, validators=validators, notes=(*snapshot.notes, note))


def count_for_share(snapshot: Snapshot, share: float) -> int:
    """How many validators `share` (0..1) of the slashable ones is, rounded up."""
    if not 0.0 <= share <= 1.0:
        raise ValueError("share must be within [0, 1]")
    pool = len(slashable(snapshot))
    return min(pool, math.ceil(share * pool - 1e-9))
