"""The devnet's use cases behind `ion devnet up|down|status|reset`.

The devnet is a directory (ION_DEVNET_DIR, default <data dir>/devnet) holding anvil's state
dump, the node's bookkeeping and the deployment file. `up` is idempotent: it reuses a live
node, restarts a stopped or dead one from its state, and deploys only when the node does not
hold the recorded deployment (no file yet, or a state that lost it).
"""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ion_cli.devnet import deploy, node
from ion_cli.devnet import deployment as dep
from ion_cli.errors import DevnetNotRunning, NodeError, UsageError
from ion_cli.paths import devnet_dir

Progress = Callable[[str], None]
LOCK_FILE = "devnet.lock"


@dataclass
class UpResult:
    rpc_url: str
    chain_id: int
    pid: int
    started: bool  # False: an already running node was reused
    deployed: bool  # False: the recorded deployment was still on the node
    seconds: float
    deployment: dep.Deployment
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "running": True,
            "rpc_url": self.rpc_url,
            "chain_id": self.chain_id,
            "pid": self.pid,
            "started": self.started,
            "deployed": self.deployed,
            "seconds": round(self.seconds, 2),
            "notes": self.notes,
            "deployment": self.deployment.to_json(),
        }


@dataclass
class Status:
    running: bool
    devnet_dir: str
    rpc_url: str | None = None
    chain_id: int | None = None
    block: int | None = None
    pid: int | None = None
    deployment: dict[str, Any] | None = None
    deployed: bool | None = None  # the recorded contracts have code on the node (None: unknown)
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "running": self.running,
            "deployed": self.deployed,
            "rpc_url": self.rpc_url,
            "chain_id": self.chain_id,
            "block": self.block,
            "pid": self.pid,
            "devnet_dir": self.devnet_dir,
            "note": self.note,
            "deployment": self.deployment,
        }


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One `up`/`down`/`reset` at a time per devnet dir (two terminals must not start two nodes)."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _quiet(_message: str) -> None:
    return None


def _preferred_port(directory: Path) -> int:
    """The last node's port when it is free (scripts keep their URL across down/up), else any."""
    last = node.recorded(directory)
    if last is not None and last.port and node.port_free(last.port):
        return last.port
    return 0


def _ensure_node(directory: Path, port: int | None, notes: list[str]) -> tuple[node.NodeInfo, bool]:
    live = node.running(directory)
    if live is not None:
        if port and port != live.port:
            notes.append(f"already running on port {live.port}; --port {port} ignored")
        return live, False
    recorded = node.recorded(directory)
    if node.died(directory):
        pid = recorded.pid if recorded else "?"
        notes.append(f"the previous node (pid {pid}) had died; started a new one from its state")
        node.clear(directory)
    elif recorded is not None and (directory / node.PID_FILE).exists():
        # Process alive, RPC silent: a hung node. Restarting on its state could lose data.
        raise NodeError(
            f"anvil (pid {recorded.pid}) runs but does not answer at {recorded.rpc_url}: "
            "run `ion devnet down` first"
        )
    if port:
        return node.start(directory, port=port), True
    preferred = _preferred_port(directory)
    try:
        return node.start(directory, port=preferred), True
    except UsageError:
        if not preferred:
            raise
        # Someone took the old port between our check and anvil's bind: any port will do.
        return node.start(directory, port=0), True


def _existing_deployment(directory: Path) -> dep.Deployment | None:
    """The recorded deployment, None when there is none; a corrupt file is an error."""
    return dep.load(directory) if dep.exists(directory) else None


def up(port: int | None = None, progress: Progress | None = None) -> UpResult:
    say = progress or _quiet
    directory = devnet_dir()
    began = time.monotonic()
    notes: list[str] = []
    with _locked(directory):
        # Read the deployment file before touching the node: a corrupt file fails without side
        # effects, and the user decides (reset) rather than us overwriting it.
        recorded = _existing_deployment(directory)
        say("starting anvil")
        info, started = _ensure_node(directory, port, notes)
        chain_id = int(node.rpc(info.rpc_url, "eth_chainId"), 16)
        current = None
        if recorded is not None:
            if recorded.chain_id == chain_id and deploy.has_code(
                info.rpc_url, recorded.addresses()
            ):
                current = recorded
            else:
                notes.append("the node no longer holds the recorded deployment: redeployed")
        deployed = current is None
        if current is None:
            document = deploy.deploy(info.rpc_url, say)
            dep.save(document, directory)
            current = dep.parse(document)
        elif current.rpc_url != info.rpc_url:
            current = current.with_rpc_url(info.rpc_url)
            dep.save(current.to_json(), directory)
    return UpResult(
        rpc_url=info.rpc_url,
        chain_id=chain_id,
        pid=info.pid,
        started=started,
        deployed=deployed,
        seconds=time.monotonic() - began,
        deployment=current,
        notes=notes,
    )


def down() -> node.NodeInfo | None:
    """Stop the node (anvil dumps its state on the way out); None when none was running."""
    directory = devnet_dir()
    with _locked(directory):
        return node.stop(directory)


def status() -> Status:
    directory = devnet_dir()
    result = Status(running=False, devnet_dir=str(directory))
    recorded = dep.load(directory) if dep.exists(directory) else None
    if recorded is not None:
        result.deployment = recorded.to_json()
    live = node.running(directory)
    if live is None:
        if node.died(directory):
            result.note = "the node died (stale pid file): run `ion devnet up`"
        elif node.recorded(directory) and (directory / node.PID_FILE).exists():
            result.note = "anvil runs but does not answer"
        return result
    result.running = True
    result.rpc_url = live.rpc_url
    result.pid = live.pid
    calls: list[tuple[str, list[Any]]] = [("eth_chainId", []), ("eth_blockNumber", [])]
    chain, block = node.rpc_batch(live.rpc_url, calls)
    result.chain_id, result.block = int(chain, 16), int(block, 16)
    if recorded is not None:
        result.deployed = deploy.has_code(live.rpc_url, recorded.addresses())
        if not result.deployed:
            result.note = "the node does not hold the recorded deployment: run `ion devnet up`"
    else:
        result.deployed = False
        result.note = "nothing deployed yet: run `ion devnet up`"
    return result


def require_running() -> Status:
    """The status of a running devnet, or DevnetNotRunning (for commands that need the node)."""
    current = status()
    if not current.running:
        raise DevnetNotRunning("the devnet is not running: run `ion devnet up`")
    return current


def reset(port: int | None = None, progress: Progress | None = None) -> UpResult:
    """Stop the node, delete its state and the deployment, start clean and redeploy."""
    directory = devnet_dir()
    with _locked(directory):
        (progress or _quiet)("stopping anvil")
        node.stop(directory)
        keep = _preferred_port(directory)
        for name in (node.STATE_FILE, dep.FILE_NAME):
            (directory / name).unlink(missing_ok=True)
    return up(port=port or keep or None, progress=progress)
