"""`ion watch` memory benchmark: prints figures, asserts nothing.

A devnet of its own (anvil + the beacon server, in a temporary dir) and one watch over the four
LRTs' validator sets (about 10,000 validators) and the four markets; between cycles the devnet is
advanced one epoch (`ion devnet advance`'s service call), so every cycle evaluates a new
finalized epoch. A slashing is injected every 100 epochs, so the alert path runs too. Printed:
the Python heap (tracemalloc, current) and the process's RSS after the first cycles and every
50 epochs, the growth between the 50th and the last epoch, the alerts seen, the state file's
size, and the median seconds per cycle.

Run: `.venv/bin/python tests/bench/watch_memory.py [--epochs 500]`.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import tracemalloc

from memory_harness import main_on_a_private_devnet, rss_mb


def main() -> None:
    main_on_a_private_devnet(run)


def run(epochs: int, handle: object) -> None:
    from ion_cli.config import load_config
    from ion_cli.devnet import beacon, service
    from ion_cli.flows.session import Session
    from ion_cli.flows.watch import WatchConfig, Watcher

    lrts = ("weETH", "rsETH", "rswETH", "ezETH")
    config = WatchConfig(
        markets=lrts, lrts=lrts, interval=0.01, max_cycles=epochs, use_events=False
    )
    url = getattr(handle, "beacon_url", None)
    assert url is not None
    cycle_times: list[float] = []
    marks: list[tuple[int, float, float]] = []
    done = [0]
    started = [time.perf_counter()]

    def sleep(_: float) -> None:
        cycle_times.append(time.perf_counter() - started[0])
        done[0] += 1
        n = done[0]
        if n in (1, 10) or n % 50 == 0:
            heap = tracemalloc.get_traced_memory()[0] / 2**20
            marks.append((n, heap, rss_mb()))
            print(f"epoch {n:4d}: heap {heap:7.2f} MB  rss {rss_mb():7.1f} MB", file=sys.stderr)
        if n % 100 == 0:
            beacon.call(url, "/ion/v1/devnet/slash", {"lrt": lrts[(n // 100) % 4], "count": 1})
        service.advance(1)
        started[0] = time.perf_counter()

    tracemalloc.start()
    watcher = Watcher(Session(config=load_config()), config, sleep=sleep)
    alerts = [e for e in watcher.run() if e.alert]
    heap_end = tracemalloc.get_traced_memory()[0] / 2**20
    marks.append((epochs, heap_end, rss_mb()))
    tracemalloc.stop()

    sets = {k: len(v.ids) for k, v in watcher.state.sets.items()}
    print(f"watch over {', '.join(lrts)}: {sum(sets.values())} validators {sets}")
    print(f"epochs evaluated: {epochs}; alerts: {len(alerts)} ({[a.kind for a in alerts]})")
    for n, heap, rss in marks:
        print(f"  after {n:4d} cycles: python heap {heap:7.2f} MB, rss {rss:7.1f} MB")
    after50 = next((m for m in marks if m[0] >= 50), marks[0])
    print(
        f"growth from cycle {after50[0]} to {epochs}: heap {heap_end - after50[1]:+.2f} MB, "
        f"rss {marks[-1][2] - after50[2]:+.1f} MB"
    )
    print(f"state file: {watcher.path.stat().st_size / 1024:.0f} KB")
    print(f"median cycle: {statistics.median(cycle_times):.3f} s (load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
