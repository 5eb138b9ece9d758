"""The journal's SQLite storage: the schema, the database's opening (0600, WAL,
synchronous=FULL), the entry and plan records read back from its rows, and the fold of each
written record into the current state of its transaction and plan (`apply_record`). The
journal itself (`ion_cli.chain.journal`) is the per-account view on it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli.atomic import CorruptFileError, fsync_dir

if TYPE_CHECKING:
    import sqlite3

SCHEMA = 1
BUSY_TIMEOUT = 60.0  # seconds: another account's writer on the same database holds it briefly

# states an entry can be in; the first two are unresolved (the chain must be asked)
UNRESOLVED = ("signed", "sent")
FINAL = ("mined", "replaced", "dropped", "orphaned")


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
    # why its unmined steps will never be sent (e.g. the gem it would deposit was returned)
    settled: str = ""
    # the command that ran it printed its result (a rerun of the same command runs anew)
    reported: bool = False


SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events(
    seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, event TEXT NOT NULL,
    hash TEXT, plan_id TEXT, time REAL NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_hash ON events(account, hash);
CREATE TABLE IF NOT EXISTS txs(
    account TEXT NOT NULL, hash TEXT NOT NULL, seq INTEGER NOT NULL, chain_id INTEGER NOT NULL,
    genesis TEXT NOT NULL, sender TEXT NOT NULL, plan_id TEXT NOT NULL, step INTEGER NOT NULL,
    steps INTEGER NOT NULL, nonce INTEGER NOT NULL, raw TEXT NOT NULL, to_address TEXT NOT NULL,
    method TEXT NOT NULL, description TEXT NOT NULL, title TEXT NOT NULL,
    signed_at REAL NOT NULL, state TEXT NOT NULL, status INTEGER, block_number INTEGER,
    block_hash TEXT, replaces TEXT, replaced_by TEXT, note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY(account, hash));
CREATE INDEX IF NOT EXISTS txs_by_state ON txs(account, state, seq);
CREATE INDEX IF NOT EXISTS txs_by_plan ON txs(account, plan_id);
CREATE INDEX IF NOT EXISTS txs_by_nonce ON txs(account, nonce);
CREATE INDEX IF NOT EXISTS txs_by_seq ON txs(account, seq);
CREATE INDEX IF NOT EXISTS txs_mined ON txs(account, state, block_number);
CREATE TABLE IF NOT EXISTS plans(
    account TEXT NOT NULL, plan_id TEXT NOT NULL, seq INTEGER NOT NULL, title TEXT NOT NULL,
    sender TEXT NOT NULL, chain_id INTEGER NOT NULL, genesis TEXT NOT NULL,
    calls TEXT NOT NULL, summary TEXT NOT NULL, started_at REAL NOT NULL,
    settled TEXT NOT NULL DEFAULT '', reported INTEGER NOT NULL DEFAULT 0,
    open INTEGER NOT NULL DEFAULT 0, intent TEXT NOT NULL DEFAULT '',
    PRIMARY KEY(account, plan_id));
CREATE INDEX IF NOT EXISTS plans_open ON plans(account, open);
CREATE INDEX IF NOT EXISTS plans_by_intent ON plans(account, intent);
CREATE TABLE IF NOT EXISTS imports(account TEXT PRIMARY KEY, path TEXT NOT NULL,
    records INTEGER NOT NULL, skipped INTEGER NOT NULL, time REAL NOT NULL);
"""

TX_COLUMNS = (
    "hash, chain_id, genesis, sender, plan_id, step, steps, nonce, raw, to_address, method, "
    "description, title, signed_at, state, status, block_number, block_hash, replaces, "
    "replaced_by, note"
)
PLAN_COLUMNS = (
    "plan_id, title, sender, chain_id, genesis, calls, summary, started_at, settled, reported"
)


def entry_of_row(row: tuple[Any, ...]) -> Entry:
    return Entry(
        hash=row[0],
        chain_id=int(row[1]),
        genesis=row[2],
        sender=row[3],
        plan_id=row[4],
        step=int(row[5]),
        steps=int(row[6]),
        nonce=int(row[7]),
        raw=row[8],
        to=row[9],
        method=row[10],
        description=row[11],
        title=row[12],
        signed_at=float(row[13]),
        state=row[14],
        status=row[15],
        block_number=row[16],
        block_hash=row[17],
        replaces=row[18],
        replaced_by=row[19],
        note=row[20] or "",
    )


def plan_of_row(row: tuple[Any, ...]) -> PlanRecord:
    return PlanRecord(
        plan_id=row[0],
        title=row[1],
        sender=row[2],
        chain_id=int(row[3]),
        genesis=row[4],
        calls=list(json.loads(row[5]) or []),
        summary=dict(json.loads(row[6]) or {}),
        started_at=float(row[7]),
        settled=row[8] or "",
        reported=bool(row[9]),
    )


def make_private(path: Path) -> None:
    """0600 whatever the umask (SQLite creates -wal and -shm with the database's mode)."""
    try:
        if path.exists() and (path.stat().st_mode & 0o777) != 0o600:
            os.chmod(path, 0o600)
    except OSError:
        pass


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the journal database at `path`: 0600 in a 0700 folder, WAL,
    synchronous=FULL (a commit is on disk when it returns)."""
    return open_private_db(path, SCHEMA_SQL, SCHEMA, "the transaction journal")


def open_private_db(path: Path, schema_sql: str, schema: int, what: str) -> sqlite3.Connection:
    """Open (creating if needed) a private SQLite file of ion's (the journal, the guard store):
    0600 in a 0700 folder, WAL, synchronous=FULL, `schema_sql` applied and `schema` recorded in
    its `meta` table. An unreadable file is a CorruptFileError naming `what`."""
    import sqlite3

    directory = path.parent
    created = not directory.exists()
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    if not path.exists():
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        fsync_dir(directory)
        if created:
            fsync_dir(directory.parent)
    make_private(path)
    try:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(schema_sql)
        db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)", (str(schema),))
    except sqlite3.DatabaseError as exc:
        raise CorruptFileError(path, f"{what} cannot be opened ({exc}); move it aside") from None
    for suffix in ("-wal", "-shm"):
        make_private(path.with_name(path.name + suffix))
    return db


def apply_record(db: sqlite3.Connection, account: str, record: Mapping[str, Any]) -> None:
    """Keep `record` and fold it into the current state of its transaction or plan."""
    event = str(record.get("event", ""))
    tx_hash = record.get("hash")
    plan_id = record.get("plan_id")
    stamp = float(record.get("time", 0.0) or 0.0)
    cursor = db.execute(
        "INSERT INTO events(account, event, hash, plan_id, time, body) VALUES (?, ?, ?, ?, ?, ?)",
        (
            account,
            event,
            None if tx_hash is None else str(tx_hash),
            None if plan_id is None else str(plan_id),
            stamp,
            json.dumps(dict(record), sort_keys=True),
        ),
    )
    seq = int(cursor.lastrowid or 0)
    if event == "plan":
        summary = dict(record.get("summary") or {})
        db.execute(
            "INSERT OR REPLACE INTO plans(account, plan_id, seq, title, sender, chain_id, "
            "genesis, calls, summary, started_at, settled, reported, open, intent) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, 0, ?)",
            (
                account,
                str(plan_id),
                seq,
                str(record.get("title", "")),
                str(record.get("sender", "")),
                int(record.get("chain_id", 0) or 0),
                str(record.get("genesis", "")),
                json.dumps(list(record.get("calls") or [])),
                json.dumps(summary),
                stamp,
                str(summary.get("intent", "")),
            ),
        )
        refresh_plan(db, account, str(plan_id))
        return
    if event == "settled":
        db.execute(
            "UPDATE plans SET settled = ? WHERE account = ? AND plan_id = ?",
            (str(record.get("note", "")) or "settled", account, str(plan_id)),
        )
        return
    if event == "reported":
        db.execute(
            "UPDATE plans SET reported = 1 WHERE account = ? AND plan_id = ?",
            (account, str(plan_id)),
        )
        return
    if tx_hash is None:
        return
    key = (account, str(tx_hash))
    if event == "signed":
        db.execute(
            f"INSERT OR REPLACE INTO txs(account, seq, {TX_COLUMNS}) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'signed', NULL, NULL, NULL, ?, "
            "NULL, '')",
            (
                account,
                seq,
                str(tx_hash),
                int(record.get("chain_id", 0) or 0),
                str(record.get("genesis", "")),
                str(record.get("sender", "")),
                str(plan_id or ""),
                int(record.get("step", 0) or 0),
                int(record.get("steps", 1) or 1),
                int(record.get("nonce", 0) or 0),
                str(record.get("raw", "")),
                str(record.get("to", "")),
                str(record.get("method", "")),
                str(record.get("description", "")),
                str(record.get("title", "")),
                stamp,
                record.get("replaces"),
            ),
        )
    elif event == "sent":
        db.execute(
            "UPDATE txs SET state = 'sent' WHERE account = ? AND hash = ? AND state = 'signed'",
            key,
        )
    elif event == "mined":
        db.execute(
            "UPDATE txs SET state = 'mined', status = ?, block_number = ?, block_hash = ? "
            "WHERE account = ? AND hash = ?",
            (
                int(record.get("status", 1)),
                int(record.get("block_number", 0) or 0),
                str(record.get("block_hash", "")),
                *key,
            ),
        )
    elif event == "replaced":
        db.execute(
            "UPDATE txs SET state = 'replaced', replaced_by = ? WHERE account = ? AND hash = ?",
            (str(record.get("by", "")), *key),
        )
    elif event in ("dropped", "orphaned"):
        db.execute(
            "UPDATE txs SET state = ?, note = ? WHERE account = ? AND hash = ?",
            (event, str(record.get("note", "")), *key),
        )
    elif event == "reorged":
        db.execute(
            "UPDATE txs SET state = 'reorged', note = ?, block_number = NULL, "
            "block_hash = NULL WHERE account = ? AND hash = ?",
            (str(record.get("note", "")), *key),
        )
    elif event == "note":
        db.execute(
            "UPDATE txs SET note = ? WHERE account = ? AND hash = ?",
            (str(record.get("note", "")), *key),
        )
        return
    else:
        return
    row = db.execute("SELECT plan_id FROM txs WHERE account = ? AND hash = ?", key).fetchone()
    if row is not None:
        refresh_plan(db, account, str(row[0]))


def refresh_plan(db: sqlite3.Connection, account: str, plan_id: str) -> None:
    """A plan is open while it has a transaction on file and is neither complete (every step
    mined and successful) nor failed (a step reverted)."""
    plan = db.execute(
        "SELECT calls FROM plans WHERE account = ? AND plan_id = ?", (account, plan_id)
    ).fetchone()
    if plan is None:
        return
    steps = len(json.loads(plan[0]) or [])
    rows = db.execute(
        "SELECT step, state, status FROM txs WHERE account = ? AND plan_id = ?",
        (account, plan_id),
    ).fetchall()
    done = {step for step, state, status in rows if state == "mined" and status == 1}
    failed = any(state == "mined" and status == 0 for _, state, status in rows)
    is_open = bool(rows) and not failed and len(done) < steps
    db.execute(
        "UPDATE plans SET open = ? WHERE account = ? AND plan_id = ?",
        (int(is_open), account, plan_id),
    )
