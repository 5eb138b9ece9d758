"""Read benchmark: median wall time of `ion markets` and `ion position` on a devnet, next to
`python -c "import typer"` measured in the same run (the floor any typer CLI pays).

Starts its own devnet in temporary config/data dirs (so it never touches yours), opens a
position (supply, deposit, borrow) so that `ion position` has figures to compute, measures, and
stops the devnet. Prints figures; asserts nothing (timings belong in notes, not in tests).
Run: `.venv/bin/python tests/bench/reads.py [runs]`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _median(cmd: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, env=env, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed: {done.stderr.decode()[-500:]}")
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    ion = str(BIN / "ion")
    with tempfile.TemporaryDirectory(prefix="ion-bench-") as tmp:
        env = dict(
            os.environ,
            XDG_CONFIG_HOME=str(Path(tmp) / "config"),
            XDG_DATA_HOME=str(Path(tmp) / "data"),
            ION_KEYRING_BACKEND="file",
        )
        env.pop("ION_ACCOUNT", None)

        def ion_run(*args: str) -> None:
            subprocess.run([ion, *args], capture_output=True, env=env, check=True)

        ion_run("devnet", "up")
        try:
            ion_run("supply", "weETH", "10", "--yes")
            ion_run("deposit", "weETH", "20", "--yes")
            ion_run("borrow", "weETH", "5", "--yes")
            figures = {
                "python -c 'import typer'": _median(
                    [sys.executable, "-c", "import typer"], runs, env
                ),
                "ion markets": _median([ion, "markets"], runs, env),
                "ion markets --json": _median([ion, "markets", "--json"], runs, env),
                "ion position": _median([ion, "position"], runs, env),
                "ion position weETH --json": _median(
                    [ion, "position", "weETH", "--json"], runs, env
                ),
            }
        finally:
            subprocess.run([ion, "devnet", "down"], capture_output=True, env=env, check=False)
    floor = figures["python -c 'import typer'"]
    print(f"median of {runs} runs, {os.cpu_count()} cores")
    for name, seconds in figures.items():
        print(f"  {name:<30} {seconds * 1000:7.1f} ms   ({seconds / floor:4.2f}x import typer)")


if __name__ == "__main__":
    main()
