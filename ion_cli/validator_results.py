"""Typed results of the validator reads (`ion validators show`, `Ion.validators`): the beacon
snapshot as the output contract names it (Gwei figures end in `_gwei`, as in `summary`). The
snapshot file format (ion_cli.beacon.snapshot) keeps its own field names. Pure module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ion_cli.results import _Document

if TYPE_CHECKING:
    from ion_cli.beacon.snapshot import Snapshot, StateRef, Validator


@dataclass(frozen=True)
class ValidatorRow(_Document):
    """One validator at the state read; balances in Gwei, epochs as integers (2**64 - 1: not
    set)."""

    index: int
    pubkey: str
    withdrawal_credentials: str
    effective_balance_gwei: int
    balance_gwei: int
    slashed: bool
    activation_eligibility_epoch: int
    activation_epoch: int
    exit_epoch: int
    withdrawable_epoch: int
    status: str

    @classmethod
    def of(cls, v: Validator) -> ValidatorRow:
        return cls(
            index=v.index,
            pubkey=v.pubkey,
            withdrawal_credentials=v.withdrawal_credentials,
            effective_balance_gwei=v.effective_balance,
            balance_gwei=v.balance,
            slashed=v.slashed,
            activation_eligibility_epoch=v.activation_eligibility_epoch,
            activation_epoch=v.activation_epoch,
            exit_epoch=v.exit_epoch,
            withdrawable_epoch=v.withdrawable_epoch,
            status=v.status,
        )


@dataclass(frozen=True)
class ValidatorSet(_Document):
    """Validators read at one beacon state (`state`: slot, epoch, roots, finality)."""

    state: StateRef
    source: str
    cross_checked: bool
    complete: bool
    notes: tuple[str, ...]
    validators: tuple[ValidatorRow, ...]

    @classmethod
    def of(cls, snapshot: Snapshot) -> ValidatorSet:
        return cls(
            state=snapshot.state,
            source=snapshot.source,
            cross_checked=snapshot.cross_checked,
            complete=snapshot.complete,
            notes=tuple(snapshot.notes),
            validators=tuple(ValidatorRow.of(v) for v in snapshot.validators),
        )
