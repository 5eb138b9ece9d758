"""`ion guard run` memory benchmark with the consensus-layer trigger: prints figures, asserts
nothing.

A devnet of its own (anvil + the beacon server, in a temporary dir); a 3x vault in each of the
four markets and one guard on each (`--deleverage-on-slashing 1% --to 1.5x`: an epoch trigger
that reads its LRT's validator set, by index, at every finalized epoch); one guard run over the
four, for `--epochs` cycles, the devnet advanced one epoch between cycles. At epoch 50, 150, ... 5%
of one LRT's validators are slashed (`ion devnet slash`): its guard fires and acts once, at the
first finalized epoch that shows it. Printed: the Python heap (tracemalloc) and RSS at the
start, the middle and the end (and every 50 cycles), the events per kind, the actions per
episode (a duplicate would be an episode acted on twice, or two journal plans of one guard
intent), the size of the guards' store, and the median seconds per cycle.

Run: `.venv/bin/python tests/bench/guard_cl_memory.py [--epochs 500]`.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from decimal import Decimal
from typing import Any

from memory_harness import main_on_a_private_devnet, rss_mb

MARKETS = ("weETH", "rsETH", "rswETH", "ezETH")


def main() -> None:
    main_on_a_private_devnet(run)


def slash(symbol: str, share: Decimal) -> None:
    """Slash `share` of the LRT's active, unslashed validators (they are alike on the devnet)."""
    import math

    from ion_cli.api import Ion
    from ion_cli.devnet import service
    from ion_cli.flows.guard.consensus import readers
    from ion_cli.zk import rule

    session = Ion().session
    client = readers.open_beacon(session)
    try:
        ref = readers.finalized(client)
        validators = readers.LrtSet(session, symbol).read(client, ref)
    finally:
        client.close()
    pool = [v for v in validators if rule.is_active(v, ref.epoch) and not v.slashed]
    service.slash(symbol, math.ceil(share * len(pool)))


def run(epochs: int, handle: Any) -> None:
    from ion_cli.api import Ion
    from ion_cli.api.guards import GuardRunConfig
    from ion_cli.devnet import service

    ion = Ion()
    health: dict[str, Decimal] = {}
    for market in MARKETS:
        ion.leverage(market, "10", to="3x")
        health[market] = Decimal(str(ion.position(market).health))
        ion.guards.add(market, trigger="slashing", value="1%", to="1.5x")
    print("vaults at 3x, health: " + ", ".join(f"{m} {h:.3f}" for m, h in health.items()))

    cycle_times: list[float] = []
    marks: list[tuple[int, float, float]] = []
    done = [0]
    started = [time.perf_counter()]
    falls: list[str] = []

    def sleep(_: float) -> None:
        cycle_times.append(time.perf_counter() - started[0])
        done[0] += 1
        n = done[0]
        if n in (1, 10) or n % 50 == 0:
            heap = tracemalloc.get_traced_memory()[0] / 2**20
            marks.append((n, heap, rss_mb()))
            print(f"epoch {n:4d}: heap {heap:7.2f} MB  rss {rss_mb():7.1f} MB", file=sys.stderr)
        if n % 100 == 50:  # 5% of one LRT's live validators slashed
            market = MARKETS[(n // 100) % len(MARKETS)]
            slash(market, Decimal("0.05"))
            falls.append(market)
        service.advance(1)
        started[0] = time.perf_counter()

    tracemalloc.start()
    config = GuardRunConfig(interval=0.01, max_cycles=epochs, use_events=False)
    runner = ion.guard_runner(config)
    runner.sleep = sleep
    kinds: Counter[str] = Counter()
    acted: Counter[tuple[int, str]] = Counter()
    for event in runner.run():
        kinds[event.kind] += 1
        if event.kind == "guard_acted":
            acted[(int(event.data["guard"]), str(event.data["episode"]))] += 1
    heap_end = tracemalloc.get_traced_memory()[0] / 2**20
    marks.append((epochs, heap_end, rss_mb()))
    tracemalloc.stop()

    plans = _plans_per_intent()
    duplicates = sum(c - 1 for c in acted.values() if c > 1)
    duplicates += sum(c - 1 for c in plans.values() if c > 1)
    print(f"guards over {', '.join(MARKETS)}: {epochs} epochs advanced, {epochs} cycles")
    print(f"slashings: {len(falls)} ({', '.join(falls)}); events: {dict(sorted(kinds.items()))}")
    print(f"guards' store: {_store_bytes()} bytes")
    print(
        f"actions: {sum(acted.values())} over {len(acted)} episodes; "
        f"guard plans in the journal: {sum(plans.values())}; duplicate actions: {duplicates}"
    )
    for n, heap, rss in marks:
        print(f"  after {n:4d} cycles: python heap {heap:7.2f} MB, rss {rss:7.1f} MB")
    start, middle = marks[0], min(marks, key=lambda m: abs(m[0] - epochs // 2))
    print(
        f"rss start/middle/end: {start[2]:.1f} / {middle[2]:.1f} / {marks[-1][2]:.1f} MB; "
        f"heap growth from cycle {middle[0]} to {epochs}: {heap_end - middle[1]:+.2f} MB"
    )
    print(f"median cycle: {statistics.median(cycle_times):.3f} s (load {os.getloadavg()[0]:.1f})")


def _store_bytes() -> int:
    from ion_cli.paths import state_dir

    return sum(p.stat().st_size for p in state_dir().rglob("guards.sqlite3*"))


def _plans_per_intent() -> Counter[str]:
    """Journal plans per intent of a guard episode (two would be one episode sent twice)."""
    import sqlite3

    from ion_cli.chain.journal import journal_dir

    counts: Counter[str] = Counter()
    for path in journal_dir().glob("*/journal.sqlite3"):
        db = sqlite3.connect(path)
        for (intent,) in db.execute("SELECT intent FROM plans"):
            counts[intent] += 1
        db.close()
    return counts


if __name__ == "__main__":
    main()
