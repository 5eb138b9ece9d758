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
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli.atomic import CorruptFileError, fsync_dir
from ion_cli.paths import state_dir

if TYPE_CHECKING:
    import sqlite3

VERSION = 2  # records written by this version; 1 was the JSON-lines journal
SCHEMA = 1
DB_NAME = "journal.sqlite3"
READ_LIMIT = 256 * 1024 * 1024  # bytes: a legacy JSONL journal past this is not imported
BUSY_TIMEOUT = 60.0  # seconds: another account's writer on the same database holds it briefly

# states an entry can be in; the first two are unresolved (the chain must be asked)
UNRESOLVED = ("signed", "sent")
FINAL = ("mined", "replaced", "dropped", "orphaned")


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


_SCHEMA = """
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

_TX_COLUMNS = (
    "hash, chain_id, genesis, sender, plan_id, step, steps, nonce, raw, to_address, method, "
    "description, title, signed_at, state, status, block_number, block_hash, replaces, "
    "replaced_by, note"
)
_PLAN_COLUMNS = (
    "plan_id, title, sender, chain_id, genesis, calls, summary, started_at, settled, reported"
)


def _entry(row: tuple[Any, ...]) -> Entry:
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


def _plan(row: tuple[Any, ...]) -> PlanRecord:
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


def _private(path: Path) -> None:
    """0600 whatever the umask (SQLite creates -wal and -shm with the database's mode)."""
    try:
        if path.exists() and (path.stat().st_mode & 0o777) != 0o600:
            os.chmod(path, 0o600)
    except OSError:
        pass


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the journal database at `path`: 0600 in a 0700 folder, WAL,
    synchronous=FULL (a commit is on disk when it returns)."""
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
    _private(path)
    try:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(_SCHEMA)
        db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)", (str(SCHEMA),))
    except sqlite3.DatabaseError as exc:
        raise CorruptFileError(
            path, f"the transaction journal cannot be opened ({exc}); move it aside"
        ) from None
    for suffix in ("-wal", "-shm"):
        _private(path.with_name(path.name + suffix))
    return db


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
            _apply(db, self.account, full)
        _private(self.path.with_name(self.path.name + "-wal"))

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
                    _apply(db, self.account, record)
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
            f"SELECT {_TX_COLUMNS} FROM txs WHERE account = ? ORDER BY seq", (self.account,)
        )
        return {row[0]: _entry(row) for row in rows}

    def find(self, tx_hash: str) -> Entry | None:
        if self._absent():
            return None
        for candidate in dict.fromkeys((tx_hash, tx_hash.lower())):
            row = self.db.execute(
                f"SELECT {_TX_COLUMNS} FROM txs WHERE account = ? AND hash = ?",
                (self.account, candidate),
            ).fetchone()
            if row is not None:
                return _entry(row)
        return None

    def unresolved(self) -> list[Entry]:
        if self._absent():
            return []
        rows = self.db.execute(
            f"SELECT {_TX_COLUMNS} FROM txs WHERE account = ? AND state IN "
            "('signed', 'sent', 'reorged') ORDER BY +seq",  # + : found by state, then sorted
            (self.account,),
        )
        return [_entry(row) for row in rows]

    def recent_mined(self, genesis: str, since_block: int, limit: int) -> list[Entry]:
        """Mined entries recorded on the chain of `genesis` in blocks after `since_block`
        (at most `limit`, the latest), oldest first."""
        if self._absent():
            return []
        rows = self.db.execute(
            f"SELECT {_TX_COLUMNS} FROM txs WHERE account = ? AND state = 'mined' AND "
            "block_number > ? AND genesis = ? ORDER BY seq DESC LIMIT ?",
            (self.account, int(since_block), genesis, int(limit)),
        ).fetchall()
        return [_entry(row) for row in reversed(rows)]

    def plan_entries(self, plan_id: str) -> list[Entry]:
        if self._absent():
            return []
        rows = self.db.execute(
            f"SELECT {_TX_COLUMNS} FROM txs WHERE account = ? AND plan_id = ? ORDER BY seq",
            (self.account, plan_id),
        )
        return [_entry(row) for row in rows]

    def plan(self, plan_id: str) -> PlanRecord | None:
        if self._absent():
            return None
        row = self.db.execute(
            f"SELECT {_PLAN_COLUMNS} FROM plans WHERE account = ? AND plan_id = ?",
            (self.account, plan_id),
        ).fetchone()
        return None if row is None else _plan(row)

    def plans(self) -> dict[str, PlanRecord]:
        """The latest plan record per plan id."""
        if self._absent():
            return {}
        rows = self.db.execute(
            f"SELECT {_PLAN_COLUMNS} FROM plans WHERE account = ? ORDER BY seq", (self.account,)
        )
        return {row[0]: _plan(row) for row in rows}

    def open_plans(self, genesis: str) -> list[PlanRecord]:
        """Plans with a transaction on file that are neither complete nor failed nor settled:
        the candidates to finish (their steps are checked by the caller)."""
        if self._absent():
            return []
        rows = self.db.execute(
            f"SELECT {_PLAN_COLUMNS} FROM plans WHERE account = ? AND open = 1 AND "
            "genesis = ? AND settled = '' ORDER BY seq",
            (self.account, genesis),
        )
        return [_plan(row) for row in rows]

    def plans_of(self, intent: str) -> list[PlanRecord]:
        """Every plan recorded for `intent` (a `plan_key`), oldest first."""
        if self._absent():
            return []
        rows = self.db.execute(
            f"SELECT {_PLAN_COLUMNS} FROM plans WHERE account = ? AND intent = ? ORDER BY seq",
            (self.account, intent),
        )
        return [_plan(row) for row in rows]

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


def _apply(db: sqlite3.Connection, account: str, record: Mapping[str, Any]) -> None:
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
        _refresh_plan(db, account, str(plan_id))
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
            f"INSERT OR REPLACE INTO txs(account, seq, {_TX_COLUMNS}) VALUES "
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
        _refresh_plan(db, account, str(row[0]))


def _refresh_plan(db: sqlite3.Connection, account: str, plan_id: str) -> None:
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


# ---------------------------------------------------------------------- the pipeline's observer

# "signed:2" = SIGKILL itself after journaling step 2's signature; "mined:2:TERM" = SIGTERM
# itself once step 2 is mined (stages: signed, sent, mined; steps count from 1); "done" = once
# every step of the command is mined, before its result is recorded as reported and printed
KILL_ENV = "ION_TEST_KILL_AT"
TESTING_ENV = "ION_TESTING"  # the kill hook is honoured only when this is "1"


def kill_point(stage: str, step_index: int) -> None:
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
        self.recorded: list[str] = []  # plan ids recorded through this observer, in order
        self.resumed_from: dict[str, int] = {}  # plan id -> steps already mined before this run
        # hashes this run signed that the journal already had (dropped, reorged, orphaned): the
        # same bytes signed again, so a node that still has them answers "already known"
        self.resent: set[str] = set()

    def on_warning(self, message: str) -> None:
        pass

    def on_preview(self, preview: Any) -> None:
        if preview.plan.plan_id not in self.resumed_from:  # a resumed plan is on file already
            self.record_plan(preview.plan, sender=preview.sender, chain_id=preview.chain_id)

    def on_dry_run(self, result: Any) -> None:
        pass

    def on_signed(self, signed: Any) -> None:
        offset = self._offset = self.resumed_from.get(signed.plan_id, 0)
        earlier = self.journal.find(signed.tx_hash)
        if earlier is not None and earlier.state in ("signed", "sent", "mined"):
            # The same signed bytes are already on file as live: another process (or an
            # earlier run) sent this very transaction. Its receipt is not this command's success.
            from ion_cli.errors import RefusedError

            raise RefusedError(
                f"collision: transaction {signed.tx_hash} ({earlier.label()}) was already "
                f"{earlier.state} by another ion process or an earlier run; nothing was sent "
                "by this one (see `ion tx status`)"
            )
        if earlier is not None:
            self.resent.add(signed.tx_hash)
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
        kill_point("signed", offset + signed.step_index)

    def is_resend(self, tx_hash: str) -> bool:
        return tx_hash in self.resent

    def on_sent(self, step: Any) -> None:
        self.journal.record_sent(str(step.tx_hash))
        kill_point("sent", self._offset + step.index)

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
        kill_point("mined", self._offset + step.index)

    def on_failed(self, result: Any, error: Any) -> None:
        from ion_cli.chain.sending import COLLISION

        message = str(getattr(error, "message", ""))
        if message.startswith(COLLISION) and self.signed:
            # the step signed last never became this command's: resolve its entry now
            last = self.journal.find(self.signed[-1])
            if last is not None and last.state == "signed":
                if "already had" in message:  # the node has these bytes: reconcile follows them
                    self.journal.record_note(last.hash, message)
                else:
                    self.journal.record_dropped(
                        last.hash, f"collision: nonce {last.nonce} was taken by another writer"
                    )
        for step in result.steps:
            if step.tx_hash and step.status is None:
                self.journal.record_note(
                    step.tx_hash, f"the command stopped before its receipt: {error.message}"
                )

    def on_done(self, result: Any) -> None:
        pass

    def record_plan(self, plan: Any, *, sender: str, chain_id: int) -> None:
        """The plan's calls, before the pipeline starts: what a rerun needs to finish it."""
        self.recorded.append(plan.plan_id)
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
            # "reports": this version records `reported` once the command printed the result,
            # so a complete plan without it was cut off before its report (see flows.tx)
            summary={"intent": self.intent, "steps": len(plan.calls), "reports": True},
        )
