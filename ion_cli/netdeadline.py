"""An overall deadline for every network read.

httpx's timeouts bound each socket operation, not a whole answer: a node that sends 64 bytes
every half second never trips a 30 s read timeout and kept a command running for minutes. The
transport here wraps httpx's and ends any answer (headers and body) that has not finished
within the deadline, with a NodeError naming the node (exit 4, as every unreachable node).

Two mechanisms, one per kind of transport:
- httpx's own transport (https://, and the beacon client's http://): its network backend is
  wrapped so that every socket operation (connect, TLS handshake, each read and write) gets at
  most the time left before the request's deadline, and none starts after it. A node dribbling
  its status line and headers a byte at a time is cut like one dribbling its body; a TLS
  handshake is bounded as a whole (the ssl module applies a socket timeout to the whole
  handshake or record read).
- a transport that reads the whole answer itself (ion_cli.chain.http11) is cut by a watchdog
  that shuts its socket at the deadline.
The deadline of the request a thread is making is kept per thread (the beacon client makes
requests from several threads over one pool).

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

_local = threading.local()  # .until: the deadline of the request this thread is making

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

    late = DeadlineExceeded(
        f"the node at {display_url(str(url))} did not finish answering within {seconds:g} s "
        "(`timeout`)"
    )
    late.params = ("timeout",)  # the CLI says --timeout
    return late


def _past(until: float) -> bool:
    """The deadline has passed (a socket timeout set to end at it may wake a hair early)."""
    return time.monotonic() >= until - 0.01


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
    """httpx's transport (or `inner`) with every answer bounded by `seconds`."""
    import httpx

    limit = current() if seconds is None else seconds
    base: httpx.BaseTransport = inner if inner is not None else _by_scheme_class()()
    _bound_socket_operations(base)
    abort = getattr(base, "abort", None)
    watchdog = Watchdog(abort) if callable(abort) else None

    class _Bounded(httpx.SyncByteStream):
        def __init__(self, stream: Any, until: float, url: Any) -> None:
            self._stream = stream
            self._until = until
            self._url = url

        def __iter__(self) -> Iterator[bytes]:
            _local.until = self._until  # the body is read by the thread that asked
            chunks = iter(self._stream)
            while True:
                try:
                    chunk = next(chunks)
                except StopIteration:
                    return
                except Exception:
                    # a socket operation cut at the deadline (a timeout, a closed socket)
                    if _past(self._until):
                        raise _late(self._url, limit) from None
                    raise
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
            _local.until = until
            # A transport that reads the whole answer itself (ion_cli.chain.http11) is cut by
            # the watchdog at the deadline (one request at a time, as that transport's one
            # connection serves them); httpx's own has each socket operation bounded by the
            # time left (_bound_socket_operations) and the body checked chunk by chunk below.
            if watchdog is not None:
                watchdog.arm(limit)
            try:
                response = base.handle_request(request)
            except Exception:
                if _past(until):
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


# ---- every socket operation of httpx's transport bounded by the request's deadline


def _left(timeout: float | None, late: type[Exception]) -> float | None:
    """The socket timeout for an operation: `timeout`, but no more than what is left before
    this thread's request deadline; `late` raised when nothing is left."""
    until: float | None = getattr(_local, "until", None)
    if until is None:
        return timeout
    left = until - time.monotonic()
    if left <= 0:
        raise late("the network deadline passed")
    return left if timeout is None else min(timeout, left)


def _bound_socket_operations(transport: Any) -> None:
    """Wrap the network backend of httpx's HTTPTransport (its httpcore pool) so every socket
    operation is bounded by the deadline. A transport without that pool (ion's http11, a test's
    mock) is left alone: it is bounded otherwise (a timer, or it does no I/O)."""
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is None:
        return
    wrapper = _backend_class()
    if not isinstance(backend, wrapper):
        pool._network_backend = wrapper(backend)  # type: ignore[union-attr]


_BY_SCHEME: type | None = None


def _by_scheme_class() -> type:
    """httpx's transport, one per scheme, each made on its first request: an http:// node never
    builds a verified TLS context (loading the certificate store costs 100-250 ms on a loaded
    machine, more than a devnet command's network work). https:// keeps httpx's defaults
    (verified, certifi or SSL_CERT_FILE)."""
    global _BY_SCHEME
    if _BY_SCHEME is not None:
        return _BY_SCHEME
    import httpx

    class _ByScheme(httpx.BaseTransport):
        def __init__(self) -> None:
            self._made: dict[str, httpx.HTTPTransport] = {}
            self._lock = threading.Lock()

        def for_scheme(self, scheme: str) -> httpx.HTTPTransport:
            with self._lock:
                made = self._made.get(scheme)
                if made is None:
                    # verify=False only where no TLS is spoken: a context without a store
                    made = (
                        httpx.HTTPTransport()
                        if scheme == "https"
                        else httpx.HTTPTransport(verify=False)
                    )
                    _bound_socket_operations(made)
                    self._made[scheme] = made
                return made

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            scheme = "https" if request.url.scheme == "https" else "http"
            return self.for_scheme(scheme).handle_request(request)

        def close(self) -> None:
            with self._lock:
                made, self._made = list(self._made.values()), {}
            for transport in made:
                transport.close()

    _BY_SCHEME = _ByScheme
    return _BY_SCHEME


_BACKEND: type | None = None


def _backend_class() -> type:
    """The wrapping httpcore backend (a class built on first use: httpcore is imported only
    with httpx)."""
    global _BACKEND
    if _BACKEND is not None:
        return _BACKEND
    import httpcore

    class _Stream(httpcore.NetworkStream):
        def __init__(self, inner: httpcore.NetworkStream) -> None:
            self._inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

        def close(self) -> None:
            self._inner.close()

        def start_tls(
            self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
        ) -> httpcore.NetworkStream:
            left = _left(timeout, httpcore.ConnectTimeout)
            return _Stream(self._inner.start_tls(ssl_context, server_hostname, left))

        def get_extra_info(self, info: str) -> Any:
            return self._inner.get_extra_info(info)

    class _Backend(httpcore.NetworkBackend):
        def __init__(self, inner: httpcore.NetworkBackend) -> None:
            self._inner = inner

        def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Any = None,
        ) -> httpcore.NetworkStream:
            left = _left(timeout, httpcore.ConnectTimeout)
            return _Stream(self._inner.connect_tcp(host, port, left, local_address, socket_options))

        def connect_unix_socket(
            self, path: str, timeout: float | None = None, socket_options: Any = None
        ) -> httpcore.NetworkStream:
            left = _left(timeout, httpcore.ConnectTimeout)
            return _Stream(self._inner.connect_unix_socket(path, left, socket_options))

        def sleep(self, seconds: float) -> None:
            self._inner.sleep(seconds)

    _BACKEND = _Backend
    return _BACKEND
