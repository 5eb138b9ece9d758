"""Beacon benchmark: prints figures, asserts nothing.

1. 100,000 validators from the devnet's beacon server (`python -m ion_cli.devnet.beacon_server`):
   the client (`BeaconClient.validators`: POST chunks, concurrency, every field checked into
   Validator objects) beside the lower bound measured in the same run, and beside naive one-id
   GETs on a sample (extrapolated).
   - The lower bound: one POST of all 100,000 ids (httpx) and a plain `json.loads` of the
     answer: dicts of strings, no uint64 parsed, nothing checked, no objects built.
   - The client: the same ids through `BeaconClient.validators`: its health probe, POSTs in
     chunks with several in flight, every uint64 parsed exactly and every field checked
     (malformed data refused), Validator objects in index order, the id check.
   - Both: the same server (warmed with one full bulk answer first), the same ids, modules
     imported before the clock starts (httpx; the client's msgspec too), the answer held at
     the end (so freeing it is not timed). Runs interleaved (bulk, client, bulk, client...),
     each in its own process, so its peak memory (ru_maxrss) and CPU time are its own. Wall
     figures are medians of `--runs`; "ratio" is the median of the per-pair ratios (each
     client run over the bulk run just before it), the figure least moved by other load on
     the machine; the ratio of the medians is printed beside it. CPU is the child's own user +
     system time (the server's is not in it).
2. 1,000,000 synthetic validators filtered by withdrawal credentials (the whole set streamed
   once: what finding an LRT's validators costs at mainnet scale): time and peak memory, then
   the same with the credential index cache warm. `--plain` adds a plain parse of the whole
   document (json.loads), the figure a streaming filter avoids (several GB).

Run: `.venv/bin/python tests/bench/beacon.py [--runs 3] [--skip-million] [--plain]`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HUNDRED_K = 100_000
MILLION = 1_000_000


@contextmanager
def server(validators: int) -> Iterator[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ion_cli.devnet.beacon_server",
            "--port",
            "0",
            "--validators",
            str(validators),
            "--synthetic-roots",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "Listening on" in line:
                yield "http://" + line.split("Listening on", 1)[1].strip()
                return
            if "rror" in line:
                raise SystemExit(f"beacon server: {line.strip()}")
        raise SystemExit(f"the beacon server did not start (exit {proc.poll()})")
    finally:
        proc.kill()
        proc.wait()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ---- children: one measurement per process ----


def child_bulk(url: str, n: int) -> dict[str, Any]:
    import httpx

    ids = [str(i) for i in range(n)]
    start, busy = time.perf_counter(), cpu()
    with httpx.Client(timeout=600) as http:
        answer = http.post(f"{url}/eth/v1/beacon/states/head/validators", json={"ids": ids})
        data = json.loads(answer.content)["data"]
    seconds, busy = time.perf_counter() - start, cpu() - busy
    assert len(data) == n
    return {"seconds": seconds, "cpu": busy, "peak_mb": peak_mb()}


def child_client(url: str, n: int, chunk: int, concurrency: int) -> dict[str, Any]:
    import httpx  # noqa: F401  (imported before the clock, as in child_bulk)

    from ion_cli.beacon import wire  # noqa: F401  (msgspec, likewise)
    from ion_cli.beacon.client import BeaconClient

    ids = [str(i) for i in range(n)]
    start, busy = time.perf_counter(), cpu()
    with BeaconClient([url], chunk=chunk, concurrency=concurrency) as client:
        answer = client.validators("head", ids)
    seconds, busy = time.perf_counter() - start, cpu() - busy
    assert len(answer.validators) == n
    return {"seconds": seconds, "cpu": busy, "peak_mb": peak_mb()}


def child_naive(url: str, sample: int) -> dict[str, Any]:
    import httpx

    start = time.perf_counter()
    with httpx.Client(timeout=60) as http:
        for i in range(sample):
            got = http.get(f"{url}/eth/v1/beacon/states/head/validators/{i * 7}")
            json.loads(got.content)
    return {"seconds": time.perf_counter() - start, "peak_mb": peak_mb()}


def child_filter(url: str, credentials: list[str], cache: bool) -> dict[str, Any]:
    from ion_cli.beacon.client import BeaconClient
    from ion_cli.beacon.fetch import resolve_state, snapshot_of_credentials

    start = time.perf_counter()
    with BeaconClient([url], timeout=600) as client:
        resolve_state(client, "head")
        snap = snapshot_of_credentials(client, credentials, "head", use_cache=cache)
    return {
        "seconds": time.perf_counter() - start,
        "peak_mb": peak_mb(),
        "found": len(snap.validators),
    }


def child_raw(url: str) -> dict[str, Any]:
    """The floor of a scan: the whole answer streamed and thrown away (nothing parsed)."""
    import httpx

    start = time.perf_counter()
    size = 0
    with (
        httpx.Client(timeout=900) as http,
        http.stream("GET", f"{url}/eth/v1/beacon/states/head/validators") as answer,
    ):
        for chunk in answer.iter_bytes(1 << 16):
            size += len(chunk)
    return {"seconds": time.perf_counter() - start, "peak_mb": peak_mb(), "found": size}


def child_plain(url: str) -> dict[str, Any]:
    import httpx

    start = time.perf_counter()
    with httpx.Client(timeout=900) as http:
        answer = http.get(f"{url}/eth/v1/beacon/states/head/validators")
        data = json.loads(answer.content)["data"]
    return {"seconds": time.perf_counter() - start, "peak_mb": peak_mb(), "found": len(data)}


CHILDREN = {
    "bulk": child_bulk,
    "client": child_client,
    "naive": child_naive,
    "filter": child_filter,
    "plain": child_plain,
    "raw": child_raw,
}


def run_child(*args: Any, env: dict[str, str] | None = None) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(list(args))],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"child {args[0]} failed: {out.stderr.strip()[-500:]}")
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def med(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def hundred_k(runs: int, chunk: int, concurrency: int) -> None:
    with server(HUNDRED_K) as url:
        run_child("bulk", url, HUNDRED_K)  # warm the server
        bulk: list[dict[str, Any]] = []
        mine: list[dict[str, Any]] = []
        for _ in range(runs):
            bulk.append(run_child("bulk", url, HUNDRED_K))
            mine.append(run_child("client", url, HUNDRED_K, chunk, concurrency))
        sample = 300
        naive = run_child("naive", url, sample)
    lower, ours = med(bulk, "seconds"), med(mine, "seconds")
    pairs = statistics.median(m["seconds"] / b["seconds"] for b, m in zip(bulk, mine, strict=True))
    naive_total = naive["seconds"] / sample * HUNDRED_K
    print(f"100,000 validators ({runs} runs, medians; chunk {chunk}, concurrency {concurrency})")
    print(
        f"  lower bound (1 bulk POST + json.loads): {lower:7.2f} s  {med(bulk, 'peak_mb'):6.0f} MB"
        f"  cpu {med(bulk, 'cpu'):5.2f} s"
    )
    print(
        f"  ion client (Validator objects):         {ours:7.2f} s  {med(mine, 'peak_mb'):6.0f} MB"
        f"  cpu {med(mine, 'cpu'):5.2f} s"
    )
    print(
        f"  ratio (median of the {runs} pairs):         {pairs:.2f}x   "
        f"(ratio of the medians {ours / lower:.2f}x)"
    )
    print(
        f"  naive one-id GETs ({sample} sampled):      {naive_total:7.1f} s  (extrapolated, "
        f"{naive['seconds'] / sample * 1000:.1f} ms per id)"
    )
    print(f"  all runs: bulk {[round(r['seconds'], 2) for r in bulk]}")
    print(f"            ion  {[round(r['seconds'], 2) for r in mine]}")
    ratios = [round(m["seconds"] / b["seconds"], 2) for b, m in zip(bulk, mine, strict=True)]
    print(f"     ratios      {ratios}")


def million(plain: bool, runs: int) -> None:
    """Cold filter runs interleaved with raw reads of the same stream (raw, cold, raw, cold...);
    the ratio is the median of each cold run over the raw read just before it."""
    with server(MILLION) as url:
        import httpx

        lrts = httpx.get(f"{url}/ion/v1/devnet/info", timeout=60).json()["lrts"]
        creds = list(lrts["weETH"]["credentials"])
        run_child("raw", url)  # warm the server
        raws: list[dict[str, Any]] = []
        colds: list[dict[str, Any]] = []
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "XDG_CACHE_HOME": cache}
            for _ in range(runs):
                raws.append(run_child("raw", url))
                for old in Path(cache).glob("ion/beacon/credentials-*.json"):
                    old.unlink()  # cold: no credential index
                colds.append(run_child("filter", url, creds, True, env=env))
            warm = run_child("filter", url, creds, True, env=env)
            cached = sorted(Path(cache).glob("ion/beacon/credentials-*.json"))
            cache_kb = cached[0].stat().st_size / 1024 if cached else 0.0
        ratio = statistics.median(
            c["seconds"] / r["seconds"] for r, c in zip(raws, colds, strict=True)
        )
        print(
            f"1,000,000 validators filtered by credentials (weETH: {len(creds)} credentials; "
            f"{runs} interleaved pairs, medians; load {os.getloadavg()[0]:.1f})"
        )
        print(
            f"  raw read of the stream ({raws[0]['found'] / 1e6:.0f} MB):  "
            f"{med(raws, 'seconds'):7.2f} s  {med(raws, 'peak_mb'):6.0f} MB peak"
        )
        print(
            f"  full streamed scan (cache cold): {med(colds, 'seconds'):7.2f} s  "
            f"{max(c['peak_mb'] for c in colds):6.0f} MB peak (max)  ({colds[0]['found']} found)"
        )
        print(f"  ratio cold scan / raw read:      {ratio:7.2f}x  (median of the pairs)")
        print(
            f"  with the credential index cache:  {warm['seconds']:7.2f} s  "
            f"{warm['peak_mb']:6.0f} MB peak  ({warm['found']} found; cache file {cache_kb:.0f} KB)"
        )
        if plain:
            whole = run_child("plain", url)
            print(
                f"  plain parse of the whole document: {whole['seconds']:7.2f} s  "
                f"{whole['peak_mb']:6.0f} MB peak"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=0)
    parser.add_argument("--concurrency", type=int, default=0)
    parser.add_argument("--skip-million", action="store_true")
    parser.add_argument("--skip-100k", action="store_true")
    parser.add_argument("--plain", action="store_true")
    args = parser.parse_args()
    if args.child:
        name, *rest = json.loads(args.child)
        print(json.dumps(CHILDREN[name](*rest)))
        return
    from ion_cli.beacon.client import DEFAULT_CHUNK, DEFAULT_CONCURRENCY

    if not args.skip_100k:
        hundred_k(args.runs, args.chunk or DEFAULT_CHUNK, args.concurrency or DEFAULT_CONCURRENCY)
    if not args.skip_million:
        million(args.plain, args.runs)


if __name__ == "__main__":
    main()
