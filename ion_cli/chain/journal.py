"""The transaction journal: what ion signed, sent and saw mined, kept across crashes.

One append-only file of JSON lines per chain and account, in the user state dir
(`<state>/journal/<chain id>/<address>.jsonl`), mode 0600, each line fsynced before ion goes on.
A step is written *before* it is broadcast (chain id, genesis hash, sender, plan id, step index,
nonce, raw signed transaction, hash), so a process killed at any point leaves enough behind to
find out what happened: the next write from the account reconciles every unresolved entry with
the chain before it plans anything (`ion_cli.chain.reconcile`).

Records ("event"): `plan` (the calls of a plan, so a rerun can finish it), `signed`, `sent`,
`mined` (block number and hash, status), `replaced` (by a speed-up or cancel of the same nonce),
`dropped` (the node no longer has it and its nonce is free or used by another transaction),
`reorged` (its block is gone), `orphaned` (recorded on another chain instance, e.g. a devnet
that was reset). A file is never rewritten; its last line may be cut short by a kill, which is
ignored; any other damage is an error naming the file, which is left as it is.

Standard library only; no printing.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ion_cli.atomic import CorruptFileError, fsync_dir
from ion_cli.paths import state_dir

VERSION = 1
READ_LIMIT = 256 * 1024 * 1024  # bytes: a journal of a million steps is ~1 GB; refuse past this

# states an entry can be in; the first two are unresolved (the chain must be asked)
UNRESOLVED = ("signed", "sent")
FINAL = ("mined", "replaced", "dropped", "orphaned")


def journal_dir() -> Path:
    return state_dir() / "journal"


def journal_path(chain_id: int, address: str) -> Path:
    return journal_dir() / str(int(chain_id)) / f"{address.lower()}.jsonl"


def plan_key(chain_id: int, sender: str, intent: str) -> str:
    """A stable id for "this command from this account on this chain": the same command run
    again gets the same id, so an interrupted plan can be found and finished."""
    text = f"{int(chain_id)}|{sender.lower()}|{' '.join(intent.split())}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Entry:
    """One transaction as the journal knows it (the records folded in order)."""

    hash: str
    chain_id: int
    genesis: str
    sender: str
    plan_id: str
    step: int  # 0-based index in its plan
    steps: int
    nonce: int
    raw: str
    to: str = ""
    method: str = ""
    description: str = ""
    title: str = ""
    signed_at: float = 0.0
    state: str = "signed"
    status: int | None = None  # 1 success, 0 reverted (when mined)
    block_number: int | None = None
    block_hash: str | None = None
    replaces: str | None = None
    replaced_by: str | None = None
    note: str = ""

    @property
    def unresolved(self) -> bool:
        return self.state in UNRESOLVED or self.state == "reorged"

    def label(self) -> str:
        what = self.method or self.description or "transaction"
        return f"step {self.step + 1} of {self.steps} ({what}), nonce {self.nonce}"

    def to_json(self) -> dict[str, Any]:
        return {
            "hash": self.hash,
            "state": self.state,
            "status": None
            if self.status is None
            else ("success" if self.status == 1 else "reverted"),
            "chain_id": self.chain_id,
            "sender": self.sender,
            "plan_id": self.plan_id,
            "title": self.title,
            "step": self.step + 1,
            "steps": self.steps,
            "nonce": self.nonce,
            "to": self.to,
            "method": self.method,
            "description": self.description,
            "block_number": self.block_number,
            "block_hash": self.block_hash,
            "replaces": self.replaces,
            "replaced_by": self.replaced_by,
            "note": self.note,
            "signed_at": self.signed_at,
        }


@dataclass
class PlanRecord:
    plan_id: str
    title: str
    sender: str
    chain_id: int
    genesis: str
    calls: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    started_at: float = 0.0


class Journal:
    """The journal of one account on one chain."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_account(cls, chain_id: int, address: str) -> Journal:
        return cls(journal_path(chain_id, address))

    # ------------------------------------------------------------------ writing

    def append(self, record: Mapping[str, Any]) -> None:
        """Add one record and fsync it before returning (the caller may be killed next)."""
        line = json.dumps({"v": VERSION, "time": time.time(), **record}, sort_keys=True)
        directory = self.path.parent
        created = not self.path.exists()
        directory.mkdir(parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.fchmod(fd, 0o600)
            data = (line + "\n").encode("utf-8")
            while data:
                data = data[os.write(fd, data) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            fsync_dir(directory)

    def record_plan(
        self,
        *,
        plan_id: str,
        title: str,
        sender: str,
        chain_id: int,
        genesis: str,
        calls: Iterable[Mapping[str, Any]],
        summary: Mapping[str, Any] | None = None,
    ) -> None:
        self.append(
            {
                "event": "plan",
                "plan_id": plan_id,
                "title": title,
                "sender": sender,
                "chain_id": chain_id,
                "genesis": genesis,
                "calls": [dict(c) for c in calls],
                "summary": dict(summary or {}),
            }
        )

    def record_signed(
        self,
        *,
        tx_hash: str,
        raw: bytes | str,
        chain_id: int,
        genesis: str,
        sender: str,
        plan_id: str,
        step: int,
        steps: int,
        nonce: int,
        to: str = "",
        method: str = "",
        description: str = "",
        title: str = "",
        replaces: str | None = None,
    ) -> None:
        raw_hex = raw if isinstance(raw, str) else "0x" + raw.hex()
        self.append(
            {
                "event": "signed",
                "hash": tx_hash,
                "raw": raw_hex,
                "chain_id": chain_id,
                "genesis": genesis,
                "sender": sender,
                "plan_id": plan_id,
                "step": step,
                "steps": steps,
                "nonce": nonce,
                "to": to,
                "method": method,
                "description": description,
                "title": title,
                "replaces": replaces,
            }
        )

    def record_sent(self, tx_hash: str, note: str = "") -> None:
        self.append({"event": "sent", "hash": tx_hash, "note": note})

    def record_mined(
        self, tx_hash: str, *, block_number: int, block_hash: str, status: int
    ) -> None:
        self.append(
            {
                "event": "mined",
                "hash": tx_hash,
                "block_number": block_number,
                "block_hash": block_hash,
                "status": status,
            }
        )

    def record_replaced(self, tx_hash: str, by: str) -> None:
        self.append({"event": "replaced", "hash": tx_hash, "by": by})

    def record_dropped(self, tx_hash: str, reason: str) -> None:
        self.append({"event": "dropped", "hash": tx_hash, "note": reason})

    def record_reorged(self, tx_hash: str, reason: str) -> None:
        self.append({"event": "reorged", "hash": tx_hash, "note": reason})

    def record_orphaned(self, tx_hash: str, reason: str) -> None:
        self.append({"event": "orphaned", "hash": tx_hash, "note": reason})

    def record_note(self, tx_hash: str, note: str) -> None:
        """Something worth keeping that does not change the state (e.g. interrupted by SIGTERM)."""
        self.append({"event": "note", "hash": tx_hash, "note": note})

    # ------------------------------------------------------------------ reading

    def records(self) -> list[dict[str, Any]]:
        """Every record in order. A last line cut short by a kill is skipped; any other
        unreadable line is a CorruptFileError (the file is never repaired in place)."""
        from ion_cli.atomic import read_bounded

        if not self.path.exists():
            return []
        data = read_bounded(self.path, "transaction journal", limit=READ_LIMIT)
        lines = data.split(b"\n")
        complete, tail = lines[:-1], lines[-1]
        records: list[dict[str, Any]] = []
        for number, line in enumerate(complete, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (ValueError, UnicodeDecodeError):
                raise CorruptFileError(
                    self.path,
                    f"line {number} of the transaction journal is not JSON; move the file "
                    "aside to start a new journal",
                ) from None
            if not isinstance(record, dict) or "event" not in record:
                raise CorruptFileError(
                    self.path, f"line {number} of the transaction journal is not a record"
                )
            records.append(record)
        if tail.strip():
            # A record without its newline: the process died mid-write. Its fsync never
            # returned, so nothing was broadcast on the strength of it.
            try:
                record = json.loads(tail)
                if isinstance(record, dict) and "event" in record:
                    records.append(record)
            except (ValueError, UnicodeDecodeError):
                pass
        return records

    def entries(self) -> dict[str, Entry]:
        """Every transaction by hash (in the order first signed), its records folded."""
        found: dict[str, Entry] = {}
        for record in self.records():
            event = record.get("event")
            tx_hash = str(record.get("hash", ""))
            if event == "signed":
                found[tx_hash] = Entry(
                    hash=tx_hash,
                    chain_id=int(record.get("chain_id", 0)),
                    genesis=str(record.get("genesis", "")),
                    sender=str(record.get("sender", "")),
                    plan_id=str(record.get("plan_id", "")),
                    step=int(record.get("step", 0)),
                    steps=int(record.get("steps", 1)),
                    nonce=int(record.get("nonce", 0)),
                    raw=str(record.get("raw", "")),
                    to=str(record.get("to", "")),
                    method=str(record.get("method", "")),
                    description=str(record.get("description", "")),
                    title=str(record.get("title", "")),
                    signed_at=float(record.get("time", 0.0)),
                    replaces=record.get("replaces"),
                )
                continue
            entry = found.get(tx_hash)
            if entry is None:
                continue
            if event == "sent":
                if entry.state == "signed":
                    entry.state = "sent"
            elif event == "mined":
                entry.state = "mined"
                entry.status = int(record.get("status", 1))
                entry.block_number = int(record.get("block_number", 0))
                entry.block_hash = str(record.get("block_hash", ""))
            elif event == "replaced":
                entry.state = "replaced"
                entry.replaced_by = str(record.get("by", ""))
            elif event in ("dropped", "reorged", "orphaned"):
                entry.state = str(event)
                entry.note = str(record.get("note", ""))
                if event == "reorged":
                    entry.block_number = entry.block_hash = None
            elif event == "note":
                entry.note = str(record.get("note", ""))
        return found

    def plans(self) -> dict[str, PlanRecord]:
        """The latest plan record per plan id."""
        found: dict[str, PlanRecord] = {}
        for record in self.records():
            if record.get("event") != "plan":
                continue
            found[str(record.get("plan_id"))] = PlanRecord(
                plan_id=str(record.get("plan_id")),
                title=str(record.get("title", "")),
                sender=str(record.get("sender", "")),
                chain_id=int(record.get("chain_id", 0)),
                genesis=str(record.get("genesis", "")),
                calls=list(record.get("calls") or []),
                summary=dict(record.get("summary") or {}),
                started_at=float(record.get("time", 0.0)),
            )
        return found

    def unresolved(self) -> list[Entry]:
        return [e for e in self.entries().values() if e.unresolved]

    def find(self, tx_hash: str) -> Entry | None:
        return self.entries().get(tx_hash.lower()) or self.entries().get(tx_hash)


def all_journals() -> list[Path]:
    root = journal_dir()
    if not root.exists():
        return []
    return sorted(root.glob("*/*.jsonl"))


# ---------------------------------------------------------------------- the pipeline's observer

# "signed:2" = SIGKILL itself after journaling step 2's signature; "mined:2:TERM" = SIGTERM
# itself once step 2 is mined (stages: signed, sent, mined; steps count from 1)
KILL_ENV = "ION_TEST_KILL_AT"
TESTING_ENV = "ION_TESTING"  # the kill hook is honoured only when this is "1"


def _test_kill(stage: str, step_index: int) -> None:
    """A test hook: die at a named stage, as a power cut or `kill -9` would. Ignored unless
    ION_TESTING=1 is also set, so a stray variable cannot hurt a real user."""
    wanted = os.environ.get(KILL_ENV)
    if not wanted or os.environ.get(TESTING_ENV) != "1":
        return
    name, _, rest = wanted.partition(":")
    number, _, signal_name = rest.partition(":")
    if name == stage and (not number or number == str(step_index + 1)):
        import signal

        os.kill(os.getpid(), getattr(signal, f"SIG{signal_name or 'KILL'}"))


class JournalObserver:
    """Writes every stage of a plan to the journal; `on_signed` runs before the broadcast, so a
    transaction that may reach the node is always on disk first.

    Duck-typed against `ion_cli.chain.observer.Observer` (combined with the CLI's through
    `observer.combine`): `intent` is the command as typed, so a rerun finds its plan.
    """

    def __init__(self, journal: Journal, *, genesis: str, intent: str) -> None:
        self.journal = journal
        self.genesis = genesis
        self.intent = intent
        self._offset = 0
        self.signed: list[str] = []  # hashes signed through this observer, in order
        self.resumed_from: dict[str, int] = {}  # plan id -> steps already mined before this run

    def on_warning(self, message: str) -> None:
        pass

    def on_preview(self, preview: Any) -> None:
        if preview.plan.plan_id not in self.resumed_from:  # a resumed plan is on file already
            self.record_plan(preview.plan, sender=preview.sender, chain_id=preview.chain_id)

    def on_dry_run(self, result: Any) -> None:
        pass

    def on_signed(self, signed: Any) -> None:
        offset = self._offset = self.resumed_from.get(signed.plan_id, 0)
        earlier = self.journal.entries().get(signed.tx_hash)
        if earlier is not None and earlier.state in ("signed", "sent", "mined"):
            # The same signed bytes are already on file as live: another process (or an
            # earlier run) sent this very transaction. Its receipt is not this command's success.
            from ion_cli.errors import RefusedError

            raise RefusedError(
                f"collision: transaction {signed.tx_hash} ({earlier.label()}) was already "
                f"{earlier.state} by another ion process or an earlier run; nothing was sent "
                "by this one (see `ion tx status`)"
            )
        self.journal.record_signed(
            tx_hash=signed.tx_hash,
            raw=signed.raw_tx,
            chain_id=signed.chain_id,
            genesis=self.genesis,
            sender=signed.sender,
            plan_id=signed.plan_id,
            step=offset + signed.step_index,
            steps=offset + signed.step_count,
            nonce=signed.nonce,
            to=signed.to,
            method=signed.description,
            description=signed.description,
            title=signed.plan_title,
        )
        self.signed.append(signed.tx_hash)
        _test_kill("signed", offset + signed.step_index)

    def on_sent(self, step: Any) -> None:
        self.journal.record_sent(str(step.tx_hash))
        _test_kill("sent", self._offset + step.index)

    def on_receipt(self, step: Any) -> None:
        receipt = step.receipt
        block_hash = receipt.get("blockHash") if receipt is not None else None
        if block_hash is not None and not isinstance(block_hash, str):
            block_hash = "0x" + bytes(block_hash).hex()
        self.journal.record_mined(
            str(step.tx_hash),
            block_number=int(step.block_number or 0),
            block_hash=str(block_hash or ""),
            status=int(step.status if step.status is not None else 1),
        )
        _test_kill("mined", self._offset + step.index)

    def on_failed(self, result: Any, error: Any) -> None:
        for step in result.steps:
            if step.tx_hash and step.status is None:
                self.journal.record_note(
                    step.tx_hash, f"the command stopped before its receipt: {error.message}"
                )

    def on_done(self, result: Any) -> None:
        pass

    def record_plan(self, plan: Any, *, sender: str, chain_id: int) -> None:
        """The plan's calls, before the pipeline starts: what a rerun needs to finish it."""
        self.journal.record_plan(
            plan_id=plan.plan_id,
            title=plan.title,
            sender=sender,
            chain_id=chain_id,
            genesis=self.genesis,
            calls=[
                {
                    "to": c.to,
                    "data": "0x" + c.data.hex(),
                    "value": str(c.value),
                    "description": c.description,
                    "kind": c.kind,
                    "method": c.method,
                }
                for c in plan.calls
            ],
            summary={"intent": self.intent, "steps": len(plan.calls)},
        )
