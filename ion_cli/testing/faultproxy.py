"""A fault-injection HTTP proxy for tests: put it in front of anvil (or the local beacon server)
and make the node misbehave on demand.

    with FaultProxy(devnet.rpc_url) as proxy:
        proxy.add(Fault("drop_after", method="eth_sendRawTransaction", times=1))
        ion("borrow", "weETH", "1", "--yes", "--rpc-url", proxy.url)

Faults (`Fault.kind`):
- `delay`: wait `seconds`, then forward;
- `drop_before`: close the connection without forwarding (the node never saw the request);
- `drop_after`: forward, then close without answering (the node acted; the client cannot know);
- `http_error`: answer `status` (503 by default) without forwarding;
- `truncate`: forward, then send only half of the answer's body (its full length announced);
- `hang`: accept the request and never answer (until the proxy stops);
- `before`: call `action(body)` (the request's bytes), then forward: another client acting just
  before the node sees the request (e.g. sending a transaction with the same nonce);
- `refuse`: stop listening altogether, as a node that is down (`proxy.refuse()`/`proxy.accept()`);
- `freeze_head`: the node's head stays at `block` (None: the head when the fault first fires):
  `eth_blockNumber` answers it and every block tag (`latest`, `pending`, `safe`, `finalized`)
  in a call's parameters is read as that block, while the node underneath goes on (a node that
  stopped following the chain; transactions sent through it still reach the real node).

A fault matches every request, or only JSON-RPC calls of `method` (batches match if any call
does); `times` bounds how often it fires (None: until removed). `proxy.log` records the methods
seen, so tests can count the eth_sendRawTransaction that reached the node.
Standard library only.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Fault", "FaultProxy"]

KINDS = (
    "delay",
    "drop_before",
    "drop_after",
    "http_error",
    "truncate",
    "hang",
    "before",
    "freeze_head",
)
TAGS = ("latest", "pending", "safe", "finalized")


@dataclass
class Fault:
    kind: str
    method: str | None = None
    times: int | None = None
    seconds: float = 0.0
    status: int = 503
    action: Callable[[bytes], None] | None = None  # for `before`
    block: int | None = None  # for `freeze_head`: the frozen head (set when it first fires)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault {self.kind!r} (one of {', '.join(KINDS)})")


def _methods(body: bytes) -> list[str]:
    try:
        data = json.loads(body)
    except ValueError:
        return []
    calls = data if isinstance(data, list) else [data]
    return [str(c.get("method")) for c in calls if isinstance(c, dict)]


class FaultProxy:
    """A local HTTP proxy to `upstream` on a free port (see the module docstring)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.faults: list[Fault] = []
        self.log: list[str] = []  # JSON-RPC methods forwarded to the node, in order
        self.fired: list[tuple[str, str]] = []  # (fault kind, method) as they fired
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port = 0
        self._connections: set[socket.socket] = set()

    # ------------------------------------------------------------------ control

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def sent_raw(self) -> int:
        """How many eth_sendRawTransaction calls reached the node."""
        with self._lock:
            return self.log.count("eth_sendRawTransaction")

    def refuse(self) -> None:
        """Stop listening: connections are refused, as by a node that is down."""
        self._shutdown()

    def accept(self) -> None:
        """Listen again on the same port after `refuse`."""
        self._serve(self._port)

    def start(self) -> FaultProxy:
        self._serve(0)
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._shutdown()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ internals

    def _take(self, methods: list[str]) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.method is not None and fault.method not in methods:
                    continue
                if fault.times is not None:
                    if fault.times <= 0:
                        continue
                    fault.times -= 1
                self.fired.append((fault.kind, ",".join(methods)))
                return fault
        return None

    def _forward(self, body: bytes, methods: list[str]) -> tuple[int, bytes]:
        request = urllib.request.Request(
            self.upstream, data=body, headers={"Content-Type": "application/json"}
        )
        with self._lock:
            self.log.extend(methods)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return int(answer.status), answer.read()
        except urllib.error.HTTPError as exc:
            return int(exc.code), exc.read()

    def _frozen(self, fault: Fault, body: bytes) -> tuple[int, bytes]:
        """`freeze_head`: answer eth_blockNumber with the frozen head and read every block tag
        as it; the other calls go to the node (in one batch when the request was one)."""
        if fault.block is None:
            _, answer = self._forward(
                json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber"}).encode(),
                ["eth_blockNumber"],
            )
            fault.block = int(json.loads(answer)["result"], 16)
        frozen = hex(fault.block)
        try:
            data = json.loads(body)
        except ValueError:
            return self._forward(body, [])
        calls = data if isinstance(data, list) else [data]
        local: dict[int, dict[str, Any]] = {}
        forward: list[dict[str, Any]] = []
        for i, call in enumerate(calls):
            if not isinstance(call, dict):
                forward.append(call)
                continue
            if call.get("method") == "eth_blockNumber":
                local[i] = {"jsonrpc": "2.0", "id": call.get("id"), "result": frozen}
                continue
            params = call.get("params")
            if isinstance(params, list):
                call = {**call, "params": [frozen if p in TAGS else p for p in params]}
            forward.append(call)
        answers: list[Any] = []
        status = 200
        if forward:
            payload = forward if isinstance(data, list) else forward[0]
            status, raw = self._forward(json.dumps(payload).encode(), _methods(body))
            try:
                got = json.loads(raw)
            except ValueError:
                return status, raw
            answers = got if isinstance(got, list) else [got]
        by_id = {a.get("id"): a for a in answers if isinstance(a, dict)}
        merged: list[Any] = []
        rest = iter(answers)  # answers without a matching id: in order
        for i, call in enumerate(calls):
            key = call.get("id") if isinstance(call, dict) else None
            merged.append(local[i] if i in local else by_id.get(key) or next(rest, None))
        out = merged if isinstance(data, list) else merged[0]
        return status, json.dumps(out).encode()

    def _serve(self, port: int) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                with proxy._lock:
                    proxy._connections.add(self.connection)

            def finish(self) -> None:
                with proxy._lock:
                    proxy._connections.discard(self.connection)
                with contextlib.suppress(OSError):
                    super().finish()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                methods = _methods(body)
                fault = proxy._take(methods)
                kind = fault.kind if fault else None
                if fault is not None and kind == "delay":
                    time.sleep(fault.seconds)
                if kind == "hang":
                    proxy._stopping.wait()
                    self.close_connection = True
                    return
                if fault is not None and kind == "before" and fault.action is not None:
                    fault.action(body)
                if fault is not None and kind == "freeze_head":
                    self._answer(*proxy._frozen(fault, body))
                    return
                if kind == "drop_before":
                    self._drop()
                    return
                if fault is not None and kind == "http_error":
                    self._answer(fault.status, b'{"error": "injected"}')
                    return
                status, answer = proxy._forward(body, methods)
                if kind == "drop_after":
                    self._drop()
                    return
                if kind == "truncate":
                    self._answer(status, answer[: len(answer) // 2], length=len(answer))
                    self.close_connection = True
                    return
                self._answer(status, answer)

            def _answer(self, status: int, body: bytes, length: int | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body)
                    self.wfile.flush()

            def _drop(self) -> None:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", port), Handler)
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _shutdown(self) -> None:
        with self._lock:
            open_now = list(self._connections)
        for connection in open_now:  # kept-alive connections would go on being served
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
