"""The network deadline (`--timeout`, at least 5 s) holds whatever part of the answer a node
dribbles, over https as over http, for the RPC reader and the beacon client (issue 17's last
gap: over https the deadline was checked only once the headers had arrived, so a node sending
its status line and headers a byte every half second kept a command running past it).

The nodes here are local servers; the https one has a self-signed certificate made for the test
(`cryptography`), trusted by the command through SSL_CERT_FILE."""

from __future__ import annotations

import datetime
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# Far above the deadline (5 s): a command still running then has no deadline (the guard, so a
# regression fails the test instead of hanging it).
GUARD_S = 60


def _self_signed(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ion test node")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "node.pem", directory / "node.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _dribble(conn: socket.socket, what: str) -> None:
    """Read the request, then answer a byte (headers) or 64 bytes (body) every half second,
    forever."""
    try:
        conn.settimeout(30)
        conn.recv(65536)
        if what == "headers":
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            while True:  # a header line that never ends
                conn.sendall(b"X")
                time.sleep(0.5)
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"data": [')
        while True:
            conn.sendall(b" " * 64)
            time.sleep(0.5)
    except OSError:
        return
    finally:
        conn.close()


class _Node:
    def __init__(self, what: str, tls: ssl.SSLContext | None) -> None:
        self.what = what
        self.tls = tls
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        if self.tls is not None:
            try:
                conn.settimeout(30)
                conn = self.tls.wrap_socket(conn, server_side=True)
            except (OSError, ssl.SSLError):
                conn.close()
                return
        _dribble(conn, self.what)

    def stop(self) -> None:
        self.stopped.set()
        self.sock.close()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _self_signed(tmp_path_factory.mktemp("tls"))


CASES = [("http", "headers"), ("https", "headers"), ("https", "body")]
COMMANDS = {
    "rpc": ("markets", "--network", "mainnet", "--rpc-url"),
    "beacon": ("validators", "show", "1", "--beacon-url"),
}
Run = tuple[_Node, "subprocess.Popen[str]"]


@pytest.fixture(scope="module")
def runs(certificate: tuple[Path, Path]) -> Iterator[dict[tuple[str, str, str], Run]]:
    """Every case's command, all started at once: each waits out the 5 s deadline, so they
    wait together instead of one after another. Each test reads its own command's outcome."""
    env = dict(os.environ, SSL_CERT_FILE=str(certificate[0]))
    started: dict[tuple[str, str, str], Run] = {}
    try:
        for kind, argv in COMMANDS.items():
            for scheme, what in CASES:
                tls = None
                if scheme == "https":
                    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                    tls.load_cert_chain(*certificate)
                served = _Node(what, tls)
                proc = subprocess.Popen(
                    [sys.executable, "-m", "ion_cli", *argv, served.url, "--timeout", "2"],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=env,
                )
                started[(kind, scheme, what)] = (served, proc)
        yield started
    finally:
        for served, proc in started.values():
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
            served.stop()


def _outcome(run: Run) -> tuple[_Node, int, str]:
    """(the node, exit code, stderr); a command still running GUARD_S later fails the test."""
    served, proc = run
    _, err = proc.communicate(timeout=GUARD_S)
    return served, proc.returncode, err


@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_a_dribbling_rpc_node_is_cut_at_the_deadline(
    runs: dict[tuple[str, str, str], Run], case: tuple[str, str]
) -> None:
    _, code, stderr = _outcome(runs[("rpc", *case)])
    assert code == 4, stderr
    assert "Traceback" not in stderr
    assert "did not finish answering within 5 s (--timeout)" in stderr


@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_a_dribbling_beacon_node_is_cut_at_the_deadline(
    runs: dict[tuple[str, str, str], Run], case: tuple[str, str]
) -> None:
    served, code, stderr = _outcome(runs[("beacon", *case)])
    assert code == 4, stderr
    assert "Traceback" not in stderr
    assert "did not finish answering within 5 s (--timeout)" in stderr
    assert served.url.split("://")[1] in stderr
