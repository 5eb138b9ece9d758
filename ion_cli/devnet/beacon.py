"""The devnet's beacon API server as a managed service, and the devnet-only calls to it.

The server (`ion_cli.devnet.beacon_server`) runs as its own Python process, started and stopped
through `ion_cli.devnet.processes` beside anvil. Its files in the devnet dir: `beacon.pid`,
`beacon.json` (pid, port, url), `beacon.log`, and its chain state `beacon-state.json`. Plain
urllib here: `ion devnet status` must not pay for aiohttp or httpx.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from ion_cli.devnet import processes
from ion_cli.errors import DevnetNotRunning, NodeError, UsageError

PID_FILE = "beacon.pid"
INFO_FILE = "beacon.json"
LOG_FILE = "beacon.log"
STATE_FILE = "beacon-state.json"
MODULE = "ion_cli.devnet.beacon_server"


def healthy(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/eth/v1/node/health", timeout=timeout) as answer:
            return int(answer.status) in (200, 206)
    except (OSError, ValueError):
        return False


def _owns(cmdline: list[bytes]) -> bool:
    return MODULE.encode() in cmdline


def beacon_service(
    devnet_dir: Path | None, rpc_url: str | None, extra_args: list[str] | None = None
) -> processes.Service:
    def command(port: int) -> list[str]:
        args = [sys.executable, "-m", MODULE, "--host", processes.HOST, "--port", str(port)]
        if devnet_dir is not None:
            args += ["--devnet-dir", str(devnet_dir)]
        if rpc_url is not None:
            args += ["--rpc-url", rpc_url]
        return args + (extra_args or [])

    return processes.Service(
        name="beacon server",
        pid_file=PID_FILE,
        info_file=INFO_FILE,
        log_file=LOG_FILE,
        command=command,
        owns=_owns,
        ready=healthy,
    )


def _service() -> processes.Service:
    return beacon_service(None, None)


def start(devnet_dir: Path, rpc_url: str, *, port: int = 0) -> processes.ServiceInfo:
    """Start the devnet's beacon server following the node at `rpc_url`; record it."""
    service = beacon_service(devnet_dir, rpc_url)
    return processes.start(service, devnet_dir, port=port, extra={"rpc_url": rpc_url})


def ensure(devnet_dir: Path, rpc_url: str) -> tuple[processes.ServiceInfo, bool]:
    """The running server for this node, else a new one (a server following another node,
    e.g. after anvil moved port, is restarted). Returns (info, started)."""
    service = _service()
    live = processes.running(service, devnet_dir)
    if live is not None and live.extra.get("rpc_url") == rpc_url:
        return live, False
    processes.stop(service, devnet_dir, timeout=5.0)
    port = processes.preferred_port(service, devnet_dir)
    try:
        return start(devnet_dir, rpc_url, port=port), True
    except UsageError:
        if not port:
            raise
        return start(devnet_dir, rpc_url, port=0), True


def running(devnet_dir: Path) -> processes.ServiceInfo | None:
    return processes.running(_service(), devnet_dir)


def stop(devnet_dir: Path, timeout: float = 10.0) -> processes.ServiceInfo | None:
    return processes.stop(_service(), devnet_dir, timeout=timeout)


def died(devnet_dir: Path) -> bool:
    return processes.died(_service(), devnet_dir)


def terminate(pid: int) -> None:
    processes.terminate(pid, _service(), timeout=10.0)


def forget_state(devnet_dir: Path) -> None:
    """Delete the synthetic chain's state (`reset`: a new deployment, a new validator set)."""
    (devnet_dir / STATE_FILE).unlink(missing_ok=True)


# ---------------------------------------------------------------- devnet-only calls


def call(url: str, path: str, body: dict[str, Any] | None = None, timeout: float = 60.0) -> Any:
    """GET (no body) or POST JSON to the server; its {"code","message"} errors become IonErrors."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{url}{path}", data=data, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read()).get("message", exc.reason)
        except (ValueError, AttributeError):
            message = exc.reason
        if exc.code in (400, 409):
            raise UsageError(str(message)) from None
        raise NodeError(f"the devnet beacon server answered {exc.code}: {message}") from None
    except (OSError, ValueError) as exc:
        raise NodeError(f"no answer from the devnet beacon server at {url}: {exc}") from None


def require_url(devnet_dir: Path) -> str:
    live = running(devnet_dir)
    if live is None:
        raise DevnetNotRunning("the devnet beacon server is not running: run `ion devnet up`")
    return live.url
