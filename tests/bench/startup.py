"""Startup benchmark: median wall time of `ion --help` and of one completion request, next to
`python -c "import typer"` measured in the same run (the floor any typer CLI pays).

Prints figures; asserts nothing (timings belong in notes, not in the test suite).
Run: `make bench` (or `.venv/bin/python tests/bench/startup.py [runs]`).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _median(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    ion = str(BIN / "ion")
    completion_env = dict(
        os.environ, _ION_COMPLETE="complete_bash", COMP_WORDS="ion borrow ", COMP_CWORD="2"
    )
    figures = {
        "python -c 'import typer'": _median([sys.executable, "-c", "import typer"], runs),
        "ion --help": _median([ion, "--help"], runs),
        "completion (ion borrow <TAB>)": _median([ion], runs, completion_env),
        "python -c 'import web3' (for scale)": _median(
            [sys.executable, "-c", "import web3"], max(3, runs // 3)
        ),
    }
    floor = figures["python -c 'import typer'"]
    print(f"median of {runs} runs, {os.cpu_count()} cores")
    for name, seconds in figures.items():
        print(f"  {name:<40} {seconds * 1000:7.1f} ms   ({seconds / floor:4.2f}x import typer)")


if __name__ == "__main__":
    main()
