"""An overall deadline for every network read.

httpx's timeouts bound each socket operation, not a whole answer: a node that sends 64 bytes
every half second never trips a 30 s read timeout and kept a command running for minutes. The
transport here wraps httpx's and ends any answer (headers and body) that has not finished
within the deadline, with a NodeError naming the node (exit 4, as every unreachable node).

The deadline is the command's `--timeout` (set once per command by the command wrapper; 120 s
by default for the Python API). httpx is imported inside functions (startup stays light).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ion_cli.errors import NodeError

if TYPE_CHECKING:
    import httpx

DEFAULT_SECONDS = 120.0
# A short --timeout (1 s for a receipt in scripts and tests) must not cut off an ordinary answer
# of a loaded node: no answer is given less than this.
MIN_SECONDS = 5.0
_seconds = DEFAULT_SECONDS


def set_deadline(seconds: float) -> None:
    """The deadline of each network request made from now on (the command's --timeout, at
    least MIN_SECONDS)."""
    global _seconds
    _seconds = max(float(seconds), MIN_SECONDS)


def current() -> float:
    return _seconds


class DeadlineExceeded(NodeError):
    """A node did not finish an answer within the deadline."""


def _late(url: Any, seconds: float) -> DeadlineExceeded:
    from ion_cli.redact import display_url

    return DeadlineExceeded(
        f"the node at {display_url(str(url))} did not finish answering within {seconds:g} s "
        "(--timeout)"
    )


class Watchdog:
    """Calls `abort` when an armed deadline passes, from one daemon thread per transport
    started on first use: a timer thread per request (threading.Timer) cost a thread start on
    every RPC, and under load `Thread.start` waits for the new thread to be scheduled (a
    dry run makes about 20 requests)."""

    def __init__(self, abort: Any) -> None:
        self._abort = abort
        self._cond = threading.Condition()
        self._until: float | None = None
        self._thread: threading.Thread | None = None
        # when the thread wakes by itself (inf: never): an arm wakes it only if earlier
        self._wakes_at = math.inf

    def arm(self, seconds: float) -> None:
        with self._cond:
            self._until = time.monotonic() + seconds
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True, name="deadline")
                self._thread.start()
            elif self._until < self._wakes_at:
                self._cond.notify()

    def disarm(self) -> None:
        with self._cond:
            # The thread sees it when it wakes at the old deadline (then waits for the next
            # one): each request after the first costs no thread switch.
            self._until = None

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._until is None or time.monotonic() < self._until:
                    self._wakes_at = math.inf if self._until is None else self._until
                    wait = None if self._until is None else self._until - time.monotonic()
                    self._cond.wait(wait)
                self._wakes_at = math.inf
                self._until = None
            self._abort()


def transport(inner: Any = None, seconds: float | None = None) -> httpx.BaseTransport:
    """httpx's default transport (or `inner`) with every answer bounded by `seconds`."""
    import httpx

    limit = current() if seconds is None else seconds
    base: httpx.BaseTransport = inner if inner is not None else httpx.HTTPTransport()
    abort = getattr(base, "abort", None)
    watchdog = Watchdog(abort) if callable(abort) else None

    class _Bounded(httpx.SyncByteStream):
        def __init__(self, stream: Any, until: float, url: Any) -> None:
            self._stream = stream
            self._until = until
            self._url = url

        def __iter__(self) -> Iterator[bytes]:
            for chunk in self._stream:
                if time.monotonic() > self._until:
                    raise _late(self._url, limit)
                yield chunk

        def close(self) -> None:
            close = getattr(self._stream, "close", None)
            if callable(close):
                close()

    class _Transport(httpx.BaseTransport):
        inner = base  # the wrapped transport

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            until = time.monotonic() + limit
            # A transport that reads the whole answer itself (ion_cli.chain.http11) is cut by
            # the watchdog at the deadline (one request at a time, as that transport's one
            # connection serves them); httpx's own is checked chunk by chunk below.
            if watchdog is not None:
                watchdog.arm(limit)
            try:
                response = base.handle_request(request)
            except Exception:
                if time.monotonic() > until:
                    raise _late(request.url, limit) from None
                raise
            finally:
                if watchdog is not None:
                    watchdog.disarm()
            if time.monotonic() > until:
                response.close()
                raise _late(request.url, limit)
            return httpx.Response(
                status_code=response.status_code,
                headers=response.headers,
                stream=_Bounded(response.stream, until, request.url),
                extensions=response.extensions,
            )

        def close(self) -> None:
            base.close()

    return _Transport()
