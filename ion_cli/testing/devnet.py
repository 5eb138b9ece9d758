"""pytest fixtures for a real devnet: one anvil per test session, deployed once, and a fresh
EVM snapshot for every test.

- `devnet_session` (session): anvil on a free port in a temporary dir (no --state), the full
  deployment, a web3 instance; anvil is stopped in `finally`.
- `devnet` (function): the same handle, with the chain reverted after the test and
  ION_DEVNET_DIR pointing at the session's dir, so `ion` commands run in-process see the node.
- `warp(w3, seconds)`, `mine(w3)`, `snapshot(w3)`/`revert(w3, id)`: time and state helpers.

web3 is imported inside the fixtures: this module loads with every pytest run (pytest11 plugin).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ion_cli.devnet import deployment as dep

__all__ = [
    "DevnetHandle",
    "devnet",
    "devnet_session",
    "mine",
    "revert",
    "snapshot",
    "start_devnet",
    "warp",
]


@dataclass
class DevnetHandle:
    rpc_url: str
    deployment: dep.Deployment  # typed fields, and mapping access to the raw JSON document
    deployment_dir: Path  # holds deployment.json (set ION_DEVNET_DIR to it)
    w3: Any  # web3.Web3
    pid: int

    @property
    def admin(self) -> str:
        return self.deployment.admin

    @property
    def dev(self) -> str:
        return self.deployment.dev_account


def start_devnet(directory: Path) -> DevnetHandle:
    """Start anvil in `directory` without a state file and deploy; the caller stops it
    (`ion_cli.devnet.node.terminate(handle.pid)`)."""
    from web3 import Web3

    from ion_cli.devnet import deploy, node

    info = node.start(directory, persist=False)
    try:
        document = deploy.deploy(info.rpc_url)
        dep.save(document, directory)
        w3 = Web3(Web3.HTTPProvider(info.rpc_url, request_kwargs={"timeout": 30}))
        return DevnetHandle(
            rpc_url=info.rpc_url,
            deployment=dep.parse(document),
            deployment_dir=directory,
            w3=w3,
            pid=info.pid,
        )
    except BaseException:
        node.terminate(info.pid)
        raise


@pytest.fixture(scope="session")
def devnet_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevnetHandle]:
    from ion_cli.devnet import node

    handle = start_devnet(tmp_path_factory.mktemp("devnet"))
    try:
        yield handle
    finally:
        node.terminate(handle.pid)


@pytest.fixture
def devnet(devnet_session: DevnetHandle, monkeypatch: pytest.MonkeyPatch) -> Iterator[DevnetHandle]:
    monkeypatch.setenv("ION_DEVNET_DIR", str(devnet_session.deployment_dir))
    snap = snapshot(devnet_session.w3)
    try:
        yield devnet_session
    finally:
        revert(devnet_session.w3, snap)


def snapshot(w3: Any) -> str:
    return str(w3.provider.make_request("evm_snapshot", [])["result"])


def revert(w3: Any, snapshot_id: str) -> None:
    answer = w3.provider.make_request("evm_revert", [snapshot_id])
    if answer.get("result") is not True:
        raise RuntimeError(f"evm_revert({snapshot_id}) failed: {answer}")


def mine(w3: Any, blocks: int = 1) -> None:
    w3.provider.make_request("anvil_mine", [hex(blocks)])


def warp(w3: Any, seconds: int) -> int:
    """Move the chain's clock forward by `seconds` and mine a block; returns its timestamp."""
    w3.provider.make_request("evm_increaseTime", [hex(seconds)])
    w3.provider.make_request("evm_mine", [])
    return int(w3.eth.get_block("latest")["timestamp"])
