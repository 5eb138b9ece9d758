"""Journal benchmark: the journal work of one 3-step write (reconcile with the chain, record
the plan, then sign / send / mine each step, check for an unreported plan, mark it reported),
timed with a journal that already holds 10 and 100,000 past entries. The node is a stub that
answers at once, so what is measured is the journal alone (a real write adds the node's
round trips, the same whatever the journal's length).

Works in a temporary state dir (never yours). Prints medians and their ratio; asserts nothing.
Run: `make bench-journal` or `.venv/bin/python tests/bench/journal.py [runs]`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ME = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
GENESIS = "0x" + "ge" * 32
HEAD = 1_000_000


class StubEth:
    """What reconcile asks of a node: the head, the nonce, blocks, receipts."""

    def __init__(self) -> None:
        self.nonce = 0
        self.receipts: dict[str, dict[str, Any]] = {}

    @property
    def block_number(self) -> int:
        return HEAD

    def get_transaction_count(self, address: str, tag: str) -> int:
        return self.nonce

    def get_block(self, number: int) -> dict[str, Any]:
        return {"hash": f"0x{number:064x}"}

    def get_transaction_receipt(self, tx_hash: str) -> dict[str, Any]:
        return self.receipts[tx_hash]


def _populate(journal: Any, count: int) -> None:
    """`count` past transactions, 3 per plan, all mined and reported long ago: written straight
    into the tables (what `_apply` would leave), so that building 100,000 takes seconds."""
    import json

    db = journal.db
    me = journal.account
    events, txs, plans = [], [], []
    for i in range(count):
        plan_id = f"past-{i // 3}"
        if i % 3 == 0:
            calls = json.dumps([{"to": ME, "data": "0x", "value": "0"}] * min(3, count - i))
            summary = json.dumps({"intent": "old", "reports": True})
            plans.append((me, plan_id, 4 * i, "old", ME, 31337, GENESIS, calls, summary, 1.0))
        tx_hash = f"0x{i:064x}"
        for event in ("signed", "sent", "mined"):
            body = json.dumps({"event": event, "hash": tx_hash, "plan_id": plan_id, "nonce": i})
            events.append((me, event, tx_hash, plan_id, 1.0, body))
        txs.append((me, tx_hash, 4 * i + 1, 31337, GENESIS, ME, plan_id, i % 3, 3, i,
                    "0x02" + "00" * 150, ME, "m", "d", "old", 1.0, "mined", 1, i + 1,
                    f"0x{i + 1:064x}", None, None, ""))  # fmt: skip
    db.execute("BEGIN IMMEDIATE")
    db.executemany(
        "INSERT INTO events(account, event, hash, plan_id, time, body) VALUES (?,?,?,?,?,?)",
        events,
    )
    db.executemany(
        "INSERT INTO plans(account, plan_id, seq, title, sender, chain_id, genesis, calls, "
        "summary, started_at, settled, reported, open) VALUES (?,?,?,?,?,?,?,?,?,?,'',1,0)",
        plans,
    )
    db.executemany(f"INSERT INTO txs VALUES ({','.join('?' * 23)})", txs)
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _one_write(journal: Any, w3: Any, n: int) -> None:
    """The journal side of a 3-step write, in the order guarded_write and the pipeline run."""
    from ion_cli.chain.journal_observer import JournalObserver
    from ion_cli.chain.plan import Call, Plan
    from ion_cli.chain.reconcile import reconcile, unreported

    report = reconcile(w3, journal, ME, GENESIS)
    assert not report.pending and not report.unfinished
    unreported(journal, GENESIS, "bench")
    observer = JournalObserver(journal, genesis=GENESIS, intent="bench")
    plan = Plan(title="bench", calls=[Call(to=ME, data=b"\x01" * 68) for _ in range(3)])
    observer.on_preview(SimpleNamespace(plan=plan, sender=ME, chain_id=31337))
    for step in range(3):
        nonce = w3.eth.nonce
        tx_hash = f"0xbe{n:030x}{step:032x}"
        signed = SimpleNamespace(plan_id=plan.plan_id, plan_title="bench", step_index=step,
                                 step_count=3, chain_id=31337, sender=ME, nonce=nonce,
                                 tx_hash=tx_hash, raw_tx=b"\x02" * 150, to=ME,
                                 description="bench")  # fmt: skip
        observer.on_signed(signed)
        result = SimpleNamespace(tx_hash=tx_hash, index=step, block_number=HEAD,
                                 status=1, receipt={"blockHash": f"0x{HEAD:064x}"})  # fmt: skip
        observer.on_sent(result)
        observer.on_receipt(result)
        w3.eth.nonce += 1
    journal.record_reported(plan.plan_id)


def _journal(count: int, root: Path) -> tuple[Any, Any]:
    from ion_cli.chain.journal import Journal

    journal = Journal(root / f"state-{count}" / "journal.sqlite3", ME)
    _populate(journal, count)
    w3 = SimpleNamespace(eth=StubEth())
    w3.eth.nonce = count
    return journal, w3


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    with tempfile.TemporaryDirectory(prefix="ion-bench-journal-") as tmp:
        root = Path(tmp)
        small = _journal(10, root)
        start = time.perf_counter()
        large = _journal(100_000, root)
        built = time.perf_counter() - start
        _one_write(*small, -1)  # imports and first-use costs, in neither figure
        times: dict[int, list[float]] = {10: [], 100_000: []}
        for n in range(runs):  # interleaved: a change of load weighs on both alike
            for count, (journal, w3) in ((10, small), (100_000, large)):
                begin = time.perf_counter()
                _one_write(journal, w3, n)
                times[count].append(time.perf_counter() - begin)
        small[0].close()
        large[0].close()
    a, b = (statistics.median(times[c]) * 1000 for c in (10, 100_000))
    print(f"3-step write, journal work (median of {runs}, interleaved; stub node; 11 commits):")
    print(f"  10 past entries        {a:8.2f} ms")
    print(f"  100,000 past entries   {b:8.2f} ms   (ratio {b / a:.3f})")
    print(f"  (building the 100,000-entry journal took {built:.1f} s)")


if __name__ == "__main__":
    main()
