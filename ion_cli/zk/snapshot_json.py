"""Read back a `Snapshot` from its JSON form (`Snapshot.to_json()`), strictly.

Pure. `ion prove` writes the snapshot next to the receipt so anyone can recompute the features
from the validators the proof was made from; `ion verify` and `ion risk --snapshot FILE` read it.
"""

from __future__ import annotations

from typing import Any

from ion_cli.beacon.snapshot import Snapshot, StateRef, Validator


class SnapshotFormatError(ValueError):
    pass


def _int(d: dict[str, Any], key: str) -> int:
    value = d.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise SnapshotFormatError(f"{key}: expected an integer")
    try:
        return int(value)
    except ValueError as exc:
        raise SnapshotFormatError(f"{key}: expected an integer") from exc


def _str(d: dict[str, Any], key: str) -> str:
    value = d.get(key)
    if not isinstance(value, str):
        raise SnapshotFormatError(f"{key}: expected a string")
    return value


def _bool(d: dict[str, Any], key: str) -> bool:
    value = d.get(key)
    if not isinstance(value, bool):
        raise SnapshotFormatError(f"{key}: expected true or false")
    return value


def validator_from_json(d: dict[str, Any]) -> Validator:
    return Validator(
        index=_int(d, "index"),
        pubkey=_str(d, "pubkey"),
        withdrawal_credentials=_str(d, "withdrawal_credentials"),
        effective_balance=_int(d, "effective_balance"),
        balance=_int(d, "balance"),
        slashed=_bool(d, "slashed"),
        activation_eligibility_epoch=_int(d, "activation_eligibility_epoch"),
        activation_epoch=_int(d, "activation_epoch"),
        exit_epoch=_int(d, "exit_epoch"),
        withdrawable_epoch=_int(d, "withdrawable_epoch"),
        status=_str(d, "status"),
    )


def snapshot_from_json(d: Any) -> Snapshot:
    if not isinstance(d, dict) or not isinstance(d.get("state"), dict):
        raise SnapshotFormatError("not a snapshot (no 'state' object)")
    s = d["state"]
    state = StateRef(
        slot=_int(s, "slot"),
        state_root=_str(s, "state_root"),
        block_root=_str(s, "block_root"),
        finalized=_bool(s, "finalized"),
        execution_optimistic=_bool(s, "execution_optimistic"),
    )
    raw = d.get("validators")
    if not isinstance(raw, list) or not all(isinstance(v, dict) for v in raw):
        raise SnapshotFormatError("validators: expected a list of objects")
    notes = d.get("notes", [])
    return Snapshot(
        state=state,
        validators=tuple(validator_from_json(v) for v in raw),
        source=str(d.get("source", "")),
        complete=bool(d.get("complete", True)),
        cross_checked=d.get("cross_checked") is True,
        notes=tuple(str(n) for n in notes) if isinstance(notes, list) else (),
    )
