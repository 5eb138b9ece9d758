"""Typed results of the risk reads and proofs (`Ion.risk`, `Ion.prove`, `Ion.verify`): the
figures a strategy compares, typed (Decimal ratios, int Gwei), beside the full document the
CLI prints (`to_json()`). Pure module."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any


def _ratio(value: object) -> Decimal:
    """A ratio of the report (a decimal string, or a float the model computed) as a Decimal."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))


@dataclass(frozen=True)
class RiskReport:
    """The consensus-layer risk of an LRT's validators at one beacon state (`ion risk`).

    `haircut` is the model's (what a proof would carry; 0.05 is 5%), `rule_haircut` and
    `rule_loss` the plain rule's beside it; `document` is the whole report."""

    lrt: str
    slot: int
    state_root: str
    finalized: bool
    complete: bool
    validators: int
    score: int  # the model's, signed: p = score / 1024
    p: Decimal
    haircut: Decimal
    rule_haircut: Decimal
    rule_loss: Decimal  # the rule's loss over the set's effective balance
    effective_balance_gwei: int
    document: Mapping[str, Any]

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> RiskReport:
        model, rule, state = doc["model"], doc["rule"], doc["state"]
        return cls(
            lrt=str(doc["lrt"]),
            slot=int(state["slot"]),
            state_root=str(state["state_root"]),
            finalized=bool(state["finalized"]),
            complete=bool(doc["complete"]),
            validators=int(doc["validators"]),
            score=int(model["score"]),
            p=_ratio(model["p"]),
            haircut=_ratio(model["haircut"]),
            rule_haircut=_ratio(rule["haircut"]),
            rule_loss=_ratio(rule["fraction"]),
            effective_balance_gwei=int(rule["effective_balance_gwei"]),
            document=doc,
        )

    def to_json(self) -> Mapping[str, Any]:
        return self.document


@dataclass(frozen=True)
class ProofResult:
    """What `ion prove` wrote: the folder (receipt, proof, keys' hashes), the model's figures
    the proof carries, the seconds it took."""

    folder: Path
    lrt: str
    slot: int
    score: int
    haircut: Decimal
    seconds: Decimal
    receipt: Mapping[str, Any]

    @classmethod
    def of(cls, folder: Path, receipt: Mapping[str, Any], seconds: float) -> ProofResult:
        output = receipt["output"]
        return cls(
            folder=folder,
            lrt=str(receipt["lrt"]),
            slot=int(receipt["beacon"]["slot"]),
            score=int(output["score"]),
            haircut=_ratio(output["haircut"]),
            seconds=Decimal(f"{seconds:.3f}"),
            receipt=receipt,
        )

    def to_json(self) -> dict[str, Any]:
        return {"folder": str(self.folder), "seconds": self.seconds, "receipt": self.receipt}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    skipped: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"check": self.name, "ok": self.ok, "skipped": self.skipped, "detail": self.detail}


@dataclass(frozen=True)
class VerifyReport:
    """`ion verify`: every check of a receipt; `ok` when none failed (skipped ones aside)."""

    receipt: str
    ok: bool
    checks: tuple[Check, ...]
    document: Mapping[str, Any]

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> VerifyReport:
        checks = tuple(
            Check(str(c["check"]), bool(c["ok"]), bool(c["skipped"]), str(c["detail"]))
            for c in doc.get("checks", [])
        )
        return cls(receipt=str(doc["receipt"]), ok=bool(doc["ok"]), checks=checks, document=doc)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.ok and not c.skipped)

    def to_json(self) -> Mapping[str, Any]:
        return self.document
