"""`ion guard run` memory benchmark: prints figures, asserts nothing.

A devnet of its own (anvil + the beacon server, in a temporary dir); a 3x vault in each of the
four markets and one guard on each (`--repay-below` just under its health, `--to 1.6`); one
guard run over the four, for `--epochs` cycles, the devnet advanced one epoch between cycles
(`ion devnet advance`'s service call: 384 s of chain time and a block), so every cycle reads the
four markets and vaults at a new block. Every 100 epochs one market's reserve rate is lowered
(its oracle's storage word) to put its vault under its trigger: the guard fires and acts once.
Printed: the Python heap (tracemalloc) and RSS at the start, the middle and the end (and every
50 cycles), the events per kind, the actions per episode (a duplicate would be an episode acted
on twice, or two journal plans of one guard intent), and the median seconds per cycle.

Run: `.venv/bin/python tests/bench/guard_memory.py [--epochs 500]`.
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


def current_rate(w3: Any, oracle: str) -> int:
    """The reserve oracle's `currentExchangeRate()` (the published interface's view)."""
    selector = bytes(w3.keccak(text="currentExchangeRate()"))[:4]
    return int.from_bytes(bytes(w3.eth.call({"to": oracle, "data": "0x" + selector.hex()})), "big")


def main() -> None:
    main_on_a_private_devnet(run)


def set_rate(handle: Any, market: str, fraction: Decimal) -> None:
    """Multiply the market's reserve rate by `fraction` (its oracle's storage word)."""
    from ion_cli.testing.devnet import Protocol

    p = Protocol(handle)
    oracle = p.market(market).reserve_oracle
    rate = current_rate(p.w3, oracle)
    for slot in range(64):
        if int.from_bytes(p.w3.eth.get_storage_at(oracle, slot), "big") == rate:
            word = "0x" + int(rate * fraction).to_bytes(32, "big").hex()
            p.w3.provider.make_request("anvil_setStorageAt", [oracle, hex(slot), word])
            return
    raise RuntimeError(f"{market}: currentExchangeRate not found")


def run(epochs: int, handle: Any) -> None:
    from ion_cli.api import Ion
    from ion_cli.api.guards import GuardRunConfig
    from ion_cli.devnet import service

    ion = Ion()
    health: dict[str, Decimal] = {}
    for market in MARKETS:
        ion.leverage(market, "10", to="3x")
        health[market] = Decimal(str(ion.position(market).health))
        level = (health[market] - Decimal("0.02")).quantize(Decimal("0.001"))
        ion.guards.add(market, repay_below=str(level), to="1.6")
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
        if n % 100 == 0:  # one vault under its trigger: about 5% under its health
            market = MARKETS[(n // 100 - 1) % len(MARKETS)]
            now = Decimal(str(ion.position(market).health))
            set_rate(handle, market, (health[market] - Decimal("0.07")) / now)
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
    print("journal plans: " + "; ".join(_titles()))
    duplicates = sum(c - 1 for c in acted.values() if c > 1)
    duplicates += sum(c - 1 for c in plans.values() if c > 1)
    print(f"guards over {', '.join(MARKETS)}: {epochs} epochs advanced, {epochs} cycles")
    print(f"rate falls: {len(falls)} ({', '.join(falls)}); events: {dict(sorted(kinds.items()))}")
    print(
        f"actions: {sum(acted.values())} over {len(acted)} episodes; "
        f"guard plans in the journal: {sum(plans.values()) - len(MARKETS)} (besides the "
        f"{len(MARKETS)} leverages); duplicate actions: {duplicates}"
    )
    for n, heap, rss in marks:
        print(f"  after {n:4d} cycles: python heap {heap:7.2f} MB, rss {rss:7.1f} MB")
    start, middle = marks[0], min(marks, key=lambda m: abs(m[0] - epochs // 2))
    print(
        f"rss start/middle/end: {start[2]:.1f} / {middle[2]:.1f} / {marks[-1][2]:.1f} MB; "
        f"heap growth from cycle {middle[0]} to {epochs}: {heap_end - middle[1]:+.2f} MB"
    )
    print(f"median cycle: {statistics.median(cycle_times):.3f} s (load {os.getloadavg()[0]:.1f})")


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


def _titles() -> list[str]:
    import sqlite3

    from ion_cli.chain.journal import journal_dir

    titles: list[str] = []
    for path in journal_dir().glob("*/journal.sqlite3"):
        db = sqlite3.connect(path)
        titles += [
            f"{t} ({i})" for t, i in db.execute("SELECT title, intent FROM plans ORDER BY seq")
        ]
        db.close()
    return titles


if __name__ == "__main__":
    main()
