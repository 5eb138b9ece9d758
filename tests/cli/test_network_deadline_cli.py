"""An overall deadline for every network read (`--timeout`): a node that dribbles its answer
(64 bytes every half second, forever) ends the command with exit 4 naming the node, instead
of keeping it running (issue 17: a beacon node doing this kept a command alive past 120 s)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _Dribble(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        try:
            self.wfile.write(b'{"data": [')
            while True:  # never ends: only a deadline stops the reader
                self.wfile.write(b" " * 64)
                self.wfile.flush()
                time.sleep(0.5)
        except OSError:
            return

    do_GET = _answer
    do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def dribbling_node() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Dribble)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def _ion(*args: str) -> subprocess.CompletedProcess[str]:
    # A subprocess, so that a missing deadline fails the test (the guard) instead of hanging it.
    return subprocess.run(
        [sys.executable, "-m", "ion_cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_dribbling_beacon_node_is_cut_at_the_deadline(dribbling_node: str) -> None:
    done = _ion("validators", "show", "1", "--beacon-url", dribbling_node, "--timeout", "2")
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr
    assert "did not finish answering within 5 s (--timeout)" in done.stderr
    assert dribbling_node.removeprefix("http://") in done.stderr


def test_a_dribbling_rpc_node_is_cut_at_the_deadline(dribbling_node: str) -> None:
    done = _ion("markets", "--network", "mainnet", "--rpc-url", dribbling_node, "--timeout", "2")
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr
    assert "did not finish answering within 5 s" in done.stderr
