"""Guards kept per chain identity: one SQLite database beside the chain's transaction journal
(`<state>/journal/<identity>/guards.sqlite3`), holding every account's guards, each trigger's
memory (a level trigger's arming), the episodes (what became of each firing) and the history.

Why SQLite and not a JSON file written atomically (ion_cli.atomic): `ion guard add` and
`remove` run while a long-lived `ion guard run` updates episodes every block. An atomic file
replace protects against a torn file, not against two writers each reading, changing and
replacing it (one change would be lost: a guard added while the runner saves its episodes
would vanish). SQLite transactions (WAL, synchronous=FULL, as the journal) make each change
read-modify-write under a lock and durable when it returns, so an episode marked "acting" is on
disk before its plan's first transaction is signed. Ids come from AUTOINCREMENT and are never
reused, even after a removal. A separate file from the journal keeps the journal's schema its
own; the same folder keys both by chain identity (two devnets, both chain 31337, never share a
guard).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli.errors import UsageError
from ion_cli.flows.guard.model import Guard, GuardSpec
from ion_cli.guard_results import Episode, HistoryEntry

if TYPE_CHECKING:
    import sqlite3

DB_NAME = "guards.sqlite3"
SCHEMA = 1

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS guards(
    id INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, spec TEXT NOT NULL,
    created_at INTEGER NOT NULL, removed_at INTEGER);
CREATE INDEX IF NOT EXISTS guards_by_account ON guards(account, removed_at);
CREATE TABLE IF NOT EXISTS memory(guard_id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS episodes(
    guard_id INTEGER NOT NULL, episode TEXT NOT NULL, state TEXT NOT NULL,
    fired_block INTEGER, fired_time INTEGER, attempts INTEGER NOT NULL DEFAULT 0,
    retry_at INTEGER NOT NULL DEFAULT 0, amount TEXT, acted_time INTEGER,
    intent TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '{}', updated REAL NOT NULL,
    PRIMARY KEY(guard_id, episode));
CREATE INDEX IF NOT EXISTS episodes_open ON episodes(guard_id, state);
CREATE TABLE IF NOT EXISTS history(
    seq INTEGER PRIMARY KEY AUTOINCREMENT, guard_id INTEGER NOT NULL, episode TEXT NOT NULL,
    kind TEXT NOT NULL, message TEXT NOT NULL, block INTEGER, chain_time INTEGER, amount TEXT,
    plan_id TEXT, tx_hashes TEXT NOT NULL DEFAULT '[]', time INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS history_by_guard ON history(guard_id, seq);
"""


def store_path(identity: str) -> Path:
    from ion_cli.chain.journal import journal_dir

    return journal_dir() / identity / DB_NAME


class GuardStore:
    """The guards of one chain identity (every account's; each call names the account)."""

    def __init__(self, path: Path, chain: str) -> None:
        self.path = path
        self.chain = chain
        self._db: sqlite3.Connection | None = None

    @classmethod
    def for_chain(cls, identity: str) -> GuardStore:
        return cls(store_path(identity), identity)

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = _connect(self.path)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> GuardStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic change (nested calls join the outer one)."""
        db = self.db
        if db.in_transaction:
            yield db
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # ---- guards ---------------------------------------------------------------------------

    def add(self, spec: GuardSpec) -> Guard:
        created = int(time.time())
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO guards(account, spec, created_at) VALUES (?, ?, ?)",
                (spec.address.lower(), json.dumps(spec.to_json(), sort_keys=True), created),
            )
        return Guard(id=int(cursor.lastrowid or 0), chain=self.chain, spec=spec, created_at=created)

    def guards(self, account: str | None = None) -> list[Guard]:
        """The guards not removed, of `account` (None: every account's), by id."""
        if not self._exists():
            return []
        query = "SELECT id, spec, created_at FROM guards WHERE removed_at IS NULL"
        args: tuple[Any, ...] = ()
        if account is not None:
            query += " AND account = ?"
            args = (account.lower(),)
        rows = self.db.execute(query + " ORDER BY id", args).fetchall()
        return [self._guard(row) for row in rows]

    def get(self, guard_id: int) -> Guard | None:
        if not self._exists():
            return None
        row = self.db.execute(
            "SELECT id, spec, created_at FROM guards WHERE id = ? AND removed_at IS NULL",
            (int(guard_id),),
        ).fetchone()
        return None if row is None else self._guard(row)

    def remove(self, guard_id: int, account: str) -> Guard:
        """Remove the guard (its history is kept); a usage error for an unknown id or another
        account's guard."""
        guard = self.get(guard_id)
        if guard is None or guard.address != account.lower():
            raise UsageError(f"no guard {guard_id} of {account} on this chain (ion guard list)")
        with self.transaction() as db:
            db.execute(
                "UPDATE guards SET removed_at = ? WHERE id = ?", (int(time.time()), guard.id)
            )
        return guard

    def _guard(self, row: tuple[Any, ...]) -> Guard:
        spec = GuardSpec.from_json(json.loads(row[1]))
        return Guard(id=int(row[0]), chain=self.chain, spec=spec, created_at=int(row[2]))

    def _exists(self) -> bool:
        return self._db is not None or self.path.exists()

    # ---- a trigger's memory ---------------------------------------------------------------

    def memory(self, guard_id: int) -> dict[str, Any]:
        if not self._exists():
            return {}
        row = self.db.execute("SELECT body FROM memory WHERE guard_id = ?", (guard_id,)).fetchone()
        return dict(json.loads(row[0])) if row else {}

    def save_memory(self, guard_id: int, body: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO memory(guard_id, body) VALUES (?, ?)",
                (guard_id, json.dumps(body, sort_keys=True)),
            )

    # ---- episodes -------------------------------------------------------------------------

    def episode(self, guard_id: int, key: str) -> Episode | None:
        if not self._exists():
            return None
        row = self.db.execute(
            f"SELECT {_EPISODE_COLUMNS} FROM episodes WHERE guard_id = ? AND episode = ?",
            (guard_id, key),
        ).fetchone()
        return None if row is None else _episode(row)

    def open_episodes(self, guard_id: int) -> list[Episode]:
        """Episodes fired and not yet settled (pending, acting, failed), oldest first."""
        if not self._exists():
            return []
        rows = self.db.execute(
            f"SELECT {_EPISODE_COLUMNS} FROM episodes WHERE guard_id = ? AND state IN "
            "('pending', 'acting', 'failed') ORDER BY fired_time, episode",
            (guard_id,),
        ).fetchall()
        return [_episode(row) for row in rows]

    def save_episode(self, episode: Episode) -> Episode:
        with self.transaction() as db:
            db.execute(
                f"INSERT OR REPLACE INTO episodes({_EPISODE_COLUMNS}, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    episode.guard_id,
                    episode.key,
                    episode.state,
                    episode.fired_block,
                    episode.fired_time,
                    episode.attempts,
                    episode.retry_at,
                    None if episode.amount is None else str(episode.amount),
                    episode.acted_time,
                    episode.intent,
                    json.dumps(episode.detail, sort_keys=True),
                    time.time(),
                ),
            )
        return episode

    def scratch(self) -> GuardStore:
        """A copy in memory (a dry run works on it: nothing it does is kept)."""
        import sqlite3

        copy = GuardStore(self.path, self.chain)
        memory = sqlite3.connect(":memory:", isolation_level=None)
        if self._exists():
            self.db.backup(memory)
        else:
            memory.executescript(SCHEMA_SQL)
        copy._db = memory
        return copy

    def update_episode(self, episode: Episode, **changes: Any) -> Episode:
        return self.save_episode(replace(episode, **changes))

    def spent_since(self, guard_id: int, since: int, exclude: str = "") -> int:
        """The base asset the guard's actions moved since chain time `since` (acting and done:
        an action killed mid-way counts, it is finished, not forgotten), other than the
        episode `exclude`'s."""
        if not self._exists():
            return 0
        rows = self.db.execute(
            "SELECT amount FROM episodes WHERE guard_id = ? AND state IN ('acting', 'done') "
            "AND acted_time IS NOT NULL AND acted_time > ? AND amount IS NOT NULL "
            "AND episode != ?",
            (guard_id, since, exclude),
        ).fetchall()
        return sum(int(row[0]) for row in rows)

    def actions_since(self, guard_id: int, since: int) -> list[tuple[int, int]]:
        """(chain time, amount) of each action since `since`, oldest first (when a daily
        bound frees up)."""
        if not self._exists():
            return []
        rows = self.db.execute(
            "SELECT acted_time, amount FROM episodes WHERE guard_id = ? AND state IN "
            "('acting', 'done') AND acted_time IS NOT NULL AND acted_time > ? "
            "ORDER BY acted_time",
            (guard_id, since),
        ).fetchall()
        return [(int(t), int(a or 0)) for t, a in rows]

    def last_action_time(self, guard_id: int) -> int | None:
        if not self._exists():
            return None
        row = self.db.execute(
            "SELECT MAX(acted_time) FROM episodes WHERE guard_id = ? AND state IN "
            "('acting', 'done')",
            (guard_id,),
        ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    # ---- history --------------------------------------------------------------------------

    def log(
        self,
        guard_id: int,
        episode: str,
        kind: str,
        message: str,
        *,
        block: int | None = None,
        chain_time: int | None = None,
        amount: str | None = None,
        plan_id: str | None = None,
        tx_hashes: tuple[str, ...] = (),
    ) -> HistoryEntry:
        stamp = int(time.time())
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO history(guard_id, episode, kind, message, block, chain_time, "
                "amount, plan_id, tx_hashes, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guard_id,
                    episode,
                    kind,
                    message,
                    block,
                    chain_time,
                    amount,
                    plan_id,
                    json.dumps(list(tx_hashes)),
                    stamp,
                ),
            )
        return HistoryEntry(
            seq=int(cursor.lastrowid or 0),
            guard_id=guard_id,
            episode=episode,
            kind=kind,
            message=message,
            block=block,
            chain_time=chain_time,
            amount=amount,
            plan_id=plan_id,
            tx_hashes=tx_hashes,
            time=stamp,
        )

    def history(self, guard_ids: list[int] | None = None, limit: int = 1000) -> list[HistoryEntry]:
        """The latest `limit` history lines of these guards (None: all), oldest first."""
        if not self._exists():
            return []
        query = (
            "SELECT seq, guard_id, episode, kind, message, block, chain_time, amount, plan_id, "
            "tx_hashes, time FROM history"
        )
        args: list[Any] = []
        if guard_ids is not None:
            if not guard_ids:
                return []
            query += f" WHERE guard_id IN ({', '.join('?' for _ in guard_ids)})"
            args = list(guard_ids)
        rows = self.db.execute(query + " ORDER BY seq DESC LIMIT ?", (*args, limit)).fetchall()
        return [
            HistoryEntry(
                seq=int(r[0]),
                guard_id=int(r[1]),
                episode=str(r[2]),
                kind=str(r[3]),
                message=str(r[4]),
                block=r[5],
                chain_time=r[6],
                amount=r[7],
                plan_id=r[8],
                tx_hashes=tuple(json.loads(r[9] or "[]")),
                time=int(r[10]),
            )
            for r in reversed(rows)
        ]

    def account_guard_ids(self, account: str) -> list[int]:
        """Every guard id of `account`, removed ones too (their history stays)."""
        if not self._exists():
            return []
        rows = self.db.execute(
            "SELECT id FROM guards WHERE account = ? ORDER BY id", (account.lower(),)
        ).fetchall()
        return [int(r[0]) for r in rows]


_EPISODE_COLUMNS = (
    "guard_id, episode, state, fired_block, fired_time, attempts, retry_at, amount, "
    "acted_time, intent, detail"
)


def _episode(row: tuple[Any, ...]) -> Episode:
    return Episode(
        guard_id=int(row[0]),
        key=str(row[1]),
        state=str(row[2]),
        fired_block=row[3],
        fired_time=row[4],
        attempts=int(row[5]),
        retry_at=int(row[6]),
        amount=None if row[7] is None else int(row[7]),
        acted_time=row[8],
        intent=str(row[9]),
        detail=dict(json.loads(row[10] or "{}")),
    )


def _connect(path: Path) -> sqlite3.Connection:
    """Open (creating) the store: 0600 in a 0700 folder, WAL, synchronous=FULL (as the
    journal: a change is on disk when its commit returns)."""
    from ion_cli.chain.journal_db import open_private_db

    return open_private_db(path, SCHEMA_SQL, SCHEMA, "the guard store")
