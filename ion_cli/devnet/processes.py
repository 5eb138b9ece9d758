"""Managed devnet services: start detached, record, check and stop a process, all of them alike.

A service (anvil, the beacon API server) is described by a `Service`: how to start it on a port,
how to recognise its process in /proc (pids get reused), and how to ask it whether it is ready.
Each one outlives the `ion` process that started it (its own session), so what is needed to
find it later is on disk in the devnet dir: `<name>.pid`, an info file (pid, port, url) and a
log. Liveness is "the pid is this service's process and it answers", never the pid file alone.
`locked(directory)` serialises every start/stop of a devnet dir (two terminals must not start
two nodes); `ion devnet up|down|reset` and the test fixtures all go through here.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ion_cli.errors import IonError, NodeError, UsageError

HOST = "127.0.0.1"
LOCK_FILE = "devnet.lock"

_LISTENING = re.compile(rb"Listening on 127\.0\.0\.1:(\d+)")

# Popen objects of the services this process started. We must reap our own children ourselves
# (poll/wait), or a stopped service lingers as a zombie that `kill(pid, 0)` still reports alive.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class Service:
    name: str  # "anvil", "beacon": also the label in messages
    pid_file: str
    info_file: str
    log_file: str
    # (port, extra args) -> the command line; port 0 = any free port, read back from the log
    command: Callable[[int], list[str]]
    # The process's command line (split at NULs) -> is it this service?
    owns: Callable[[list[bytes]], bool]
    # url -> does the service answer there?
    ready: Callable[[str], bool]
    url: Callable[[int], str] = field(default=lambda port: f"http://{HOST}:{port}")


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    pid: int
    port: int
    url: str
    started_at: float
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """One start/stop at a time per devnet dir."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---------------------------------------------------------------- processes


def _cmdline(pid: int) -> list[bytes] | None:
    """The command line of a live, non-zombie process (None: gone, zombie or unreadable)."""
    proc = Path("/proc") / str(pid)
    try:
        stat = (proc / "stat").read_text()
        state = stat.rsplit(")", 1)[1].split()[0]
        cmdline = (proc / "cmdline").read_bytes()
    except (OSError, IndexError):
        return None
    if state in ("Z", "X"):
        return None
    return cmdline.rstrip(b"\0").split(b"\0")


def pid_alive(pid: int, service: Service) -> bool:
    """True when `pid` is a running process of `service` (reaping it first if it is our child)."""
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
    if not sys.platform.startswith("linux"):
        return True
    parts = _cmdline(pid)
    # A live pid whose program is not this service (a `tail -f .../anvil.log` that reused the
    # pid) is not ours to signal.
    return parts is not None and service.owns(parts)


def port_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR as anvil (tokio) and aiohttp set it: a port in TIME_WAIT after our own
        # service stopped is free for the next one; only a live listener makes it busy.
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


def _read_port(service: Service, log: Path, proc: subprocess.Popen[bytes], timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            found = _LISTENING.search(log.read_bytes())
            if found:
                return int(found.group(1))
        if proc.poll() is not None:
            tail = _tail(log)
            if "in use" in tail.lower():
                raise UsageError(f"{service.name} could not listen: port in use ({tail})")
            detail = tail.removeprefix("error: ") or "no output"
            raise NodeError(f"{service.name} exited with code {proc.returncode}: {detail}")
        time.sleep(0.02)
    raise NodeError(
        f"{service.name} printed no `Listening on` line within {timeout:.0f} s (see {log})"
    )


def wait_ready(
    service: Service, url: str, timeout: float = 15.0, proc: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise NodeError(
                f"{service.name} exited with code {proc.returncode} before answering at {url}"
            )
        if service.ready(url):
            return
        time.sleep(0.03)
    raise NodeError(f"{service.name} did not answer at {url} within {timeout:.0f} s")


def spawn(
    service: Service, workdir: Path, *, port: int = 0, timeout: float = 30.0
) -> tuple[subprocess.Popen[bytes], ServiceInfo]:
    """Start the service in its own session, logging to <workdir>/<log>; wait until it answers.

    `port=0` lets the service pick a free port, read back from its `Listening on` log line.
    """
    if port and not port_free(port):
        raise UsageError(
            f"port {port} is in use: choose another `port`, or omit it", params=("port",)
        )
    args = service.command(port)
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / service.log_file
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
        actual = _read_port(service, log, proc, timeout)
        url = service.url(actual)
        wait_ready(service, url, timeout=timeout, proc=proc)
    except BaseException:
        terminate(proc.pid, service, timeout=2.0)
        raise
    info = ServiceInfo(
        name=service.name, pid=proc.pid, port=actual, url=url, started_at=time.time()
    )
    return proc, info


def terminate(pid: int, service: Service, timeout: float = 15.0) -> None:
    """SIGTERM (anvil dumps its --state file on the way out), then SIGKILL after `timeout`."""
    if not pid_alive(pid, service):
        _forget(pid)
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if not _wait_gone(pid, service, timeout):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        if not _wait_gone(pid, service, 5.0):
            raise IonError(f"{service.name} (pid {pid}) does not stop, even after SIGKILL")
    _forget(pid)


def _wait_gone(pid: int, service: Service, timeout: float) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid, service):
            return True
        time.sleep(0.05)
    return not pid_alive(pid, service)


def _forget(pid: int) -> None:
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(0.1)


# ---------------------------------------------------------------- a devnet dir's services


def start(
    service: Service, directory: Path, *, port: int = 0, extra: dict[str, Any] | None = None
) -> ServiceInfo:
    """Start the service for the devnet dir and record it there."""
    directory.mkdir(parents=True, exist_ok=True)
    _, info = spawn(service, directory, port=port)
    if extra:
        info = ServiceInfo(**{**asdict(info), "extra": dict(extra)})
    write_json(directory / service.info_file, info.to_json())
    write_pid(directory / service.pid_file, info.pid)
    return info


def recorded(service: Service, directory: Path) -> ServiceInfo | None:
    """The service recorded in the devnet dir, alive or not (None when nothing is recorded).
    A state file that exists but cannot be used is a CorruptFileError naming it: guessing
    "nothing recorded" could start a second process next to one still running."""
    from ion_cli.atomic import CorruptFileError, read_text_bounded

    path = directory / service.info_file
    if not path.exists():
        return None
    what = f"{service.name} state file"
    advice = (
        f"; stop the {service.name} process if one still runs, then remove the file "
        "(the next start writes it again)"
    )
    try:
        data = json.loads(read_text_bounded(path, what))
    except ValueError:
        raise CorruptFileError(path, f"the {what} is not JSON{advice}") from None
    try:
        if not isinstance(data, dict):
            raise TypeError
        url = data.get("url") or data.get("rpc_url")  # node.json of older versions: rpc_url
        extra = data.get("extra") or {}
        if "state_file" in data and "state_file" not in extra:
            extra = {**extra, "state_file": data["state_file"]}
        return ServiceInfo(
            name=service.name,
            pid=int(data["pid"]),
            port=int(data["port"]),
            url=str(url),
            started_at=float(data.get("started_at", 0)),
            extra=dict(extra),
        )
    except (ValueError, KeyError, TypeError):
        raise CorruptFileError(path, f"the {what} lacks a valid pid, port or url{advice}") from None


def running(service: Service, directory: Path) -> ServiceInfo | None:
    """The recorded service when its process is alive and it answers, else None."""
    if not (directory / service.pid_file).exists():
        return None  # stopped (the info file stays behind only to remember the port)
    info = recorded(service, directory)
    if info is None or not pid_alive(info.pid, service):
        return None
    return info if service.ready(info.url) else None


def hung(service: Service, directory: Path) -> ServiceInfo | None:
    """The recorded service when its process lives but does not answer."""
    if not (directory / service.pid_file).exists():
        return None
    info = recorded(service, directory)
    if info is None or not pid_alive(info.pid, service) or service.ready(info.url):
        return None
    return info


def stop(service: Service, directory: Path, timeout: float = 15.0) -> ServiceInfo | None:
    """Stop the recorded service if alive; clear its pid file. Returns what was stopped."""
    info = recorded(service, directory) if (directory / service.pid_file).exists() else None
    stopped = None
    if info is not None and pid_alive(info.pid, service):
        terminate(info.pid, service, timeout=timeout)
        stopped = info
    clear(service, directory)
    return stopped


def clear(service: Service, directory: Path) -> None:
    """Forget the service's pid (after it stopped or died); the port is kept for the next start."""
    (directory / service.pid_file).unlink(missing_ok=True)


def died(service: Service, directory: Path) -> bool:
    """True when a pid file says the service runs but no such process is alive."""
    pid_file = directory / service.pid_file
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().strip())
    except ValueError:
        return True
    return not pid_alive(pid, service)


def preferred_port(service: Service, directory: Path) -> int:
    """The last port when it is free (scripts keep their URL across down/up), else 0 (any)."""
    last = recorded(service, directory)
    if last is not None and last.port and port_free(last.port):
        return last.port
    return 0


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write atomically (fsynced temporary file renamed over it): a crash mid-write must not
    leave a corrupt file."""
    from ion_cli.atomic import write_atomic

    write_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def write_pid(path: Path, pid: int) -> None:
    """The pid file, written atomically like the state file."""
    from ion_cli.atomic import write_atomic

    write_atomic(path, f"{pid}\n")
