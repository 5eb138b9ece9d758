"""The transaction journal: what ion signed, sent and saw mined, kept across crashes.

One SQLite database per chain (`<state>/journal/<chain>/journal.sqlite3`; standard library
`sqlite3`, WAL, `synchronous=FULL`), holding every account's records. Each record is one
committed transaction, fsynced before ion goes on: a step is written *before* it is broadcast
(chain id, genesis hash, sender, plan id, step index, nonce, raw signed transaction, hash), so a
process killed at any point leaves enough behind to find out what happened: the next write from
the account reconciles every unresolved entry with the chain before it plans anything
(`ion_cli.chain.reconcile`). A writer killed mid-transaction leaves nothing half-written:
SQLite rolls the transaction back when the database is next opened, so a torn write never
locks an account out.

Records ("event"): `plan` (the calls of a plan, so a rerun can finish it), `signed`, `sent`,
`mined` (block number and hash, status), `replaced` (by a speed-up or cancel of the same nonce),
`dropped` (the node no longer has it and its nonce is free or used by another transaction),
`reorged` (its block is gone), `orphaned` (recorded on another chain instance, e.g. a devnet
that was reset), `settled` (a plan's unmined steps are moot), `reported` (the command that ran
a plan printed its result). Every record is kept in `events`; the current state of each
transaction and plan is folded into `txs` and `plans` as it is written, indexed by account,
nonce, plan and hash, so a step's journal work is a few indexed statements whatever the
journal's length.

A journal of an earlier version (`<address>.jsonl` in the same folder) is imported once, the
first time the account's journal is opened, and the file is kept as it was.

Standard library only; no printing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli.chain.journal_db import (
    PLAN_COLUMNS,
    TX_COLUMNS,
    Entry,
    PlanRecord,
    apply_record,
    connect,
    entry_of_row,
    make_private,
    plan_of_row,
)
from ion_cli.paths import state_dir

if TYPE_CHECKING:
    import sqlite3

VERSION = 2  # records written by this version; 1 was the JSON-lines journal
DB_NAME = "journal.sqlite3"
READ_LIMIT = 256 * 1024 * 1024  # bytes: a legacy JSONL journal past this is not imported


def journal_dir() -> Path:
    return state_dir() / "journal"


def chain_dir(chain_id: int) -> Path:
    return journal_dir() / str(int(chain_id))


def database_path(chain_id: int) -> Path:
    return chain_dir(chain_id) / DB_NAME


def journal_path(chain_id: int, address: str) -> Path:
    """Where the JSON-lines journal of an earlier version lived (imported once, kept)."""
    return chain_dir(chain_id) / f"{address.lower()}.jsonl"


def plan_key(chain_id: int, sender: str, intent: str) -> str:
    """A stable id for "this command from this account on this chain": the same command run
    again gets the same id, so an interrupted plan can be found and finished."""
    text = f"{int(chain_id)}|{sender.lower()}|{' '.join(intent.split())}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Journal:
    """The journal of one account on one chain (a view of the chain's database)."""

    def __init__(
        self,
        path: Path,
        account: str = "",
        *,
        legacy: Path | None = None,
        legacy_genesis: str | None = None,
    ) -> None:
        self.path = path  # the database file
        self.account = account.lower()
        # the JSON-lines journal of an earlier version to import once, and the genesis its
        # records must carry to be this chain's (None: all of them)
        self.legacy = legacy if legacy is not None else journal_path_in(path.parent, account)
        self.legacy_genesis = legacy_genesis
        self._db: sqlite3.Connection | None = None

    @classmethod
    def for_account(cls, chain_id: int, address: str) -> Journal:
        """The journal in the folder of the chain id alone (tests; use `for_chain`)."""
        return cls(database_path(chain_id), address)

    @classmethod
    def for_chain(cls, identity: str, address: str, *, chain_id: int, genesis: str) -> Journal:
        """The account's journal on the chain `identity` (`ion_cli.chain.identity`): one
        database per chain identity, so two devnets (both chain 31337) or a mainnet fork never
        share one. The JSONL journal an earlier version kept per chain id is imported once,
        only its records of this genesis."""
        return cls(
            journal_dir() / identity / DB_NAME,
            address,
            legacy=journal_path(chain_id, address),
            legacy_genesis=genesis.lower(),
        )

    def exists(self) -> bool:
        """Whether anything was ever journaled for this chain (no file is created to ask)."""
        return self.path.exists() or self.legacy.exists()

    def _absent(self) -> bool:
        """Nothing on disk for this chain: a read answers empty and creates nothing."""
        return self._db is None and not self.exists()

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = connect(self.path)
            self._import_legacy()
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # ------------------------------------------------------------------ writing

    def append(self, record: Mapping[str, Any]) -> None:
        """Add one record, committed (and so fsynced) before returning: the caller may be
        killed next."""
        full = {"v": VERSION, "time": time.time(), **record}
        with self._transaction() as db:
            apply_record(db, self.account, full)
        make_private(self.path.with_name(self.path.name + "-wal"))

    def _import_legacy(self) -> None:
        """The account's JSON-lines journal of an earlier version, once; the file is kept."""
        assert self._db is not None
        db = self._db
        if not self.account:
            return
        done = db.execute("SELECT 1 FROM imports WHERE account = ?", (self.account,)).fetchone()
        if done is not None:
            return
        legacy = self.legacy
        records, skipped = _read_legacy(legacy)
        if self.legacy_genesis is not None:
            records = _of_genesis(records, self.legacy_genesis)
        db.execute("BEGIN IMMEDIATE")
        try:
            again = db.execute(
                "SELECT 1 FROM imports WHERE account = ?", (self.account,)
            ).fetchone()
            if again is None:  # another process may have imported it while we waited
                for record in records:
                    apply_record(db, self.account, record)
                db.execute(
                    "INSERT INTO imports(account, path, records, skipped, time) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (self.account, str(legacy), len(records), skipped, time.time()),
                )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

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

    def record_settled(self, plan_id: str, note: str) -> None:
        """The plan's unmined steps are moot (another command did or undid what they would):
        a rerun must not finish it."""
        self.append({"event": "settled", "plan_id": plan_id, "note": note})

    def record_reported(self, plan_id: str) -> None:
        """The command that ran the plan printed its result: a rerun of the same command is a
        new request, not the report of this one."""
        self.append({"event": "reported", "plan_id": plan_id})

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
        """Every record of the account in order (the whole history: for audits and tests)."""
        if self._absent():
            return []
        rows = self.db.execute(
            "SELECT body FROM events WHERE account = ? ORDER BY seq", (self.account,)
        )
        return [json.loads(body) for (body,) in rows]

    def entries(self) -> dict[str, Entry]:
        """Every transaction by hash (in the order first signed), its records folded."""
        if self._absent():
            return {}
        rows = self.db.execute(
            f"SELECT {TX_COLUMNS} FROM txs WHERE account = ? ORDER BY seq", (self.account,)
        )
        return {row[0]: entry_of_row(row) for row in rows}

    def find(self, tx_hash: str) -> Entry | None:
        if self._absent():
            return None
        for candidate in dict.fromkeys((tx_hash, tx_hash.lower())):
            row = self.db.execute(
                f"SELECT {TX_COLUMNS} FROM txs WHERE account = ? AND hash = ?",
                (self.account, candidate),
            ).fetchone()
            if row is not None:
                return entry_of_row(row)
        return None

    def unresolved(self) -> list[Entry]:
        if self._absent():
            return []
        rows = self.db.execute(
            f"SELECT {TX_COLUMNS} FROM txs WHERE account = ? AND state IN "
            "('signed', 'sent', 'reorged') ORDER BY +seq",  # + : found by state, then sorted
            (self.account,),
        )
        return [entry_of_row(row) for row in rows]

    def recent_mined(self, genesis: str, since_block: int, limit: int) -> list[Entry]:
        """Mined entries recorded on the chain of `genesis` in blocks after `since_block`
        (at most `limit`, the latest), oldest first."""
        if self._absent():
            return []
        rows = self.db.execute(
            f"SELECT {TX_COLUMNS} FROM txs WHERE account = ? AND state = 'mined' AND "
            "block_number > ? AND genesis = ? ORDER BY seq DESC LIMIT ?",
            (self.account, int(since_block), genesis, int(limit)),
        ).fetchall()
        return [entry_of_row(row) for row in reversed(rows)]

    def plan_entries(self, plan_id: str) -> list[Entry]:
        if self._absent():
            return []
        rows = self.db.execute(
            f"SELECT {TX_COLUMNS} FROM txs WHERE account = ? AND plan_id = ? ORDER BY seq",
            (self.account, plan_id),
        )
        return [entry_of_row(row) for row in rows]

    def plan(self, plan_id: str) -> PlanRecord | None:
        if self._absent():
            return None
        row = self.db.execute(
            f"SELECT {PLAN_COLUMNS} FROM plans WHERE account = ? AND plan_id = ?",
            (self.account, plan_id),
        ).fetchone()
        return None if row is None else plan_of_row(row)

    def plans(self) -> dict[str, PlanRecord]:
        """The latest plan record per plan id."""
        if self._absent():
            return {}
        rows = self.db.execute(
            f"SELECT {PLAN_COLUMNS} FROM plans WHERE account = ? ORDER BY seq", (self.account,)
        )
        return {row[0]: plan_of_row(row) for row in rows}

    def open_plans(self, genesis: str) -> list[PlanRecord]:
        """Plans with a transaction on file that are neither complete nor failed nor settled:
        the candidates to finish (their steps are checked by the caller)."""
        if self._absent():
            return []
        rows = self.db.execute(
            f"SELECT {PLAN_COLUMNS} FROM plans WHERE account = ? AND open = 1 AND "
            "genesis = ? AND settled = '' ORDER BY seq",
            (self.account, genesis),
        )
        return [plan_of_row(row) for row in rows]

    def plans_of(self, intent: str) -> list[PlanRecord]:
        """Every plan recorded for `intent` (a `plan_key`), oldest first."""
        if self._absent():
            return []
        rows = self.db.execute(
            f"SELECT {PLAN_COLUMNS} FROM plans WHERE account = ? AND intent = ? ORDER BY seq",
            (self.account, intent),
        )
        return [plan_of_row(row) for row in rows]

    def last_plan(self) -> PlanRecord | None:
        """The plan of the account's latest signed transaction (None for a speed-up or
        cancel, which belong to no plan of their own)."""
        if self._absent():
            return None
        row = self.db.execute(
            "SELECT plan_id FROM txs WHERE account = ? AND replaces IS NULL "
            "ORDER BY seq DESC LIMIT 1",
            (self.account,),
        ).fetchone()
        return None if row is None else self.plan(row[0])


def journal_path_in(folder: Path, account: str) -> Path:
    return folder / f"{account.lower()}.jsonl"


def _read_legacy(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The records of a JSON-lines journal, and how many lines could not be read (a line cut
    short by a kill, glued to the next record, is skipped: the file itself is never changed)."""
    from ion_cli.atomic import read_bounded

    if not path.is_file():
        return [], 0
    data = read_bounded(path, "transaction journal", limit=READ_LIMIT)
    records: list[dict[str, Any]] = []
    skipped = 0
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            skipped += 1
            continue
        if isinstance(record, dict) and "event" in record:
            records.append(record)
        else:
            skipped += 1
    return records, skipped


def _of_genesis(records: list[dict[str, Any]], genesis: str) -> list[dict[str, Any]]:
    """The records of the chain whose genesis hash is `genesis`: its plans and signed
    transactions, and every later record about them."""
    hashes: set[str] = set()
    plans: set[str] = set()
    kept: list[dict[str, Any]] = []
    for record in records:
        event = record.get("event")
        if event in ("plan", "signed"):
            if str(record.get("genesis", "")).lower() != genesis:
                continue
            if event == "plan":
                plans.add(str(record.get("plan_id")))
            else:
                hashes.add(str(record.get("hash")))
            kept.append(record)
        elif str(record.get("hash")) in hashes or str(record.get("plan_id")) in plans:
            kept.append(record)
    return kept


def all_journals() -> list[Path]:
    root = journal_dir()
    if not root.exists():
        return []
    return sorted(root.glob(f"*/{DB_NAME}"))


def chain_journals(chain_id: int) -> list[Path]:
    """The journal folders of every identity of `chain_id` (every devnet is 31337)."""
    root = journal_dir()
    if not root.exists():
        return []
    return sorted(p for p in root.glob(f"{int(chain_id)}-*") if (p / DB_NAME).exists())
