"""Leverage benchmark: on each market, the gas of flash leverage to 3x (the handler transaction,
and everything the plan sends) beside the total gas of loop mode to the same target; and the
median wall time of one `ion leverage` end to end (process start to the position read back).

Starts its own devnet in temporary config/data dirs, prints figures, asserts nothing.
Run: `.venv/bin/python tests/bench/leverage.py [runs]`.
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
from typing import Any

BIN = Path(sys.executable).parent
MARKETS = ("weETH", "rsETH", "rswETH", "ezETH")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    ion = str(BIN / "ion")
    with tempfile.TemporaryDirectory(prefix="ion-bench-") as tmp:
        env = dict(
            os.environ,
            XDG_CONFIG_HOME=str(Path(tmp) / "config"),
            XDG_DATA_HOME=str(Path(tmp) / "data"),
            ION_KEYRING_BACKEND="file",
        )
        for key in ("ION_ACCOUNT", "ION_DEVNET_DIR", "ION_HOME"):
            env.pop(key, None)

        def run(*args: str) -> Any:
            done = subprocess.run([ion, *args], capture_output=True, env=env, check=False)
            if done.returncode != 0:
                sys.exit(f"ion {' '.join(args)} failed: {done.stderr.decode()[:700]}")
            return json.loads(done.stdout) if "--json" in args else None

        run("devnet", "up")
        rows = []
        try:
            for market in MARKETS:
                flash = run("leverage", market, "--deposit", "10", "--to", "3x", "--yes", "--json")
                steps = flash["execution"]["steps"]
                handler_gas = sum(s["gas_used"] for s in steps if s["kind"] == "action")
                flash_total = flash["execution"]["gas_used"]
                flash_lev = flash["position"]["leverage"]
                run("deleverage", market, "--close", "--yes")
                loop = run(
                    "leverage",
                    market,
                    "--deposit",
                    "10",
                    "--to",
                    "3x",
                    "--mode",
                    "loop",
                    "--yes",
                    "--json",
                )
                loop_total = loop["execution"]["gas_used"]
                rows.append(
                    (
                        market,
                        handler_gas,
                        flash_total,
                        len(steps),
                        loop_total,
                        len(loop["execution"]["steps"]),
                        flash_lev,
                        loop["position"]["leverage"],
                    )
                )
                run("deleverage", market, "--close", "--yes")
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                run("leverage", "weETH", "--deposit", "1", "--to", "3x", "--yes")
                times.append(time.perf_counter() - start)
            dry = []
            for _ in range(runs):
                start = time.perf_counter()
                run("leverage", "weETH", "--deposit", "1", "--to", "3x", "--dry-run")
                dry.append(time.perf_counter() - start)
        finally:
            subprocess.run([ion, "devnet", "down"], capture_output=True, env=env, check=False)
    print(f"gas to 3x on a 10-token deposit ({os.cpu_count()} cores)")
    print(
        f"  {'market':7} {'flash tx':>9} {'flash all':>10} {'txs':>4} {'loop all':>10} "
        f"{'txs':>4} {'loop/flash':>10}  leverage flash / loop"
    )
    for m, h, ft, fn, lt, ln, fl, ll in rows:
        print(
            f"  {m:7} {h:9,} {ft:10,} {fn:4} {lt:10,} {ln:4} {lt / ft:9.2f}x  "
            f"{float(fl):.4f} / {float(ll):.4f}"
        )
    print(
        f"ion leverage weETH --deposit 1 --to 3x --yes: median {statistics.median(times):.2f} s "
        f"of {runs} (min {min(times):.2f}, max {max(times):.2f})"
    )
    print(f"the same with --dry-run: median {statistics.median(dry):.2f} s")
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
