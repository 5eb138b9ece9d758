"""The devnet beacon server's own figures: start-up, one bulk POST of every validator, GETs of 64
ids, and the server's peak memory, for a synthetic set of N validators (no devnet needed).

Prints figures; asserts nothing. The client's benchmark (fetching and filtering through `ion`)
measures against these. Run: `.venv/bin/python tests/bench/beacon_server.py [N ...]`
(default 100000 1000000).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from ion_cli.devnet import beacon, processes


def _peak_rss_mb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) // 1024


def measure(total: int) -> None:
    service = beacon.beacon_service(None, None, ["--validators", str(total)])
    with tempfile.TemporaryDirectory() as workdir:
        began = time.perf_counter()
        _, info = processes.spawn(service, Path(workdir), timeout=120)
        started = time.perf_counter() - began
        try:
            with httpx.Client(base_url=info.url, timeout=600) as client:
                began = time.perf_counter()
                answer = client.post("/eth/v1/beacon/states/head/validators", json={})
                bulk = time.perf_counter() - began
                size = len(answer.content)
                rounds = []
                for first in range(0, 64 * 50, 64):
                    ids = ",".join(str(i) for i in range(first, first + 64))
                    began = time.perf_counter()
                    client.get("/eth/v1/beacon/states/head/validators", params={"id": ids})
                    rounds.append(time.perf_counter() - began)
            rss = _peak_rss_mb(info.pid)
        finally:
            processes.terminate(info.pid, service)
    print(f"{total:>9,} validators")
    print(f"  start-up (until it answers)      {started:8.2f} s")
    print(f"  POST all (one streamed answer)   {bulk:8.2f} s   {size / 1e6:7.1f} MB")
    print(f"  GET of 64 ids (median of 50)     {statistics.median(rounds) * 1000:8.1f} ms")
    print(f"  server peak RSS                  {rss:8d} MB")


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100_000, 1_000_000]
    for total in sizes:
        measure(total)


if __name__ == "__main__":
    main()
