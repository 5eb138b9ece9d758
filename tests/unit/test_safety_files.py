"""Atomic files, bounded reads, the transaction journal and the account lock (no node)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ion_cli.atomic import CorruptFileError, read_bounded, read_text_bounded, write_atomic
from ion_cli.chain.journal import Journal, database_path, journal_path, plan_key
from ion_cli.chain.lock import account_lock, lock_path
from ion_cli.errors import RefusedError, UsageError

ADDR = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_atomic_replaces_whole_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.json"
    write_atomic(target, "one")
    write_atomic(target, b"two", secret=True)
    assert target.read_text() == "two"
    assert mode(target) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["f.json"]
    write_atomic(target, "three")
    assert mode(target) == 0o644


def test_write_atomic_failure_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "d" / "f"
    write_atomic(target, "old")

    def boom(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in target.parent.iterdir()] == ["f"]


def test_read_bounded_refuses_fifo_device_directory_and_big_files(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="FIFO"):
        read_bounded(fifo, "password file")
    with pytest.raises(UsageError, match="device"):
        read_bounded(Path("/dev/zero"), "password file")
    with pytest.raises(UsageError, match="directory"):
        read_bounded(tmp_path, "password file")
    big = tmp_path / "big"
    big.write_bytes(b"x" * 101)
    with pytest.raises(UsageError, match="larger than 100 bytes"):
        read_bounded(big, "password file", limit=100)
    assert read_bounded(big, "f", limit=101) == b"x" * 101
    with pytest.raises(UsageError, match="no such file"):
        read_bounded(tmp_path / "missing", "config file")


def test_binary_text_is_a_corrupt_file_naming_it(tmp_path: Path) -> None:
    f = tmp_path / "config.toml"
    f.write_bytes(b"\x00\x01garbage")
    with pytest.raises(CorruptFileError) as info:
        read_text_bounded(f, "config file")
    assert str(f) in info.value.message and "binary" in info.value.message
    assert f.read_bytes() == b"\x00\x01garbage"  # never overwritten
    f.write_bytes(b"\xff\xfe")
    with pytest.raises(CorruptFileError, match="not UTF-8"):
        read_text_bounded(f, "config file")


def _signed(journal: Journal, tx_hash: str, step: int, nonce: int, plan: str = "p1") -> None:
    journal.record_signed(
        tx_hash=tx_hash,
        raw=b"\x02\xf8",
        chain_id=31337,
        genesis="0xgen",
        sender=ADDR,
        plan_id=plan,
        step=step,
        steps=3,
        nonce=nonce,
        method="GemJoin.join",
    )


def test_journal_is_private_append_only_and_folds_states() -> None:
    journal = Journal.for_account(31337, ADDR)
    assert journal.path == database_path(31337)
    _signed(journal, "0xa", 0, 7)
    _signed(journal, "0xb", 1, 8)
    _signed(journal, "0xc", 2, 9)
    journal.record_sent("0xa")
    journal.record_mined("0xa", block_number=5, block_hash="0xbh", status=1)
    journal.record_sent("0xb")
    journal.record_dropped("0xc", "never reached the node")
    assert mode(journal.path.parent) == 0o700
    for suffix in ("", "-wal", "-shm"):  # the database and SQLite's files beside it
        assert mode(journal.path.with_name(journal.path.name + suffix)) == 0o600, suffix
    entries = journal.entries()
    assert [e.state for e in entries.values()] == ["mined", "sent", "dropped"]
    assert entries["0xa"].block_number == 5 and entries["0xa"].status == 1
    assert [e.hash for e in journal.unresolved()] == ["0xb"]
    assert entries["0xb"].raw == "0x02f8"
    journal.record_reorged("0xa", "block 5 now has another hash")
    assert journal.entries()["0xa"].unresolved
    records = journal.records()
    assert len(records) == 8 and all(r["v"] == 2 for r in records)
    other = Journal.for_account(31337, "0x" + "ab" * 20)  # same database, its own account
    assert other.entries() == {} and other.path == journal.path


def test_legacy_jsonl_journal_is_imported_once_and_kept_even_torn() -> None:
    """A JSON-lines journal of the previous version whose last line was cut by a power loss
    and then had the next record glued on (the lock-out of issue 16): imported, the torn line
    skipped, the file left as it was, and never imported twice."""
    legacy = journal_path(31337, ADDR)
    legacy.parent.mkdir(parents=True)
    lines = [
        {"event": "signed", "hash": "0xa", "raw": "0x02", "chain_id": 31337, "genesis": "g",
         "sender": ADDR, "plan_id": "p", "step": 0, "steps": 2, "nonce": 3, "v": 1, "time": 1.0},
        {"event": "mined", "hash": "0xa", "block_number": 9, "block_hash": "0xb", "status": 1,
         "v": 1, "time": 2.0},
    ]  # fmt: skip
    text = "".join(json.dumps(r) + "\n" for r in lines)
    text += '{"event": "sent", "hash": "0x' + json.dumps({"event": "note", "hash": "0xa"}) + "\n"
    legacy.write_text(text)
    journal = Journal.for_account(31337, ADDR)
    assert journal.entries()["0xa"].state == "mined"
    _signed(journal, "0xb", 1, 4)  # the account is not locked out
    assert legacy.read_text() == text
    again = Journal.for_account(31337, ADDR)
    assert [e.hash for e in again.entries().values()] == ["0xa", "0xb"]
    assert len(again.records()) == 3


def test_journal_record_is_on_disk_when_a_killed_process_dies() -> None:
    code = (
        "import os, signal\n"
        "from ion_cli.chain.journal import Journal\n"
        f"j = Journal.for_account(31337, {ADDR!r})\n"
        "j.record_signed(tx_hash='0xdead', raw=b'\\x01', chain_id=31337, genesis='g',"
        f" sender={ADDR!r}, plan_id='p', step=0, steps=1, nonce=0)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, env=dict(os.environ))
    assert done.returncode == -9
    assert Journal.for_account(31337, ADDR).entries()["0xdead"].state == "signed"


def test_a_writer_killed_mid_transaction_leaves_a_journal_the_next_write_reads() -> None:
    """Killed after writing half a record (inside its SQLite transaction, before the commit):
    the next process reads the journal as it was and writes to it."""
    _signed(Journal.for_account(31337, ADDR), "0xa", 0, 1)
    code = (
        "import os, signal\n"
        "from ion_cli.chain.journal import Journal\n"
        "from ion_cli.chain.journal_db import apply_record as _apply\n"
        f"j = Journal.for_account(31337, {ADDR!r})\n"
        "db = j.db\n"
        "db.execute('BEGIN IMMEDIATE')\n"
        "_apply(db, j.account, {'event': 'signed', 'hash': '0xtorn', 'plan_id': 'p',"
        " 'nonce': 2, 'time': 0})\n"
        "_apply(db, j.account, {'event': 'mined', 'hash': '0xa', 'block_number': 1,"
        " 'block_hash': '0x1', 'status': 1, 'time': 0})\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, env=dict(os.environ))
    assert done.returncode == -9
    journal = Journal.for_account(31337, ADDR)
    assert list(journal.entries()) == ["0xa"] and journal.entries()["0xa"].state == "signed"
    journal.record_sent("0xa")
    assert journal.find("0xa") is not None and journal.find("0xa").state == "sent"  # type: ignore[union-attr]


def test_plan_key_is_stable_and_specific() -> None:
    a = plan_key(31337, ADDR, "Deposit 1 weETH (weETH market)")
    assert a == plan_key(31337, ADDR.lower(), "Deposit  1 weETH (weETH market)")
    assert a != plan_key(1, ADDR, "Deposit 1 weETH (weETH market)")
    assert a != plan_key(31337, ADDR, "Deposit 2 weETH (weETH market)")


def test_lock_waits_for_the_holder_then_proceeds() -> None:
    order: list[str] = []
    told: list[str] = []
    held = threading.Event()

    def holder() -> None:
        with account_lock(31337, ADDR, timeout=5):
            held.set()
            time.sleep(0.5)
            order.append("first done")

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    with account_lock(31337, ADDR, timeout=10, on_wait=told.append):
        order.append("second in")
    thread.join()
    assert order == ["first done", "second in"]
    assert len(told) == 1 and "waiting for process" in told[0]
    assert mode(lock_path(31337, ADDR)) == 0o600


def test_lock_gives_up_after_its_timeout_with_a_refusal() -> None:
    with (
        account_lock(31337, ADDR, timeout=1),
        pytest.raises(RefusedError, match="still sending"),
        account_lock(31337, ADDR, timeout=0.3),
    ):
        pass
    with account_lock(31337, ADDR, timeout=0.3):  # released, even after the refusal
        pass


def test_lock_of_a_killed_process_is_released() -> None:
    code = (
        "import os, signal, sys\n"
        "from ion_cli.chain.lock import account_lock\n"
        f"with account_lock(31337, {ADDR!r}, timeout=5):\n"
        "    sys.stdout.write('held\\n'); sys.stdout.flush()\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], check=False, env=dict(os.environ), capture_output=True
    )
    assert done.stdout == b"held\n" and done.returncode == -9
    with account_lock(31337, ADDR, timeout=0.5):
        pass


def test_an_identical_signed_transaction_already_live_is_a_collision() -> None:
    from types import SimpleNamespace

    from ion_cli.chain.journal_observer import JournalObserver

    journal = Journal.for_account(31337, ADDR)
    observer = JournalObserver(journal, genesis="0xgen", intent="k")
    signed = SimpleNamespace(
        plan_id="p",
        plan_title="Borrow 1",
        step_index=0,
        step_count=1,
        chain_id=31337,
        sender=ADDR,
        nonce=4,
        tx_hash="0xabc",
        raw_tx=b"\x02",
        to=ADDR,
        description="borrow",
    )
    observer.on_signed(signed)
    journal.record_sent("0xabc")
    with pytest.raises(RefusedError, match="collision"):
        JournalObserver(journal, genesis="0xgen", intent="k").on_signed(signed)
    journal.record_dropped("0xabc", "lost by the pool")
    JournalObserver(journal, genesis="0xgen", intent="k").on_signed(signed)  # may be re-sent
