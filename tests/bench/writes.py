"""Write benchmark on a private devnet: `ion deposit weETH 1 --yes` (3 transactions) and
`ion leverage weETH --deposit 10 --to 3x --dry-run`, each in interleaved pairs with
`python -c "import httpx, eth_abi, rich, typer"` (what any CLI on these libraries pays).

The devnet runs in a temporary directory with its own HOME/XDG dirs (no user state touched)
and is stopped at the end. Prints medians and ratios; asserts nothing.
Run: `make bench` (or `.venv/bin/python tests/bench/writes.py [runs]`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from pairs import header, pair

BIN = Path(sys.executable).parent
BASELINE = [sys.executable, "-c", "import httpx, eth_abi, rich, typer"]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
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
        )
        up = subprocess.run([ion, "devnet", "up"], env=env, capture_output=True, text=True)
        if up.returncode != 0:
            raise SystemExit(f"ion devnet up failed: {up.stderr[-400:]}")
        try:
            print(
                f"writes on the devnet against `import httpx, eth_abi, rich, typer` "
                f"({header(runs)})"
            )
            deposit = [ion, "deposit", "weETH", "1", "--yes"]
            print(
                pair(
                    "ion deposit weETH 1 --yes (3 transactions)", deposit, BASELINE, runs, env
                ).line(2.0)
            )
            dry = [ion, "leverage", "weETH", "--deposit", "10", "--to", "3x", "--dry-run"]
            print(
                pair(
                    "ion leverage weETH --deposit 10 --to 3x --dry-run", dry, BASELINE, runs, env
                ).line(1.6)
            )
            print(f"  load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        finally:
            subprocess.run([ion, "devnet", "down"], env=env, capture_output=True, check=False)


if __name__ == "__main__":
    main()
