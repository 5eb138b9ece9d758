"""Typed results of the reserve oracle and of the risk feed's submissions (`Ion.oracle`,
`Ion.update_oracle`'s before and after, `Ion.pending_submissions`, `Ion.judge_submission`,
`ion oracle finalize`): the figures a script compares, typed (rates and fractions as exact
Decimals, wei as int, times as Unix seconds), beside the document the CLI prints (`to_json()`,
the documented --json shape). Pure module."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any


def _decimal(value: object) -> Decimal:
    """A decimal string of a document (or a float some reader computed) as an exact Decimal."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))


def _wad(value: object) -> Decimal:
    """A WAD integer (or its digit string) as the exact fraction it stands for."""
    return Decimal(int(str(value))).scaleb(-18)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class FeedSubmission:
    """One submission of a market's risk feed: `status` pending, final, challenged or
    superseded; `score` and `haircut` as fractions (0.05 is 5%); `seconds_left` of its
    challenge window and `finalizable` when read for the pending list (else None)."""

    id: int
    status: str
    slot: int
    submitter: str
    score: Decimal
    haircut: Decimal
    bond_wei: int
    submitted_at: int
    deadline: int
    state_root: str
    block_root: str
    commitment_hash: str
    credentials_hash: str
    seconds_left: int | None
    finalizable: bool | None
    document: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> FeedSubmission:
        left, ready = doc.get("seconds_left"), doc.get("finalizable")
        return cls(
            id=int(doc["id"]),
            status=str(doc["status"]),
            slot=int(doc["slot"]),
            submitter=str(doc["submitter"]),
            score=_wad(doc["score"]),
            haircut=_wad(doc["haircut_wad"]),
            bond_wei=int(str(doc["bond_wei"])),
            submitted_at=int(doc["submitted_at"]),
            deadline=int(doc["deadline"]),
            state_root=str(doc["state_root"]),
            block_root=str(doc["block_root"]),
            commitment_hash=str(doc["commitment_hash"]),
            credentials_hash=str(doc["credentials_hash"]),
            seconds_left=None if left is None else int(left),
            finalizable=None if ready is None else bool(ready),
            document=doc,
        )

    def to_json(self) -> Mapping[str, Any]:
        return self.document


@dataclass(frozen=True)
class FeedScore:
    """The score a market's risk feed holds as final (what the reserve rate reads): `accepted`
    false before the first proof (its figures None then), `error` when the feed could not be
    read; `score` and `haircut` as fractions, `age_seconds` since its slot when read with a
    time (`ion markets`, `ion position`)."""

    feed: str
    accepted: bool
    error: str | None
    model_hash: str | None
    slot: int | None
    slot_time: int | None
    accepted_at: int | None
    score: Decimal | None
    haircut: Decimal | None
    age_seconds: int | None
    submitter: str | None
    state_root: str | None
    document: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> FeedScore:
        def number(key: str) -> int | None:
            value = doc.get(key)
            return None if value is None else int(value)

        score, haircut = doc.get("score"), doc.get("haircut_wad")
        return cls(
            feed=str(doc.get("feed") or ""),
            accepted=bool(doc.get("accepted")),
            error=_text(doc.get("error")),
            model_hash=_text(doc.get("model_hash")),
            slot=number("slot"),
            slot_time=number("slot_time"),
            accepted_at=number("accepted_at"),
            score=None if score is None else _wad(score),
            haircut=None if haircut is None else _wad(haircut),
            age_seconds=number("age_seconds"),
            submitter=_text(doc.get("submitter")),
            state_root=_text(doc.get("state_root")),
            document=doc,
        )

    def to_json(self) -> Mapping[str, Any]:
        return self.document


@dataclass(frozen=True)
class FeedCredentials:
    """The withdrawal credentials the feed would snapshot with a submission now, and where they
    come from (`error` when the feed has no credential source: an older deployment)."""

    source: str | None
    how: str | None
    credentials: tuple[str, ...]
    error: str | None
    document: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> FeedCredentials:
        return cls(
            source=_text(doc.get("source")),
            how=_text(doc.get("how")),
            credentials=tuple(str(c) for c in doc.get("credentials") or ()),
            error=_text(doc.get("error")),
            document=doc,
        )

    def to_json(self) -> Mapping[str, Any]:
        return self.document


@dataclass(frozen=True)
class OracleView:
    """A market's reserve oracle (`ion oracle show`): the rate liquidations use, its target
    (the protocol rate, capped by the mean of the counted feeds), what one update may move it
    to (`clamp_bounds`, `next_rate`) and when (`can_update`, `next_update_at`). Rates are
    exact Decimals (base asset per collateral token), `max_change` a fraction."""

    market: str
    reserve_oracle: str
    current_rate: Decimal
    protocol_rate: Decimal
    target_rate: Decimal
    next_rate: Decimal
    max_change: Decimal
    clamp_bounds: tuple[Decimal, Decimal]
    feeds: tuple[str, ...]
    quorum: int
    feed_rates: tuple[Decimal, ...]
    updates_to_target: int
    last_updated: int
    never_updated: bool
    cooldown_seconds: int
    next_update_at: int
    seconds_until_next_update: int
    can_update: bool
    block_time: int
    credentials: FeedCredentials | None = None
    # the feed's pending submissions (None: not read, or the market has no permissionless feed)
    pending: tuple[FeedSubmission, ...] | None = None
    document: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> OracleView:
        lower, upper = doc["clamp_bounds"]
        creds = doc.get("risk_feed_credentials")
        pending = doc.get("pending_submissions")
        return cls(
            market=str(doc["market"]),
            reserve_oracle=str(doc["reserve_oracle"]),
            current_rate=_decimal(doc["current_rate"]),
            protocol_rate=_decimal(doc["protocol_rate"]),
            target_rate=_decimal(doc["target_rate"]),
            next_rate=_decimal(doc["next_rate"]),
            max_change=_decimal(doc["max_change"]),
            clamp_bounds=(_decimal(lower), _decimal(upper)),
            feeds=tuple(str(f) for f in doc["feeds"]),
            quorum=int(doc["quorum"]),
            feed_rates=tuple(_decimal(r) for r in doc["feed_rates"]),
            updates_to_target=int(doc["updates_to_target"]),
            last_updated=int(doc["last_updated"]),
            never_updated=bool(doc["never_updated"]),
            cooldown_seconds=int(doc["cooldown_seconds"]),
            next_update_at=int(doc["next_update_at"]),
            seconds_until_next_update=int(doc["seconds_until_next_update"]),
            can_update=bool(doc["can_update"]),
            block_time=int(doc["block_time"]),
            credentials=None if creds is None else FeedCredentials.of(creds),
            pending=None if pending is None else tuple(FeedSubmission.of(p) for p in pending),
            document=doc,
        )

    def with_pending(self, rows: Iterable[FeedSubmission]) -> OracleView:
        """The same view with the feed's pending submissions (as `ion oracle show` lists)."""
        listed = tuple(rows)
        document = {**self.document, "pending_submissions": [r.to_json() for r in listed]}
        return replace(self, pending=listed, document=document)

    def to_json(self) -> Mapping[str, Any]:
        return self.document


@dataclass(frozen=True)
class SubmissionJudgement:
    """Whether a feed submission is sound (`ion challenge`, `Ion.judge_submission`): `why` in
    words; a false one names its first disagreement (`finding`) and the fraud proof's function
    (`fraud_proof`), which needs the submitter's tree (`tree_file`)."""

    market: str
    feed: str
    submission: FeedSubmission
    sound: bool
    why: str
    finding: str | None  # the kind of the first disagreement (None when sound)
    fraud_proof: str | None
    tree_file: str | None
    document: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> SubmissionJudgement:
        finding = doc.get("finding")
        return cls(
            market=str(doc["market"]),
            feed=str(doc["feed"]),
            submission=FeedSubmission.of(doc["submission"]),
            sound=bool(doc["sound"]),
            why=str(doc.get("why") or ""),
            finding=_text(finding.get("kind")) if isinstance(finding, Mapping) else None,
            fraud_proof=_text(doc.get("fraud_proof")),
            tree_file=_text(doc.get("tree_file")),
            document=doc,
        )

    def to_json(self) -> Mapping[str, Any]:
        return self.document
