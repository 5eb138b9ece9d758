"""HTTP clients per command: how many httpx clients, TLS contexts and certificate stores one run
of a command opens against a devnet (the goal: one client per node per run, reused, and no
certificate store for http://), and the command's median wall time.

Starts its own devnet in a temporary HOME (no user state touched), opens a position, then for
each command: one counted run (httpx.Client and ssl.SSLContext constructions and certificate
stores loaded, the costly part, counted by wrappers installed before ion runs) and `runs` timed
runs. With `--against TREE` (another checkout with its own .venv, e.g. /work/main), the same
commands of that tree run interleaved with these on the same devnet (A B A B ...), and the
median of the per-pair ratios is printed. Prints; asserts nothing.
Run: `.venv/bin/python tests/bench/http_clients.py [runs] [--against TREE]`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent

# Runs ion in this process after wrapping the two constructors; the counts go to fd 3's file.
COUNTED = r"""
import atexit, json, os, ssl, sys
import httpx
counts = {"httpx_clients": 0, "tls_contexts": 0, "cert_stores": 0}
_init = httpx.Client.__init__
def _counted_init(self, *a, **k):
    counts["httpx_clients"] += 1
    _init(self, *a, **k)
httpx.Client.__init__ = _counted_init
_new = ssl.SSLContext.__new__
def _counted_new(cls, *a, **k):
    counts["tls_contexts"] += 1
    return _new(cls, *a, **k)
ssl.SSLContext.__new__ = _counted_new
for _name in ("load_verify_locations", "load_default_certs"):
    def _counted_load(self, *a, _load=getattr(ssl.SSLContext, _name), **k):
        counts["cert_stores"] += 1
        return _load(self, *a, **k)
    setattr(ssl.SSLContext, _name, _counted_load)
def _report():
    with open(os.environ["ION_BENCH_COUNTS"], "w") as f:
        json.dump(counts, f)
atexit.register(_report)
sys.argv = ["ion", *sys.argv[1:]]
from ion_cli.cli import main
main()
"""

COMMANDS = [
    ["deposit", "weETH", "1", "--yes"],
    ["supply", "weETH", "1", "--yes"],
    ["borrow", "weETH", "0.5", "--dry-run"],
    ["position"],
    ["markets"],
    ["oracle", "show", "weETH"],
    ["validators", "summary", "--lrt", "weETH"],  # the RPC reader and the beacon client
]


def main() -> None:
    args = sys.argv[1:]
    other: Path | None = None
    if "--against" in args:
        at = args.index("--against")
        other = Path(args[at + 1]) / ".venv" / "bin"
        del args[at : at + 2]
    runs = int(args[0]) if args else 7
    ion = str(BIN / "ion")
    with tempfile.TemporaryDirectory(prefix="ion-bench-") as home:
        env = dict(
            os.environ,
            HOME=home,
            XDG_CONFIG_HOME=f"{home}/config",
            XDG_DATA_HOME=f"{home}/data",
            XDG_STATE_HOME=f"{home}/state",
            XDG_CACHE_HOME=f"{home}/cache",
            ION_DEVNET_DIR=f"{home}/devnet",
            ION_BENCH_COUNTS=f"{home}/counts.json",
        )
        env.pop("ION_ACCOUNT", None)

        def run(cmd: list[str]) -> float:
            start = time.perf_counter()
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            took = time.perf_counter() - start
            if done.returncode != 0:
                raise SystemExit(f"{' '.join(cmd[-6:])} failed: {done.stderr[-400:]}")
            return took

        run([ion, "devnet", "up"])
        try:
            run([ion, "supply", "weETH", "50", "--yes"])
            run([ion, "deposit", "weETH", "20", "--yes"])
            run([ion, "borrow", "weETH", "2", "--yes"])
            print(f"HTTP clients per command on the devnet (median of {runs} runs)")
            for args in COMMANDS:
                line = f"  ion {' '.join(args):<32}"
                for bin_dir in [BIN] if other is None else [BIN, other]:
                    run([str(bin_dir / "python"), "-c", COUNTED, *args])
                    counts = json.loads(Path(env["ION_BENCH_COUNTS"]).read_text())
                    line += (
                        f" clients {counts['httpx_clients']:2d} tls {counts['tls_contexts']:2d}"
                        f" (stores {counts['cert_stores']})"
                    )
                if other is None:
                    wall = statistics.median(run([ion, *args]) for _ in range(runs))
                    print(f"{line}  median {wall * 1000:6.0f} ms")
                    continue
                mine, theirs = [], []
                for _ in range(runs):
                    mine.append(run([ion, *args]))
                    theirs.append(run([str(other / "ion"), *args]))
                ratio = statistics.median(a / b for a, b in zip(mine, theirs, strict=True))
                print(
                    f"{line}  median {statistics.median(mine) * 1000:6.0f} ms vs "
                    f"{statistics.median(theirs) * 1000:6.0f} ms  ratio {ratio:4.2f}x"
                )
            print(f"  load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        finally:
            subprocess.run([ion, "devnet", "down"], env=env, capture_output=True, check=False)


if __name__ == "__main__":
    main()
