"""The devnet's use cases behind `ion devnet up|down|status|reset|advance|slash|penalize`.

The devnet is a directory (ION_DEVNET_DIR, default <data dir>/devnet) holding anvil's state
dump, the deployment file, the beacon server's chain state and the services' bookkeeping.
`up` is idempotent: it reuses a live node, restarts a stopped or dead one from its state, and
deploys only when the node does not hold the recorded deployment (no file yet, or a state that
lost it); then it makes sure the beacon API server runs for that node, and records its URL in
the deployment file (`beacon_url`), where the beacon client finds it on the devnet. Both
processes are managed services (`ion_cli.devnet.processes`), started and stopped under one lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ion_cli import consensus_rules as cr
from ion_cli.devnet import beacon, deploy, fork, node, params, processes
from ion_cli.devnet import deployment as dep
from ion_cli.errors import DevnetNotRunning, NodeError, UsageError
from ion_cli.paths import devnet_dir

Progress = Callable[[str], None]
LOCK_FILE = processes.LOCK_FILE


@dataclass
class UpResult:
    rpc_url: str
    chain_id: int
    pid: int
    started: bool  # False: an already running node was reused
    deployed: bool  # False: the recorded deployment was still on the node
    seconds: float
    deployment: dep.Deployment | None  # None: a fork of a chain without the reference
    notes: list[str] = field(default_factory=list)
    beacon_url: str | None = None
    beacon_pid: int | None = None
    fork: fork.ForkInfo | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "running": True,
            "rpc_url": self.rpc_url,
            "beacon_url": self.beacon_url,
            "chain_id": self.chain_id,
            "pid": self.pid,
            "beacon_pid": self.beacon_pid,
            "started": self.started,
            "deployed": self.deployed,
            "seconds": round(self.seconds, 2),
            "notes": self.notes,
            "fork": self.fork.to_json() if self.fork else None,
            "deployment": self.deployment.to_json() if self.deployment else None,
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
    beacon_url: str | None = None
    beacon_pid: int | None = None
    fork: dict[str, Any] | None = None  # what this devnet forks (None: a local chain)

    def to_json(self) -> dict[str, Any]:
        return {
            "running": self.running,
            "fork": self.fork,
            "deployed": self.deployed,
            "rpc_url": self.rpc_url,
            "beacon_url": self.beacon_url,
            "chain_id": self.chain_id,
            "block": self.block,
            "pid": self.pid,
            "beacon_pid": self.beacon_pid,
            "devnet_dir": self.devnet_dir,
            "note": self.note,
            "deployment": self.deployment,
        }


_locked = processes.locked  # one `up`/`down`/`reset` at a time per devnet dir


def _quiet(_message: str) -> None:
    return None


def _preferred_port(directory: Path) -> int:
    """The last node's port when it is free (scripts keep their URL across down/up), else any."""
    return processes.preferred_port(node.anvil_service(), directory)


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


def up(
    port: int | None = None,
    progress: Progress | None = None,
    *,
    fork_url: str | None = None,
    fork_block: int | None = None,
) -> UpResult:
    if fork_url is not None:
        return up_fork(fork_url, fork_block, port=port, progress=progress)
    if fork_block is not None:
        raise UsageError("`fork_block` needs `fork_url`", params=("fork_block", "fork_url"))
    say = progress or _quiet
    directory = devnet_dir()
    began = time.monotonic()
    notes: list[str] = []
    forked = fork.load(directory)
    if forked is not None:
        return _reuse_fork(directory, forked, port, began)
    with _locked(directory):
        # Read the deployment file before touching the node: a corrupt file fails without side
        # effects, and the user decides (reset) rather than us overwriting it.
        recorded = _existing_deployment(directory)
        say("starting anvil")
        info, started = _ensure_node(directory, port, notes)
        if started:
            node.keep_clock_monotonic(info.rpc_url)
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
            # A new deployment is a new devnet: its beacon chain starts afresh too.
            beacon.stop(directory)
            beacon.forget_state(directory)
            dep.save(document, directory)
            current = dep.parse(document)
        say("starting the beacon API server")
        beacon_info, _ = beacon.ensure(directory, info.rpc_url)
        if current.rpc_url != info.rpc_url or current.get("beacon_url") != beacon_info.url:
            document = {**current.to_json(), "rpc_url": info.rpc_url, "beacon_url": beacon_info.url}
            dep.save(document, directory)
            current = dep.parse(document)
    return UpResult(
        rpc_url=info.rpc_url,
        chain_id=chain_id,
        pid=info.pid,
        started=started,
        deployed=deployed,
        seconds=time.monotonic() - began,
        deployment=current,
        notes=notes,
        beacon_url=beacon_info.url,
        beacon_pid=beacon_info.pid,
    )


def up_fork(
    fork_url: str,
    fork_block: int | None = None,
    *,
    port: int | None = None,
    progress: Progress | None = None,
) -> UpResult:
    """Start anvil forking `fork_url` (at `fork_block`) in the devnet dir, find the profile of
    the forked chain, fund the dev account. Deploys nothing."""
    say = progress or _quiet
    directory = devnet_dir()
    began = time.monotonic()
    if fork_block is not None and fork_block < 0:
        raise UsageError("`fork_block` must be a block number (0 or more)", params=("fork_block",))
    with _locked(directory):
        live = node.running(directory)
        if live is not None:
            raise UsageError(
                f"a devnet already runs in {directory} ({live.rpc_url}): "
                "`ion devnet down` first, or set ION_DEVNET_DIR to another directory"
            )
        if dep.exists(directory) and fork.load(directory) is None:
            raise UsageError(
                f"{directory} holds a local devnet (its deployment and state): set "
                "ION_DEVNET_DIR to another directory for the fork, or `ion devnet reset` it first"
            )
        for name in (node.STATE_FILE, dep.FILE_NAME, fork.FORK_FILE):
            (directory / name).unlink(missing_ok=True)
        say(f"forking {fork.source_label(fork_url)}")
        info = node.start(directory, port=port or 0, fork_url=fork_url, fork_block=fork_block)
        try:
            chain_id = int(node.rpc(info.rpc_url, "eth_chainId"), 16)
            block = int(node.rpc(info.rpc_url, "eth_blockNumber"), 16)
            forked = _set_up_fork(directory, info.rpc_url, fork_url, chain_id, block, say)
            beacon_info = None
            if forked.profile == "devnet" and dep.exists(directory):
                # A fork of a devnet gets a beacon chain of its own (the same seed and set, so
                # the same roots up to the fork), which keeps the fork's EIP-4788 contract fed
                # for the fork's new blocks.
                say("starting the beacon API server")
                beacon_info, _ = beacon.ensure(directory, info.rpc_url)
                document = {**dep.load(directory).to_json(), "beacon_url": beacon_info.url}
                dep.save(document, directory)
        except BaseException:
            beacon.stop(directory)
            node.stop(directory)
            raise
    deployment = dep.load(directory) if dep.exists(directory) else None
    return UpResult(
        rpc_url=info.rpc_url,
        chain_id=chain_id,
        pid=info.pid,
        started=True,
        deployed=False,
        seconds=time.monotonic() - began,
        deployment=deployment,
        notes=list(forked.notes),
        beacon_url=beacon_info.url if beacon_info else None,
        beacon_pid=beacon_info.pid if beacon_info else None,
        fork=forked,
    )


def _set_up_fork(
    directory: Path, rpc_url: str, fork_url: str, chain_id: int, block: int, say: Progress
) -> fork.ForkInfo:
    from ion_cli.config import load_config
    from ion_cli.networks import resolve_network

    config = load_config()
    profile = fork.profile_name(chain_id, config.networks)
    forked = fork.ForkInfo(
        source=fork.source_label(fork_url),
        block=block,
        chain_id=chain_id,
        profile=profile,
        started_at=time.time(),
        rpc_url=rpc_url,
    )
    deployment: dict[str, Any] | None = None
    markets: dict[str, tuple[str, str]] = {}
    if profile == "devnet":
        document = deploy.expected_document(rpc_url, chain_id, block)
        if deploy.has_code(rpc_url, dep.parse(document).addresses()):
            deployment = document
            dep.save(document, directory)
            markets = {k: (m["pool"], m["base"]) for k, m in document["markets"].items()}
        else:
            forked.notes.append(
                "chain id 31337 but the reference deployment is not at a devnet's addresses: "
                "no markets on this fork"
            )
    elif profile is not None:
        base = resolve_network(profile, config)
        markets = {k: (m.pool, m.base_symbol) for k, m in base.markets.items() if m.pool}
    else:
        forked.notes.append(
            f"no profile for chain id {chain_id}: add one to the config file "
            "([networks.NAME] with chain_id and the markets' addresses)"
        )
    forked.funded = fork.fund_dev(
        rpc_url,
        dep.DEV_ACCOUNT_ADDRESS,
        markets,
        chain_id,
        deployment,
        params.DEV_FUNDING * params.WAD,
        say,
    )
    forked.notes += [f"{k}: {v}" for k, v in forked.funded.items() if v.startswith("not funded")]
    fork.save(directory, forked)
    return forked


def _reuse_fork(directory: Path, forked: fork.ForkInfo, port: int | None, began: float) -> UpResult:
    live = node.running(directory)
    if live is None:
        raise UsageError(
            f"the devnet in {directory} was a {forked.describe()}, and it stopped: run "
            "`ion devnet up --fork-url URL` again, or `ion devnet reset` for a local devnet"
        )
    notes = [f"already running on port {live.port}; --port {port} ignored"] if port else []
    chain_id = int(node.rpc(live.rpc_url, "eth_chainId"), 16)
    return UpResult(
        rpc_url=live.rpc_url,
        chain_id=chain_id,
        pid=live.pid,
        started=False,
        deployed=False,
        seconds=time.monotonic() - began,
        deployment=dep.load(directory) if dep.exists(directory) else None,
        notes=notes,
        fork=forked,
    )


def down() -> node.NodeInfo | None:
    """Stop the beacon server and the node (anvil dumps its state on the way out; the beacon
    chain's state is on disk already); None when no node was running."""
    directory = devnet_dir()
    with _locked(directory):
        beacon.stop(directory)
        return node.stop(directory)


def status() -> Status:
    directory = devnet_dir()
    result = Status(running=False, devnet_dir=str(directory))
    recorded = dep.load(directory) if dep.exists(directory) else None
    if recorded is not None:
        result.deployment = recorded.to_json()
    forked = fork.load(directory)
    if forked is not None:
        result.fork = forked.to_json()
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
    server = beacon.running(directory)
    if server is not None:
        result.beacon_url, result.beacon_pid = server.url, server.pid
    calls: list[tuple[str, list[Any]]] = [("eth_chainId", []), ("eth_blockNumber", [])]
    chain, block = node.rpc_batch(live.rpc_url, calls)
    result.chain_id, result.block = int(chain, 16), int(block, 16)
    if forked is not None:
        result.note = forked.describe()
        if recorded is not None:
            result.deployed = deploy.has_code(live.rpc_url, recorded.addresses())
        return result
    if recorded is not None:
        result.deployed = deploy.has_code(live.rpc_url, recorded.addresses())
        if not result.deployed:
            result.note = "the node does not hold the recorded deployment: run `ion devnet up`"
    else:
        result.deployed = False
        result.note = "nothing deployed yet: run `ion devnet up`"
    if server is None and result.note is None:
        result.note = "the beacon API server is not running: run `ion devnet up`"
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
        beacon.stop(directory)
        node.stop(directory)
        keep = _preferred_port(directory)
        for name in (
            node.STATE_FILE,
            node.SALT_FILE,
            dep.FILE_NAME,
            beacon.STATE_FILE,
            fork.FORK_FILE,
        ):
            (directory / name).unlink(missing_ok=True)
    return up(port=port or keep or None, progress=progress)


# ---------------------------------------------------------------- the beacon chain


@dataclass
class AdvanceResult:
    epochs: int
    seconds: int
    timestamp: int
    block: int
    beacon: dict[str, Any] | None  # head and finality as the beacon server now reports them

    def to_json(self) -> dict[str, Any]:
        return {
            "epochs": self.epochs,
            "seconds": self.seconds,
            "timestamp": self.timestamp,
            "block": self.block,
            "beacon": self.beacon,
        }


def advance(epochs: int) -> AdvanceResult:
    """Jump the devnet's clock `epochs` epochs and mine a block: the beacon head and finality
    follow (the beacon server's clock is the chain's)."""
    if not 1 <= epochs <= MAX_EPOCHS:
        raise UsageError(f"`epochs` must be from 1 to {MAX_EPOCHS:,}", params=("epochs",))
    current = require_running()
    assert current.rpc_url is not None
    seconds = epochs * cr.SLOTS_PER_EPOCH * cr.SECONDS_PER_SLOT
    timestamp = node.advance(current.rpc_url, seconds)
    block = int(node.rpc(current.rpc_url, "eth_blockNumber"), 16)
    head = None
    if current.beacon_url is not None:
        info = beacon.call(current.beacon_url, "/ion/v1/devnet/info")
        head = {
            "head_slot": info["head_slot"],
            "head_epoch": info["head_slot"] // cr.SLOTS_PER_EPOCH,
            "finalized_epoch": info["finalized_epoch"],
        }
    return AdvanceResult(epochs, seconds, timestamp, block, head)


MAX_EPOCHS = 1_000_000  # about 12 years of devnet time
MAX_SLASH_COUNT = 100_000
MAX_PENALTY_GWEI = 2048 * 10**9  # Electra's maximum effective balance


def slash(lrt: str, count: int, *, dry_run: bool = False) -> dict[str, Any]:
    """Slash `count` active validators of an LRT on the devnet's beacon chain (one new block);
    `dry_run`: which ones would be, nothing mined."""
    if not 1 <= count <= MAX_SLASH_COUNT:
        raise UsageError(f"`count` must be from 1 to {MAX_SLASH_COUNT:,}", params=("count",))
    url = beacon.require_url(devnet_dir())
    body: dict[str, Any] = {"lrt": lrt, "count": count, "dry_run": dry_run}
    return dict(beacon.call(url, "/ion/v1/devnet/slash", body))


def penalize(lrt: str, gwei: int, *, dry_run: bool = False) -> dict[str, Any]:
    """Take `gwei` from every active validator of an LRT (one new block); `dry_run`: how many
    validators and how much balance it would touch, nothing mined."""
    if not 1 <= gwei <= MAX_PENALTY_GWEI:
        raise UsageError(f"`gwei` must be from 1 to {MAX_PENALTY_GWEI:,}", params=("gwei",))
    url = beacon.require_url(devnet_dir())
    body: dict[str, Any] = {"lrt": lrt, "gwei": gwei, "dry_run": dry_run}
    return dict(beacon.call(url, "/ion/v1/devnet/penalize", body))


def reset_plan() -> dict[str, Any]:
    """What `reset` would do, changing nothing: the node it would stop, the files it would
    delete (those that exist)."""
    directory = devnet_dir()
    live = node.running(directory)
    names = (node.STATE_FILE, dep.FILE_NAME, beacon.STATE_FILE, fork.FORK_FILE)
    return {
        "devnet_dir": str(directory),
        "would_stop_pid": live.pid if live else None,
        "would_delete": [str(directory / n) for n in names if (directory / n).exists()],
        "would_redeploy": True,
    }
