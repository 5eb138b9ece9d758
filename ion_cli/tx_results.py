"""Typed results of the transaction journal reads and replacements (`ion tx`, `Ion.transactions`,
`Ion.transaction`, `Ion.speedup`, `Ion.cancel`). Pure module."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ion_cli.results import _Document

TxState = Literal["signed", "sent", "mined", "replaced", "dropped", "reorged"]


@dataclass(frozen=True)
class Transaction(_Document):
    """One journaled transaction: `state` is where it is (signed, sent, mined, replaced, dropped,
    reorged), `status` "success" or "reverted" once mined; `step` of `steps` in its plan."""

    hash: str
    state: str
    status: str | None
    chain_id: int
    sender: str
    plan_id: str
    title: str
    step: int
    steps: int
    nonce: int
    to: str
    method: str
    description: str
    block_number: int | None
    block_hash: str | None
    replaces: str | None
    replaced_by: str | None
    note: str
    signed_at: int  # Unix seconds

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Transaction:
        return cls(
            hash=str(row["hash"]),
            state=str(row["state"]),
            status=row.get("status"),
            chain_id=int(row["chain_id"]),
            sender=str(row["sender"]),
            plan_id=str(row["plan_id"]),
            title=str(row.get("title") or ""),
            step=int(row["step"]),
            steps=int(row["steps"]),
            nonce=int(row["nonce"]),
            to=str(row.get("to") or ""),
            method=str(row.get("method") or ""),
            description=str(row.get("description") or ""),
            block_number=row.get("block_number"),
            block_hash=row.get("block_hash"),
            replaces=row.get("replaces"),
            replaced_by=row.get("replaced_by"),
            note=str(row.get("note") or ""),
            signed_at=int(row.get("signed_at") or 0),
        )


@dataclass(frozen=True)
class Replacement(_Document):
    """A speed-up or cancel that was mined: `by` replaced `replaced` at the same nonce."""

    action: str  # "speed-up" or "cancel"
    replaced: str
    by: str
    nonce: int
    block_number: int
    status: str

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Replacement:
        return cls(
            action=str(row["action"]),
            replaced=str(row["replaced"]),
            by=str(row["by"]),
            nonce=int(row["nonce"]),
            block_number=int(row["block_number"]),
            status=str(row["status"]),
        )
