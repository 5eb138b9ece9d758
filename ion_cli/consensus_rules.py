"""Consensus-layer rules that move validator balances: slashing, correlation penalty, status.

Pure and stdlib-only. The devnet's beacon server applies these to its synthetic state, and the
risk rule of the zkML proofs (`ion risk`) computes the loss a slashing causes with the same
functions, so the two can never disagree. Constants and formulas follow the consensus specs of
the fork mainnet runs (Electra rules for slashing, unchanged in Fulu). Amounts are in Gwei.
"""

from __future__ import annotations

from dataclasses import dataclass

FAR_FUTURE_EPOCH = 2**64 - 1
SLOTS_PER_EPOCH = 32
SECONDS_PER_SLOT = 12
EFFECTIVE_BALANCE_INCREMENT = 1_000_000_000  # 1 ETH in Gwei
MIN_ACTIVATION_BALANCE = 32_000_000_000
MAX_EFFECTIVE_BALANCE_ELECTRA = 2_048_000_000_000
EPOCHS_PER_SLASHINGS_VECTOR = 8192
MIN_SLASHING_PENALTY_QUOTIENT_ELECTRA = 4096
WHISTLEBLOWER_REWARD_QUOTIENT_ELECTRA = 4096
PROPORTIONAL_SLASHING_MULTIPLIER_BELLATRIX = 3
MIN_VALIDATOR_WITHDRAWABILITY_DELAY = 256
MAX_SEED_LOOKAHEAD = 4

# Withdrawal-credential prefixes.
BLS_WITHDRAWAL_PREFIX = 0x00
ETH1_ADDRESS_WITHDRAWAL_PREFIX = 0x01
COMPOUNDING_WITHDRAWAL_PREFIX = 0x02


def max_effective_balance(withdrawal_credentials: bytes | str) -> int:
    """32 ETH for 0x00/0x01 credentials, 2048 ETH for 0x02 (compounding) ones."""
    prefix = _prefix(withdrawal_credentials)
    if prefix == COMPOUNDING_WITHDRAWAL_PREFIX:
        return MAX_EFFECTIVE_BALANCE_ELECTRA
    return MIN_ACTIVATION_BALANCE


def _prefix(withdrawal_credentials: bytes | str) -> int:
    if isinstance(withdrawal_credentials, str):
        text = withdrawal_credentials.removeprefix("0x")
        return int(text[:2], 16) if len(text) >= 2 else 0
    return withdrawal_credentials[0] if withdrawal_credentials else 0


def initial_slashing_penalty(effective_balance: int) -> int:
    """Taken from the balance at the moment of slashing (Electra: 1/4096)."""
    return effective_balance // MIN_SLASHING_PENALTY_QUOTIENT_ELECTRA


def whistleblower_reward(effective_balance: int) -> int:
    """Paid to the whistleblower and proposer (not to the slashed validator)."""
    return effective_balance // WHISTLEBLOWER_REWARD_QUOTIENT_ELECTRA


def correlation_penalty(
    effective_balance: int, slashed_in_window: int, total_active_balance: int
) -> int:
    """The proportional penalty applied halfway to withdrawability (Electra `process_slashings`).

    `slashed_in_window` is the sum of the slashings vector (the effective balances slashed in the
    last EPOCHS_PER_SLASHINGS_VECTOR epochs, this validator's included); Electra computes the
    penalty per effective-balance increment, so it is a whole multiple of the per-increment figure.
    """
    if total_active_balance <= 0:
        return 0
    adjusted = min(
        slashed_in_window * PROPORTIONAL_SLASHING_MULTIPLIER_BELLATRIX, total_active_balance
    )
    increments_total = total_active_balance // EFFECTIVE_BALANCE_INCREMENT
    if increments_total == 0:
        return 0
    per_increment = adjusted // increments_total
    return per_increment * (effective_balance // EFFECTIVE_BALANCE_INCREMENT)


def slashed_withdrawable_epoch(current_epoch: int, withdrawable_epoch: int) -> int:
    """A slashed validator cannot withdraw before EPOCHS_PER_SLASHINGS_VECTOR epochs pass."""
    return max(withdrawable_epoch, current_epoch + EPOCHS_PER_SLASHINGS_VECTOR)


def correlation_penalty_epoch(withdrawable_epoch: int) -> int:
    """The epoch whose processing applies the correlation penalty (mid-way to withdrawal)."""
    return withdrawable_epoch - EPOCHS_PER_SLASHINGS_VECTOR // 2


def exit_epoch_after(current_epoch: int) -> int:
    """Earliest exit epoch for an exit initiated now, ignoring the churn queue."""
    return current_epoch + 1 + MAX_SEED_LOOKAHEAD


@dataclass(frozen=True)
class SlashingLoss:
    """What slashing one validator costs its balance, in Gwei."""

    initial: int
    correlation: int

    @property
    def total(self) -> int:
        return self.initial + self.correlation


def slashing_loss(
    effective_balance: int, slashed_in_window: int, total_active_balance: int
) -> SlashingLoss:
    """Initial penalty plus correlation penalty for one validator among `slashed_in_window`."""
    return SlashingLoss(
        initial=initial_slashing_penalty(effective_balance),
        correlation=correlation_penalty(effective_balance, slashed_in_window, total_active_balance),
    )


def validator_status(
    *,
    epoch: int,
    slashed: bool,
    activation_eligibility_epoch: int,
    activation_epoch: int,
    exit_epoch: int,
    withdrawable_epoch: int,
    balance: int,
) -> str:
    """The beacon API's status string for a validator at `epoch` (the spec's status mapping)."""
    if activation_epoch > epoch:
        if activation_eligibility_epoch == FAR_FUTURE_EPOCH:
            return "pending_initialized"
        return "pending_queued"
    if exit_epoch > epoch:
        if exit_epoch == FAR_FUTURE_EPOCH:
            return "active_ongoing"
        return "active_slashed" if slashed else "active_exiting"
    if withdrawable_epoch > epoch:
        return "exited_slashed" if slashed else "exited_unslashed"
    return "withdrawal_possible" if balance > 0 else "withdrawal_done"


# Effective-balance hysteresis (Electra `process_effective_balance_updates`).
HYSTERESIS_QUOTIENT = 4
HYSTERESIS_DOWNWARD_MULTIPLIER = 1
HYSTERESIS_UPWARD_MULTIPLIER = 5


def effective_balance_after(
    balance: int, effective_balance: int, withdrawal_credentials: bytes | str
) -> int:
    """The effective balance after an epoch's update: it moves only when the balance leaves the
    hysteresis band (0.25 ETH below, 1.25 ETH above), then to whole ETH, capped per credential."""
    increment = EFFECTIVE_BALANCE_INCREMENT // HYSTERESIS_QUOTIENT
    downward = increment * HYSTERESIS_DOWNWARD_MULTIPLIER
    upward = increment * HYSTERESIS_UPWARD_MULTIPLIER
    if balance + downward < effective_balance or effective_balance + upward < balance:
        return min(
            balance - balance % EFFECTIVE_BALANCE_INCREMENT,
            max_effective_balance(withdrawal_credentials),
        )
    return effective_balance


# Status groups the beacon API's `status` filter accepts besides the nine statuses.
STATUS_GROUPS = {
    "pending": ("pending_initialized", "pending_queued"),
    "active": ("active_ongoing", "active_exiting", "active_slashed"),
    "exited": ("exited_unslashed", "exited_slashed"),
    "withdrawal": ("withdrawal_possible", "withdrawal_done"),
}
STATUSES = tuple(s for group in STATUS_GROUPS.values() for s in group)


def is_active(epoch: int, activation_epoch: int, exit_epoch: int) -> bool:
    return activation_epoch <= epoch < exit_epoch
