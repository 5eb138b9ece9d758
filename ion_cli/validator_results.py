"""Typed results of the validator reads (`ion validators show`, `Ion.validators`): the beacon
snapshot as the output contract names it (Gwei figures end in `_gwei`, as in `summary`). The
snapshot file format (ion_cli.beacon.snapshot) keeps its own field names. Pure module."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

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


@dataclass(frozen=True)
class AddressSummary:
    """The validators paying one withdrawal address (`pod`: an EigenPod) in Gwei figures;
    `by_status` counts them by beacon status, `credential_types` by 0x00/0x01/0x02."""

    address: str
    pod: bool
    count: int
    slashed: int
    balance_gwei: int
    effective_balance_gwei: int
    shortfall_gwei: int
    by_status: Mapping[str, int]
    credential_types: Mapping[str, int]

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> AddressSummary:
        return cls(
            address=str(doc.get("address", "")),
            pod=bool(doc.get("pod")),
            **_totals(doc),
        )


def _totals(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "count": int(doc["count"]),
        "slashed": int(doc["slashed"]),
        "balance_gwei": int(doc["balance_gwei"]),
        "effective_balance_gwei": int(doc["effective_balance_gwei"]),
        "shortfall_gwei": int(doc["shortfall_gwei"]),
        "by_status": {str(k): int(v) for k, v in doc["by_status"].items()},
        "credential_types": {str(k): int(v) for k, v in doc["credential_types"].items()},
    }


@dataclass(frozen=True)
class ValidatorSummary:
    """The validators behind an LRT at one beacon state (`ion validators summary`,
    `Ion.validator_summary`): counts, slashed, balances and shortfall in Gwei, in total and per
    withdrawal address; `complete` false when the adapter could not enumerate every one (the
    figures are then at least these). `to_json()` is the documented --json document."""

    symbol: str
    slot: int
    state_root: str
    finalized: bool
    source: str
    cross_checked: bool
    complete: bool
    method: str
    notes: tuple[str, ...]
    count: int
    slashed: int
    balance_gwei: int
    effective_balance_gwei: int
    shortfall_gwei: int
    by_status: Mapping[str, int]
    credential_types: Mapping[str, int]
    by_address: tuple[AddressSummary, ...]
    document: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> ValidatorSummary:
        state = doc["state"]
        return cls(
            symbol=str(doc["symbol"]),
            slot=int(state["slot"]),
            state_root=str(state["state_root"]),
            finalized=bool(state["finalized"]),
            source=str(doc.get("source") or ""),
            cross_checked=bool(doc.get("cross_checked")),
            complete=bool(doc["complete"]),
            method=str(doc.get("method") or ""),
            notes=tuple(str(n) for n in doc.get("notes") or ()),
            by_address=tuple(AddressSummary.of(a) for a in doc["by_address"]),
            document=doc,
            **_totals(doc),
        )

    def with_extra(self, key: str, value: Any) -> ValidatorSummary:
        """The same summary with one more field in its document (`restaking`, as the CLI adds
        the LRT's EigenLayer exposure beside it)."""
        return replace(self, document={**self.document, key: value})

    def to_json(self) -> Mapping[str, Any]:
        return self.document
