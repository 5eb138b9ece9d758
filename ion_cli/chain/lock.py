"""One writer per account: an exclusive file lock held for a whole plan.

Two `ion` processes sending from one account would each count nonces from `pending`, sign the
same nonce, and one of them would report the other's transaction (or "nonce too low" half-way
through a plan). So every write takes `<state>/locks/<chain id>-<address>.lock` (fcntl.flock)
before it reads the state it plans on, and keeps it until its last receipt. The kernel drops
the lock when the process dies, however it dies, so a killed `ion` never leaves a stale lock.

A second process waits its turn (it is told who holds the lock, once), or gives up after its
timeout with a RefusedError (exit 3). Standard library only; no printing (`on_wait` tells).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from ion_cli.errors import RefusedError
from ion_cli.paths import state_dir

POLL = 0.1  # seconds between attempts while another process holds the lock


def lock_path(chain_id: int, address: str) -> Path:
    return state_dir() / "locks" / f"{int(chain_id)}-{address.lower()}.lock"


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""


@contextlib.contextmanager
def account_lock(
    chain_id: int,
    address: str,
    *,
    timeout: float,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[Path]:
    """Hold the account's write lock inside the `with` block.

    `timeout` bounds the wait in seconds; `on_wait(message)` is called once when another
    process holds the lock.
    """
    path = lock_path(chain_id, address)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pass
            holder = _holder(fd)
            who = f"process {holder}" if holder else "another ion process"
            if not told and on_wait is not None:
                on_wait(
                    f"waiting for {who} to finish its transactions from {address} "
                    f"(up to {timeout:g} s)"
                )
                told = True
            if time.monotonic() >= deadline:
                raise RefusedError(
                    f"{who} is still sending from {address} after {timeout:g} s: nothing was "
                    "sent; try again when it has finished"
                )
            time.sleep(POLL)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield path
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
