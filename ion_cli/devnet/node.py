"""The anvil process behind the devnet: start it detached, find it again, stop it.

The node outlives the `ion` process that started it (its own session), so everything we need to
find it later is on disk in the devnet dir: `anvil.pid`, `node.json` (pid, port, rpc url) and
`anvil.log`. Liveness is "the pid is an anvil process and its RPC answers", never the pid file
alone: a node that crashed leaves a stale pid file behind, and pids get reused.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ion_cli import chain_ids
from ion_cli.devnet import toolchain
from ion_cli.errors import IonError, NodeError, UsageError

CHAIN_ID = chain_ids.DEVNET
HOST = "127.0.0.1"
STATE_FILE = "anvil-state.json"
LOG_FILE = "anvil.log"
PID_FILE = "anvil.pid"
INFO_FILE = "node.json"

_LISTENING = re.compile(rb"Listening on 127\.0\.0\.1:(\d+)")

# Popen objects of the nodes this process started. We must reap our own children ourselves
# (poll/wait), or a stopped node lingers as a zombie that `kill(pid, 0)` still reports alive.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


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
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise NodeError(f"anvil exited with code {proc.returncode} before answering at {url}")
        if answers(url, timeout=0.5):
            return
        time.sleep(0.03)
    raise NodeError(f"anvil did not answer at {url} within {timeout:.0f} s")


# ---------------------------------------------------------------- processes


def _is_zombie_or_other(pid: int) -> bool:
    """On Linux, read /proc: a zombie is dead, and a live pid that is not anvil is not ours."""
    proc = Path("/proc") / str(pid)
    if not proc.exists():
        return sys.platform.startswith("linux")
    try:
        stat = (proc / "stat").read_text()
        state = stat.rsplit(")", 1)[1].split()[0]
        cmdline = (proc / "cmdline").read_bytes()
    except (OSError, IndexError):
        return True
    # The program itself must be anvil: "anvil" elsewhere in the command line (a `tail -f
    # .../anvil.log` that reused the pid) does not make a process ours to signal.
    program = os.path.basename(cmdline.split(b"\0", 1)[0])
    return state in ("Z", "X") or program != b"anvil"


def pid_alive(pid: int) -> bool:
    """True when `pid` is a running anvil process (reaping it first if it is our child)."""
    child = _CHILDREN.get(pid)
    if child is not None:
        return child.poll() is None
    with contextlib.suppress(ChildProcessError, OSError):
        # Our child from another Popen (e.g. a test harness): reap it if it has exited.
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, owned by someone else
    return not _is_zombie_or_other(pid)


def port_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR as anvil (tokio) sets it: a port in TIME_WAIT after our own node stopped
        # is free for the next one; only a live listener makes it busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    kept = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(kept[-lines:])


def _read_port(log: Path, proc: subprocess.Popen[bytes], timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            found = _LISTENING.search(log.read_bytes())
            if found:
                return int(found.group(1))
        if proc.poll() is not None:
            tail = _tail(log)
            if "in use" in tail.lower():
                raise UsageError(f"anvil could not listen: port in use ({tail})")
            raise NodeError(f"anvil exited with code {proc.returncode}: {tail or 'no output'}")
        time.sleep(0.02)
    raise NodeError(f"anvil printed no `Listening on` line within {timeout:.0f} s (see {log})")


def spawn(
    workdir: Path,
    *,
    port: int = 0,
    state_file: Path | None = None,
    extra_args: list[str] | None = None,
    timeout: float = 20.0,
) -> tuple[subprocess.Popen[bytes], NodeInfo]:
    """Start anvil in its own session, logging to <workdir>/anvil.log; wait until it answers.

    `port=0` lets anvil pick a free port, which we read back from its log line.
    """
    if port and not port_free(port):
        raise UsageError(f"port {port} is in use: choose another with --port, or omit it")
    exe = toolchain.anvil()
    workdir.mkdir(parents=True, exist_ok=True)
    args = [str(exe), "--host", HOST, "--port", str(port), "--chain-id", str(CHAIN_ID)]
    if state_file is not None:
        args += ["--state", str(state_file)]
    args += extra_args or []
    log = workdir / LOG_FILE
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            start_new_session=True,  # survives the CLI and its terminal's Ctrl-C
        )
    _CHILDREN[proc.pid] = proc
    try:
        actual = _read_port(log, proc, timeout)
        url = f"http://{HOST}:{actual}"
        wait_ready(url, timeout=timeout, proc=proc)
        chain = int(rpc(url, "eth_chainId"), 16)
        if chain != CHAIN_ID:
            raise NodeError(f"anvil at {url} reports chain id {chain}, expected {CHAIN_ID}")
    except BaseException:
        terminate(proc.pid, timeout=2.0)
        raise
    info = NodeInfo(
        pid=proc.pid,
        port=actual,
        rpc_url=url,
        state_file=str(state_file) if state_file is not None else None,
        started_at=time.time(),
    )
    return proc, info


def terminate(pid: int, timeout: float = 15.0) -> None:
    """SIGTERM (anvil dumps its --state file on the way out), then SIGKILL after `timeout`."""
    if not pid_alive(pid):
        _forget(pid)
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if not _wait_gone(pid, timeout):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        if not _wait_gone(pid, 5.0):
            raise IonError(f"anvil (pid {pid}) does not stop, even after SIGKILL")
    _forget(pid)


def _wait_gone(pid: int, timeout: float) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return not pid_alive(pid)


def _forget(pid: int) -> None:
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(0.1)


# ---------------------------------------------------------------- the devnet dir's node


def start(devnet_dir: Path, *, port: int = 0, persist: bool = True) -> NodeInfo:
    """Start the devnet's node (loading and later dumping anvil-state.json when `persist`)."""
    devnet_dir.mkdir(parents=True, exist_ok=True)
    state = devnet_dir / STATE_FILE if persist else None
    _, info = spawn(devnet_dir, port=port, state_file=state)
    _write_json(devnet_dir / INFO_FILE, info.to_json())
    (devnet_dir / PID_FILE).write_text(f"{info.pid}\n")
    return info


def recorded(devnet_dir: Path) -> NodeInfo | None:
    """The node recorded in the devnet dir, alive or not (None when nothing is recorded)."""
    path = devnet_dir / INFO_FILE
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
        return NodeInfo(
            pid=int(data["pid"]),
            port=int(data["port"]),
            rpc_url=str(data["rpc_url"]),
            state_file=data.get("state_file"),
            started_at=float(data.get("started_at", 0)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # unreadable bookkeeping: treat as no node; `up` rewrites it


def running(devnet_dir: Path) -> NodeInfo | None:
    """The recorded node when its process is alive and its RPC answers, else None."""
    if not (devnet_dir / PID_FILE).exists():
        return None  # stopped by `down` (node.json stays behind only to remember the port)
    info = recorded(devnet_dir)
    if info is None or not pid_alive(info.pid):
        return None
    return info if answers(info.rpc_url) else None


def stop(devnet_dir: Path, timeout: float = 15.0) -> NodeInfo | None:
    """Stop the recorded node if alive; clear the pid bookkeeping. Returns what was stopped."""
    info = recorded(devnet_dir) if (devnet_dir / PID_FILE).exists() else None
    stopped = None
    if info is not None and pid_alive(info.pid):  # after `down`, node.json only keeps the port
        terminate(info.pid, timeout=timeout)
        stopped = info
    clear(devnet_dir)
    return stopped


def clear(devnet_dir: Path) -> None:
    """Forget the node's pid (after it stopped or died); the port is kept for the next start."""
    (devnet_dir / PID_FILE).unlink(missing_ok=True)


def died(devnet_dir: Path) -> bool:
    """True when a pid file says a node runs but no such process is alive."""
    pid_file = devnet_dir / PID_FILE
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().strip())
    except ValueError:
        return True
    return not pid_alive(pid)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)
