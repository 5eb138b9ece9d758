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


@pytest.fixture(scope="module")
def dribbling_node() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Dribble)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


COMMANDS = {
    "beacon": ("validators", "show", "1", "--beacon-url"),
    "rpc": ("markets", "--network", "mainnet", "--rpc-url"),
}


@pytest.fixture(scope="module")
def runs(dribbling_node: str) -> Iterator[dict[str, subprocess.Popen[str]]]:
    """Both commands started at once (each waits out the 5 s deadline: together, not one after
    the other). Subprocesses, so that a missing deadline fails the test (the guard) instead of
    hanging it."""
    started: dict[str, subprocess.Popen[str]] = {}
    try:
        for kind, argv in COMMANDS.items():
            started[kind] = subprocess.Popen(
                [sys.executable, "-m", "ion_cli", *argv, dribbling_node, "--timeout", "2"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        yield started
    finally:
        for proc in started.values():
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


def _outcome(proc: subprocess.Popen[str]) -> tuple[int, str]:
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def test_a_dribbling_beacon_node_is_cut_at_the_deadline(
    runs: dict[str, subprocess.Popen[str]], dribbling_node: str
) -> None:
    code, stderr = _outcome(runs["beacon"])
    assert code == 4, stderr
    assert "Traceback" not in stderr
    assert "did not finish answering within 5 s (--timeout)" in stderr
    assert dribbling_node.removeprefix("http://") in stderr


def test_a_dribbling_rpc_node_is_cut_at_the_deadline(
    runs: dict[str, subprocess.Popen[str]],
) -> None:
    code, stderr = _outcome(runs["rpc"])
    assert code == 4, stderr
    assert "Traceback" not in stderr
    assert "did not finish answering within 5 s" in stderr
