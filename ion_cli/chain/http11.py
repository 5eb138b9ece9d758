"""An httpx transport for plain http:// nodes on the standard library's http.client.

httpx's own transport loads httpcore, h11 and anyio (about 25 ms at rest, several times that on
a loaded machine): more than the rest of a write's network work against a local node. A
JSON-RPC reader needs one keep-alive HTTP/1.1 connection, which http.client (already loaded by
httpx) provides. https:// keeps httpx's transport (certificates, proxies).

Failures are raised as the httpx exceptions httpx's transport raises for the same events, so
the reader's retry rules apply unchanged: a refused or unresolved connection is ConnectError
(nothing was sent), a server that closed or garbled the connection RemoteProtocolError, a
reset ReadError/WriteError, timeouts ConnectTimeout/ReadTimeout. A kept-alive connection whose
close has reached us is noticed before anything is sent on it (as httpcore does) and replaced; a
close still in flight when the next request is written surfaces as RemoteProtocolError, which the
reader retries for reads and never for sends (the race every keep-alive client has).
"""

from __future__ import annotations

import contextlib
import http.client
import select
import socket
from typing import Any

import httpx


def _timeout(request: httpx.Request, which: str) -> float | None:
    value = (request.extensions.get("timeout") or {}).get(which)
    return float(value) if value is not None else None


class Http11Transport(httpx.BaseTransport):
    """One kept-alive connection per (host, port); http:// only."""

    def __init__(self) -> None:
        self._conn: http.client.HTTPConnection | None = None
        self._in_flight: socket.socket | None = None
        self._key: tuple[str, int] | None = None

    def _stale(self, conn: http.client.HTTPConnection) -> bool:
        """True when the server closed the idle connection (readable before we wrote)."""
        sock = conn.sock
        if sock is None:
            return True
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def _connection(self, request: httpx.Request) -> http.client.HTTPConnection:
        url = request.url
        if url.scheme != "http":
            raise httpx.UnsupportedProtocol(f"{url.scheme}:// is not served by this transport")
        key = (url.host, url.port or 80)
        if self._conn is not None and (self._key != key or self._stale(self._conn)):
            self.close()
        if self._conn is None:
            conn = http.client.HTTPConnection(key[0], key[1], timeout=_timeout(request, "connect"))
            try:
                conn.connect()
            except TimeoutError as exc:
                raise httpx.ConnectTimeout(str(exc) or "timed out", request=request) from exc
            except OSError as exc:  # refused, unreachable, name not known
                raise httpx.ConnectError(str(exc), request=request) from exc
            conn.sock.settimeout(_timeout(request, "read"))
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._conn, self._key = conn, key
        return self._conn

    def abort(self) -> None:
        """Cut the connection now, from another thread: an overall deadline passed while an
        answer was being read (ion_cli.netdeadline); the blocked read then fails."""
        # (the socket of the request in flight: http.client drops conn.sock once an answer
        # that ends with the connection has begun)
        sock = self._in_flight
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        conn = self._connection(request)
        self._in_flight = conn.sock
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in request.headers.raw}
        headers.pop("Host", None)
        headers.pop("host", None)
        body = request.read()
        try:
            conn.putrequest(
                request.method, request.url.raw_path.decode("ascii"), skip_accept_encoding=True
            )
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders(body or None)
        except TimeoutError as exc:
            self.close()
            raise httpx.WriteTimeout(str(exc) or "timed out", request=request) from exc
        except OSError as exc:
            self.close()
            raise httpx.WriteError(str(exc), request=request) from exc
        try:
            answer = conn.getresponse()
            content = answer.read()
        except TimeoutError as exc:
            self.close()
            raise httpx.ReadTimeout(str(exc) or "timed out", request=request) from exc
        except (http.client.RemoteDisconnected, http.client.BadStatusLine) as exc:
            self.close()
            raise httpx.RemoteProtocolError(
                str(exc) or "Server disconnected without sending a response.", request=request
            ) from exc
        except (http.client.HTTPException, ValueError) as exc:  # incomplete body, bad chunking
            self.close()
            raise httpx.RemoteProtocolError(
                str(exc) or type(exc).__name__, request=request
            ) from exc
        except OSError as exc:
            self.close()
            raise httpx.ReadError(str(exc), request=request) from exc
        if answer.will_close:
            self.close()
        extensions: dict[str, Any] = {
            "http_version": b"HTTP/1.1",
            "reason_phrase": (answer.reason or "").encode("latin-1"),
        }
        return httpx.Response(
            answer.status,
            headers=answer.getheaders(),
            content=content,
            extensions=extensions,
            request=request,
        )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            self._key = None
