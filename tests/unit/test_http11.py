"""The standard-library transport the JSON-RPC reader uses for plain http:// nodes
(ion_cli.chain.http11): answers, keep-alive, a connection the server closed while idle, and
failures raised as the httpx exceptions the reader's retry rules expect."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from ion_cli.chain.http11 import Http11Transport
from ion_cli.chain.rpc import Reader
from ion_cli.errors import NodeError


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections: set[int] = set()  # noqa: RUF012 - shared by the test server's handlers
    close_after_answer = False

    def do_POST(self) -> None:
        _Handler.connections.add(self.client_address[1])
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        answer = json.dumps({"jsonrpc": "2.0", "id": body["id"], "result": "0x7a69"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)
        if _Handler.close_after_answer:
            self.close_connection = True

    def log_message(self, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    """Tells the test when it has closed a connection: a close that has not reached the client
    yet cannot be noticed before the next request is written (the race every keep-alive client
    has; the reader retries reads that meet it)."""

    closed = threading.Event()

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        _Server.closed.set()


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.connections = set()
    _Handler.close_after_answer = False
    _Server.closed.clear()
    httpd = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_requests_share_one_kept_alive_connection(server: str) -> None:
    reader = Reader(server)
    assert [reader.request("eth_chainId") for _ in range(5)] == ["0x7a69"] * 5
    assert len(_Handler.connections) == 1
    transport = reader._http()._transport
    # (wrapped by the overall deadline of ion_cli.netdeadline)
    assert isinstance(getattr(transport, "inner", transport), Http11Transport)
    reader.close()


def test_a_connection_the_server_closed_is_replaced_before_sending(server: str) -> None:
    _Handler.close_after_answer = True
    reader = Reader(server)
    for _ in range(3):  # each request after a close goes on a new connection, never fails
        assert reader.request("eth_blockNumber", retry=False) == "0x7a69"
        assert _Server.closed.wait(10)
        _Server.closed.clear()
    assert len(_Handler.connections) == 3
    reader.close()


def test_a_refused_connection_is_a_connect_error() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = Http11Transport()
    with pytest.raises(httpx.ConnectError):
        transport.handle_request(httpx.Request("POST", f"http://127.0.0.1:{port}/", content=b"{}"))
    with pytest.raises(NodeError, match="connection refused"):
        Reader(f"http://127.0.0.1:{port}").request("eth_chainId")


def test_a_server_that_never_answers_is_a_read_timeout() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        request = httpx.Request(
            "POST", url, content=b"{}", extensions={"timeout": {"connect": 1, "read": 0.2}}
        )
        with pytest.raises(httpx.ReadTimeout):
            Http11Transport().handle_request(request)
    finally:
        listener.close()


def test_https_is_not_served() -> None:
    with pytest.raises(httpx.UnsupportedProtocol):
        Http11Transport().handle_request(httpx.Request("POST", "https://example.invalid/"))
