"""What the long-run memory benchmarks share (watch_memory, guard_memory, guard_cl_memory): the
process's resident size, and a private devnet in a throwaway home (its own XDG dirs) that is
stopped whatever happens, a SIGTERM included. Prints nothing of its own."""

from __future__ import annotations

import argparse
import os
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main_on_a_private_devnet(run: Callable[[int, Any], None]) -> None:
    """Parse `--epochs` (default 500) and call `run(epochs, devnet handle)` on a fresh devnet."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=500)
    args = parser.parse_args()
    # a terminated run still stops its devnet (the finally below)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        for var, sub in (
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_STATE_HOME", "state"),
            ("XDG_CACHE_HOME", "cache"),
        ):
            os.environ[var] = str(home / sub)
        os.environ.pop("ION_BEACON_URL", None)
        from ion_cli.testing.devnet import start_devnet, stop_devnet

        handle = start_devnet(home / "devnet")
        os.environ["ION_DEVNET_DIR"] = str(handle.deployment_dir)
        try:
            run(args.epochs, handle)
        finally:
            stop_devnet(handle)
