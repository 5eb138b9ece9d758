"""The anvil process behind the devnet: JSON-RPC helpers and anvil as a managed service.

Starting, recording, checking and stopping go through `ion_cli.devnet.processes` (the beacon
server is managed the same way); this module says what is particular to anvil: its command
line, its readiness check (eth_chainId), its files in the devnet dir (`anvil.pid`, `node.json`,
`anvil.log`, `anvil-state.json`) and the chain id it must report.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ion_cli import chain_ids
from ion_cli.devnet import processes, toolchain
from ion_cli.errors import NodeError

CHAIN_ID = chain_ids.DEVNET
HOST = "127.0.0.1"
STATE_FILE = "anvil-state.json"
LOG_FILE = "anvil.log"
PID_FILE = "anvil.pid"
INFO_FILE = "node.json"
# anvil's genesis block hash depends only on its header, whose only varying field is the start
# second: two devnets started in the same second (or a reset within the second the old one
# started) would share a genesis hash, and so a chain identity (ion_cli.chain.identity). The
# header's gas limit is set from a random salt kept here, drawn when a chain starts afresh and
# deleted by a reset. The gas limit was chosen over the timestamp (which moves the chain's clock
# off the wall clock) and over the base fee or the coinbase (which change what transactions
# cost or pay): a block gas limit a few million gas above anvil's default changes nothing ion
# does.
SALT_FILE = "genesis-salt"
BASE_GAS_LIMIT = 30_000_000


@dataclass(frozen=True)
class NodeInfo:
    pid: int
    port: int
    rpc_url: str
    state_file: str | None
    started_at: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------- JSON-RPC over plain urllib
# Plain urllib on purpose: status checks must not pay web3's 1 s import.


def rpc(url: str, method: str, params: list[Any] | None = None, timeout: float = 5.0) -> Any:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []})
    request = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read())
    except (OSError, ValueError) as exc:
        raise NodeError(f"no answer from {url} to {method}: {exc}") from None
    if "error" in answer:
        raise NodeError(f"{url} answered {method} with an error: {answer['error']}")
    return answer.get("result")


def rpc_batch(url: str, calls: list[tuple[str, list[Any]]], timeout: float = 30.0) -> list[Any]:
    """Several calls in one HTTP round trip (JSON-RPC batch); results in call order.

    An error answer becomes a NodeError naming the first failing call's position.
    """
    if not calls:
        return []
    body = json.dumps(
        [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
    )
    request = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answers = json.loads(response.read())
    except (OSError, ValueError) as exc:
        raise NodeError(f"no answer from {url} to a batch of {len(calls)} calls: {exc}") from None
    if not isinstance(answers, list):
        raise NodeError(f"{url} answered a batch with {answers!r}")
    by_id = {a.get("id"): a for a in answers}
    results = []
    for i, (method, _) in enumerate(calls):
        answer = by_id.get(i, {"error": "no answer"})
        if "error" in answer:
            raise NodeError(f"{url} answered call {i} ({method}) with: {answer['error']}")
        results.append(answer.get("result"))
    return results


def answers(url: str, timeout: float = 1.0) -> bool:
    """True when the node at `url` answers eth_chainId."""
    try:
        rpc(url, "eth_chainId", timeout=timeout)
    except NodeError:
        return False
    return True


def wait_ready(
    url: str, timeout: float = 15.0, proc: subprocess.Popen[bytes] | None = None
) -> None:
    processes.wait_ready(anvil_service(), url, timeout=timeout, proc=proc)


# ---------------------------------------------------------------- anvil as a service


def _owns(cmdline: list[bytes]) -> bool:
    # The program itself must be anvil: "anvil" elsewhere in the command line (a `tail -f
    # .../anvil.log` that reused the pid) does not make a process ours to signal.
    return bool(cmdline) and os.path.basename(cmdline[0]) == b"anvil"


def anvil_service(
    state_file: Path | None = None,
    extra_args: list[str] | None = None,
    chain_id: int | None = CHAIN_ID,
) -> processes.Service:
    def command(port: int) -> list[str]:
        # The native binary, not the npm wrapper: killing the wrapper would leave anvil running.
        args = [str(toolchain.anvil()), "--host", HOST, "--port", str(port)]
        if chain_id is not None:  # None: a fork keeps the forked chain's id
            args += ["--chain-id", str(chain_id)]
        if state_file is not None:
            args += ["--state", str(state_file)]
        return args + (extra_args or [])

    return processes.Service(
        name="anvil",
        pid_file=PID_FILE,
        info_file=INFO_FILE,
        log_file=LOG_FILE,
        command=command,
        owns=_owns,
        ready=lambda url: answers(url, timeout=0.5),
    )


def pid_alive(pid: int) -> bool:
    """True when `pid` is a running anvil process (reaping it first if it is our child)."""
    return processes.pid_alive(pid, anvil_service())


def port_free(port: int, host: str = HOST) -> bool:
    return processes.port_free(port, host)


def spawn(
    workdir: Path,
    *,
    port: int = 0,
    state_file: Path | None = None,
    extra_args: list[str] | None = None,
    timeout: float = 20.0,
    chain_id: int | None = CHAIN_ID,
) -> tuple[subprocess.Popen[bytes], NodeInfo]:
    """Start anvil in its own session, logging to <workdir>/anvil.log; wait until it answers
    and check its chain id (`chain_id` None: a fork, whatever id the forked chain has). The
    caller stops it with `terminate(info.pid)`."""
    service = anvil_service(state_file, extra_args, chain_id)
    proc, started = processes.spawn(service, workdir, port=port, timeout=timeout)
    try:
        chain = int(rpc(started.url, "eth_chainId"), 16)
        if chain_id is not None and chain != chain_id:
            raise NodeError(f"anvil at {started.url} reports chain id {chain}, expected {CHAIN_ID}")
    except BaseException:
        processes.terminate(proc.pid, service, timeout=2.0)
        raise
    info = NodeInfo(
        pid=started.pid,
        port=started.port,
        rpc_url=started.url,
        state_file=str(state_file) if state_file is not None else None,
        started_at=started.started_at,
    )
    return proc, info


def terminate(pid: int, timeout: float = 15.0) -> None:
    """SIGTERM (anvil dumps its --state file on the way out), then SIGKILL after `timeout`."""
    processes.terminate(pid, anvil_service(), timeout=timeout)


def _node_info(info: processes.ServiceInfo | None) -> NodeInfo | None:
    if info is None:
        return None
    return NodeInfo(
        pid=info.pid,
        port=info.port,
        rpc_url=info.url,
        state_file=info.extra.get("state_file"),
        started_at=info.started_at,
    )


# ---------------------------------------------------------------- the devnet dir's node


def fork_args(fork_url: str, fork_block: int | None) -> list[str]:
    """anvil's arguments to fork `fork_url` (at `fork_block`, else its latest block)."""
    args = ["--fork-url", fork_url]
    if fork_block is not None:
        args += ["--fork-block-number", str(fork_block)]
    return args


def start(
    devnet_dir: Path,
    *,
    port: int = 0,
    persist: bool = True,
    fork_url: str | None = None,
    fork_block: int | None = None,
) -> NodeInfo:
    """Start the devnet's node (loading and later dumping anvil-state.json when `persist`).
    With `fork_url` it forks that chain instead, keeping its chain id; a fork keeps no state
    file (it starts again from the fork block)."""
    devnet_dir.mkdir(parents=True, exist_ok=True)
    if fork_url is not None:
        _, info = spawn(
            devnet_dir, port=port, extra_args=fork_args(fork_url, fork_block), chain_id=None,
            timeout=60.0,
        )  # fmt: skip
        processes.write_json(devnet_dir / INFO_FILE, info.to_json())
        processes.write_pid(devnet_dir / PID_FILE, info.pid)
        return info
    state = devnet_dir / STATE_FILE if persist else None
    salt = genesis_salt(devnet_dir, fresh=state is None or not state.exists())
    extra = ["--gas-limit", str(BASE_GAS_LIMIT + salt)]
    _, info = spawn(devnet_dir, port=port, state_file=state, extra_args=extra)
    processes.write_json(devnet_dir / INFO_FILE, info.to_json())
    processes.write_pid(devnet_dir / PID_FILE, info.pid)
    return info


def recorded(devnet_dir: Path) -> NodeInfo | None:
    """The node recorded in the devnet dir, alive or not (None when nothing is recorded)."""
    return _node_info(processes.recorded(anvil_service(), devnet_dir))


def running(devnet_dir: Path) -> NodeInfo | None:
    """The recorded node when its process is alive and its RPC answers, else None."""
    return _node_info(processes.running(anvil_service(), devnet_dir))


def stop(devnet_dir: Path, timeout: float = 15.0) -> NodeInfo | None:
    """Stop the recorded node if alive; clear the pid bookkeeping. Returns what was stopped."""
    return _node_info(processes.stop(anvil_service(), devnet_dir, timeout=timeout))


def clear(devnet_dir: Path) -> None:
    """Forget the node's pid (after it stopped or died); the port is kept for the next start."""
    processes.clear(anvil_service(), devnet_dir)


def died(devnet_dir: Path) -> bool:
    """True when a pid file says a node runs but no such process is alive."""
    return processes.died(anvil_service(), devnet_dir)


def genesis_salt(devnet_dir: Path, *, fresh: bool) -> int:
    """The devnet's genesis salt (see SALT_FILE): a new one for a chain that starts afresh,
    the kept one for a chain restored from its state."""
    import secrets

    path = devnet_dir / SALT_FILE
    if not fresh:
        try:
            return int(path.read_text().strip())
        except (OSError, ValueError):
            pass  # an older devnet without a salt: its state holds its genesis anyway
    salt = 1 + secrets.randbelow(2**22 - 1)
    path.write_text(f"{salt}\n")
    return salt


def keep_clock_monotonic(rpc_url: str) -> int | None:
    """After a restart over saved state, carry the chain's clock on from its last block.

    anvil's saved state keeps the blocks but not the time offset that `ion devnet advance` (or a
    test's time jump) added: the next block would take the wall clock and go back in time, and
    every pool view that accrues interest (`block.timestamp - lastRateUpdate`) would panic.
    Returns the time set, or None when the wall clock is already ahead.
    """
    block = rpc(rpc_url, "eth_getBlockByNumber", ["latest", False])
    latest = int(block["timestamp"], 16)
    if latest < int(time.time()):
        return None
    rpc(rpc_url, "evm_setTime", [latest + 1])
    return latest + 1


def advance(rpc_url: str, seconds: int) -> int:
    """Move the chain's clock forward and mine one block; returns the new block's timestamp."""
    rpc(rpc_url, "evm_increaseTime", [hex(seconds)])
    rpc(rpc_url, "evm_mine", [])
    block = rpc(rpc_url, "eth_getBlockByNumber", ["latest", False])
    return int(block["timestamp"], 16)
