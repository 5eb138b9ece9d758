"""`ion devnet up|status|down|reset` against real anvil nodes in temporary devnet dirs.

These start their own nodes (not the session devnet), so they are kept few: one lifecycle walk
and the failure modes a user meets (no anvil, a busy port, a corrupt file, a dead node)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from ion_cli.cli import app
from ion_cli.devnet import beacon, node
from ion_cli.devnet import deployment as dep
from ion_cli.errors import ExitCode

pytestmark = pytest.mark.integration
runner = CliRunner()
PROBE = "0x000000000000000000000000000000000000bEEF"


def ion(*args: str) -> Result:
    return runner.invoke(app, list(args))


def one_error_line(result: Result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def devnet_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "devnet"
    monkeypatch.setenv("ION_DEVNET_DIR", str(directory))
    try:
        yield directory
    finally:
        beacon.stop(directory)  # never leave a service behind, whatever the test did
        node.stop(directory, timeout=5)


def _balance(url: str, address: str) -> int:
    return int(node.rpc(url, "eth_getBalance", [address, "latest"]), 16)


def _send_eth(url: str, to: str, wei: int) -> None:
    tx = {"from": dep.DEV_ACCOUNT_ADDRESS, "to": to, "value": hex(wei)}
    tx_hash = node.rpc(url, "eth_sendTransaction", [tx])
    deadline = time.monotonic() + 10
    while node.rpc(url, "eth_getTransactionReceipt", [tx_hash]) is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_lifecycle_up_status_down_up_reset(devnet_dir: Path) -> None:
    # `up` in a separate process: the node must outlive the CLI that started it.
    began = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "ion_cli", "devnet", "up", "--json"],
        capture_output=True, text=True, env=os.environ.copy(), timeout=120, check=False,
    )  # fmt: skip
    up_seconds = time.monotonic() - began
    assert proc.returncode == 0, proc.stderr
    first: dict[str, Any] = json.loads(proc.stdout)
    assert first["started"] and first["deployed"] and first["chain_id"] == 31337
    assert up_seconds < 30, f"`ion devnet up` from no state took {up_seconds:.1f} s"
    print(f"\n`ion devnet up` from no state: {up_seconds:.2f} s (deploy {first['seconds']} s)")

    status = ion("devnet", "status", "--json")
    assert status.exit_code == 0, status.output
    doc = json.loads(status.stdout)
    assert doc["running"] and doc["rpc_url"] == first["rpc_url"] and doc["block"] > 0
    assert doc["deployed"] is True and doc["chain_id"] == 31337
    assert (
        doc["deployment"]["markets"]["weETH"]["pool"]
        == first["deployment"]["markets"]["weETH"]["pool"]
    )
    url = doc["rpc_url"]
    # The beacon API server is a managed service beside anvil: up starts it, status shows it.
    assert doc["beacon_url"].startswith("http://127.0.0.1:") and doc["beacon_pid"]
    assert doc["beacon_url"] == first["beacon_url"] == doc["deployment"]["beacon_url"]
    assert beacon.healthy(doc["beacon_url"])

    again = ion("devnet", "up", "--json")  # idempotent: same node, same contracts
    assert again.exit_code == 0
    assert json.loads(again.stdout)["started"] is False
    assert json.loads(again.stdout)["deployed"] is False
    assert len(list(p for p in Path("/proc").iterdir() if _is_anvil_in(p, devnet_dir))) <= 1

    _send_eth(url, PROBE, 12345)
    # Time moved ahead of the wall clock (as `advance` does) must survive a restart: anvil's
    # saved state drops the offset, and a block back in time makes every accruing view panic.
    assert ion("devnet", "advance", "--epochs", "20").exit_code == 0
    ahead = node.rpc(url, "eth_getBlockByNumber", ["latest", False])["timestamp"]
    down = ion("devnet", "down", "--json")
    assert down.exit_code == 0 and json.loads(down.stdout)["stopped"] is True
    assert (devnet_dir / node.STATE_FILE).exists()
    assert not beacon.healthy(doc["beacon_url"]) and beacon.running(devnet_dir) is None

    stopped = ion("devnet", "status", "--json")
    assert stopped.exit_code == ExitCode.NOT_RUNNING
    assert json.loads(stopped.stdout)["running"] is False
    assert "not running" in one_error_line(stopped)

    back = ion("devnet", "up", "--json")  # state survives: no redeploy, the balance is there
    assert back.exit_code == 0, back.output
    resumed = json.loads(back.stdout)
    assert resumed["started"] is True and resumed["deployed"] is False
    assert resumed["rpc_url"] == url  # the same port again when free
    assert _balance(url, PROBE) == 12345
    node.rpc(url, "evm_mine", [])
    latest = node.rpc(url, "eth_getBlockByNumber", ["latest", False])["timestamp"]
    assert int(latest, 16) > int(ahead, 16)
    assert ion("markets", "--json").exit_code == 0

    before = ion("supply", "weETH", "1", "--yes", "--json")  # journalled on this chain
    assert before.exit_code == 0, before.output

    reset = ion("devnet", "reset", "--yes", "--json")
    assert reset.exit_code == 0, reset.output
    fresh = json.loads(reset.stdout)
    assert fresh["deployed"] is True
    assert _balance(fresh["rpc_url"], PROBE) == 0
    # Same deployer, same nonces: a clean chain gets the same addresses.
    assert fresh["deployment"]["markets"] == first["deployment"]["markets"]
    # ... and it replays the same nonces (the same hashes, when the same commands run again as
    # `make demo` does), but its genesis differs (ion_cli.devnet.node.SALT_FILE): journals are
    # keyed by chain identity, so the old chain's is kept as it was and never read as this one's.
    from ion_cli.chain import journal

    (old,) = journal.chain_journals(31337)
    kept = (old / journal.DB_NAME).read_bytes()
    after = ion("supply", "weETH", "1", "--yes", "--json")
    assert after.exit_code == 0, after.output
    folders = journal.chain_journals(31337)
    assert len(folders) == 2 and old in folders
    assert (old / journal.DB_NAME).read_bytes() == kept

    assert ion("devnet", "down").exit_code == 0
    assert ion("devnet", "down").exit_code == 0  # idempotent


def _is_anvil_in(proc_dir: Path, devnet_dir: Path) -> bool:
    try:
        cmdline = (proc_dir / "cmdline").read_bytes()
    except OSError:
        return False
    return b"anvil" in cmdline and str(devnet_dir).encode() in cmdline


def test_anvil_missing(devnet_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty_node_modules"
    empty.mkdir()
    monkeypatch.setenv("ION_NODE_MODULES", str(empty))
    result = ion("devnet", "up")
    assert result.exit_code == ExitCode.USAGE
    assert "anvil not found" in one_error_line(result)


def test_port_in_use(devnet_dir: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = ion("devnet", "up", "--port", str(port))
    assert result.exit_code == ExitCode.USAGE
    assert f"port {port} is in use" in one_error_line(result)
    assert not (devnet_dir / node.PID_FILE).exists()


def test_corrupt_deployment_file(devnet_dir: Path) -> None:
    devnet_dir.mkdir(parents=True)
    (devnet_dir / dep.FILE_NAME).write_text('{"version": 1, "chain_id": ')
    result = ion("devnet", "up")
    assert result.exit_code == ExitCode.USAGE
    line = one_error_line(result)
    assert "corrupt devnet deployment file" in line and "ion devnet reset" in line
    assert not (devnet_dir / node.PID_FILE).exists()  # failed before starting anything
    status = ion("devnet", "status")
    assert status.exit_code == ExitCode.USAGE
    assert "corrupt" in one_error_line(status)


def test_killed_node_is_reported_and_restarted(devnet_dir: Path) -> None:
    assert ion("devnet", "up").exit_code == 0
    info = node.recorded(devnet_dir)
    assert info is not None
    os.kill(info.pid, signal.SIGKILL)  # no state dump: the chain is lost
    deadline = time.monotonic() + 5
    while node.pid_alive(info.pid):
        assert time.monotonic() < deadline
        time.sleep(0.02)

    status = ion("devnet", "status", "--json")
    assert status.exit_code == ExitCode.NOT_RUNNING
    assert "died" in json.loads(status.stdout)["note"]
    assert "died" in one_error_line(status)

    up = ion("devnet", "up", "--json")
    assert up.exit_code == 0, up.output
    restarted = json.loads(up.stdout)
    assert restarted["started"] and restarted["deployed"]  # the lost contracts were redeployed
    assert any("died" in note for note in restarted["notes"])
    assert ion("devnet", "status").exit_code == 0


def test_corrupt_beacon_state_is_reported_and_reset_recovers(devnet_dir: Path) -> None:
    assert ion("devnet", "up").exit_code == 0
    assert ion("devnet", "down").exit_code == 0
    (devnet_dir / beacon.STATE_FILE).write_text('{"version": 1}')
    result = ion("devnet", "up")  # the deployment is still on the node: the state file is read
    assert result.exit_code == ExitCode.NODE
    line = one_error_line(result)
    assert "corrupt beacon state file" in line and "ion devnet reset" in line
    fresh = ion("devnet", "reset", "--yes", "--json")
    assert fresh.exit_code == 0, fresh.output
    assert beacon.healthy(json.loads(fresh.stdout)["beacon_url"])
    assert ion("devnet", "down").exit_code == 0


def test_beacon_commands_need_a_running_devnet(devnet_dir: Path) -> None:
    for args in (
        ("devnet", "slash", "--lrt", "weETH"),
        ("devnet", "penalize", "--lrt", "weETH", "--gwei", "5"),
        ("devnet", "advance", "--epochs", "2"),
    ):
        result = ion(*args)
        assert result.exit_code == ExitCode.NOT_RUNNING, args
        assert "ion devnet up" in one_error_line(result)
    bad = ion("devnet", "advance", "--epochs", "0")
    assert bad.exit_code == ExitCode.USAGE
