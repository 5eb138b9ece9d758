"""The one object the risk proofs and the monitor consume: validators at one beacon state.

Pure data (stdlib only). The client (`ion_cli.beacon.client`) builds it; `ion risk`/`ion prove`
compute features from it; `ion watch` compares two of them. Balances are in Gwei, epochs as
integers (FAR_FUTURE_EPOCH = 2**64 - 1 for "not set").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ion_cli.consensus_rules import SLOTS_PER_EPOCH


@dataclass(frozen=True)
class Validator:
    index: int
    pubkey: str  # 0x-prefixed, 48 bytes
    withdrawal_credentials: str  # 0x-prefixed, 32 bytes
    effective_balance: int  # Gwei
    balance: int  # Gwei
    slashed: bool
    activation_eligibility_epoch: int
    activation_epoch: int
    exit_epoch: int
    withdrawable_epoch: int
    status: str

    @property
    def credential_type(self) -> str:
        """'0x00', '0x01' or '0x02'."""
        return self.withdrawal_credentials[:4]

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "pubkey": self.pubkey,
            "withdrawal_credentials": self.withdrawal_credentials,
            "effective_balance": self.effective_balance,
            "balance": self.balance,
            "slashed": self.slashed,
            "activation_eligibility_epoch": self.activation_eligibility_epoch,
            "activation_epoch": self.activation_epoch,
            "exit_epoch": self.exit_epoch,
            "withdrawable_epoch": self.withdrawable_epoch,
            "status": self.status,
        }


@dataclass(frozen=True)
class StateRef:
    """Which beacon state the data came from: every output names it."""

    slot: int
    state_root: str  # 0x-prefixed hash_tree_root of the BeaconState
    block_root: str  # 0x-prefixed root of the block at (or last before) `slot`
    finalized: bool
    execution_optimistic: bool

    @property
    def epoch(self) -> int:
        return self.slot // SLOTS_PER_EPOCH

    def to_json(self) -> dict[str, Any]:
        return {
            "slot": self.slot,
            "epoch": self.epoch,
            "state_root": self.state_root,
            "block_root": self.block_root,
            "finalized": self.finalized,
            "execution_optimistic": self.execution_optimistic,
        }


@dataclass(frozen=True)
class Snapshot:
    """Validators read at one state (never mixed across two states)."""

    state: StateRef
    validators: tuple[Validator, ...]
    # The source of the data (beacon node URL, without credentials or path secrets).
    source: str = ""
    # False when the token's validator set could not be fully enumerated (never shown as zero).
    complete: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)
    # True when two or more nodes agreed on the finalized checkpoint the data hangs off
    # (`--cross-check`); False: one node's word.
    cross_checked: bool = False

    @property
    def slot(self) -> int:
        return self.state.slot

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state.to_json(),
            "source": self.source,
            "cross_checked": self.cross_checked,
            "complete": self.complete,
            "notes": list(self.notes),
            "validators": [v.to_json() for v in self.validators],
        }
