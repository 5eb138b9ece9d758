"""Fork mode: `ion devnet up --fork-url` against a second local chain.

- A fork of the session's devnet: the first devnet's deployment answers on the fork (same
  addresses), the dev account is funded with every market's tokens, the commands work there,
  `ion devnet status` says it is a fork of what at which block, and the source is untouched.
- A fork of a chain with chain id 1 takes the mainnet profile (the published addresses)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ion_cli.beacon import eip4788
from ion_cli.cli import app
from ion_cli.devnet import beacon, fork, node
from ion_cli.testing.devnet import DevnetHandle

pytestmark = pytest.mark.integration
WAD = 10**18


def ion(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    return json.loads(result.stdout) if "--json" in args and code == 0 else result


@pytest.fixture
def fork_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "fork"
    monkeypatch.setenv("ION_DEVNET_DIR", str(directory))
    try:
        yield directory
    finally:
        beacon.stop(directory)
        node.stop(directory)


def test_a_fork_of_another_devnet(devnet: DevnetHandle, fork_dir: Path) -> None:
    source_block = devnet.w3.eth.block_number
    up = ion("devnet", "up", "--fork-url", devnet.rpc_url, "--json")
    assert up["chain_id"] == 31337 and up["deployed"] is False
    assert up["fork"]["profile"] == "devnet" and up["fork"]["block"] == source_block
    assert up["rpc_url"] != devnet.rpc_url
    # the first devnet's deployment answers on the fork, at the same addresses
    assert up["deployment"]["markets"] == devnet.deployment.raw["markets"]
    assert up["deployment"]["shared"] == devnet.deployment.raw["shared"]
    funded = up["fork"]["funded"]
    assert set(funded) >= {"ETH", "WETH", "wstETH", "weETH", "ezETH", "rsETH", "rswETH"}
    assert not [k for k, v in funded.items() if v.startswith("not funded")], funded
    assert "mint path" in funded["weETH"]

    status = ion("devnet", "status", "--json")
    assert status["running"] and status["fork"]["block"] == source_block
    assert status["note"].startswith("fork of another devnet (chain id 31337) at block")
    assert status["rpc_url"] == up["rpc_url"]
    text = ion("devnet", "status").stdout
    assert "fork of another devnet" in text

    # the commands run on the fork with the forked deployment, and leave the source alone
    markets = {m["market"] for m in ion("markets", "--json")["markets"]}
    assert markets == {"weETH", "rsETH", "rswETH", "ezETH"}
    before = int(devnet.w3.eth.get_balance(devnet.dev))
    ion("supply", "weETH", "3", "--yes")
    ion("deposit", "rsETH", "20", "--yes")
    ion("borrow", "rsETH", "4", "--yes")
    position = ion("position", "rsETH", "--json")
    assert position["collateral"] == "20"
    assert int(devnet.w3.eth.get_balance(devnet.dev)) == before  # nothing sent to the source
    assert devnet.w3.eth.block_number == source_block

    # The fork's own beacon chain keeps its EIP-4788 contract fed for the fork's new blocks.
    assert up["beacon_url"]
    node.rpc(up["rpc_url"], "evm_increaseTime", [hex(24)])
    node.rpc(up["rpc_url"], "evm_mine", [])
    latest = node.rpc(up["rpc_url"], "eth_getBlockByNumber", ["latest", False])
    ts = int(latest["timestamp"], 16)
    genesis = httpx.get(f"{up['beacon_url']}/eth/v1/beacon/genesis").json()["data"]
    slot = (ts - int(genesis["genesis_time"])) // 12
    header = httpx.get(f"{up['beacon_url']}/eth/v1/beacon/headers/{slot}", timeout=30).json()
    parent = header["data"]["header"]["message"]["parent_root"]
    call = {"to": eip4788.ADDRESS, "data": eip4788.get_calldata(ts)}
    deadline = time.monotonic() + 20
    while node.rpc(up["rpc_url"], "eth_call", [call, "latest"]) != parent:
        assert time.monotonic() < deadline, "the fork's new block has no beacon root"
        time.sleep(0.3)

    # up again reuses the running fork; a stopped fork needs its URL again
    again = ion("devnet", "up", "--json")
    assert again["started"] is False and again["fork"]["block"] == source_block
    ion("devnet", "down")
    assert "was a fork of another devnet" in ion("devnet", "up", code=2).stderr


def test_a_fork_of_chain_id_1_uses_the_mainnet_profile(tmp_path: Path, fork_dir: Path) -> None:
    from ion_cli.config import load_config
    from ion_cli.networks import MAINNET, resolve_network

    # a bare chain with id 1 (no contracts) to fork
    (tmp_path / "chain1").mkdir()
    _, source = node.spawn(tmp_path / "chain1", chain_id=1)
    try:
        up = ion("devnet", "up", "--fork-url", source.rpc_url, "--json")
        assert up["chain_id"] == 1 and up["fork"]["profile"] == "mainnet"
        assert up["deployment"] is None
        assert up["fork"]["funded"]["ETH"].startswith("100000 ETH")
        assert up["fork"]["funded"]["weETH"].startswith("not funded")  # no contracts there
        balance = node.rpc(up["rpc_url"], "eth_getBalance", [_dev(), "latest"])
        assert int(balance, 16) == fork.DEV_ETH * WAD
        profile = resolve_network(None, load_config())
        assert profile.name == "devnet" and profile.chain_id == 1
        assert profile.rpc_url == up["rpc_url"]
        assert profile.markets["rsETH"].pool == MAINNET.markets["rsETH"].pool
        assert profile.lens == MAINNET.lens
        status = ion("devnet", "status", "--json")
        assert status["note"].startswith("fork of mainnet (chain id 1) at block")
    finally:
        node.terminate(source.pid)


def _dev() -> str:
    from ion_cli.devnet import deployment as dep

    return dep.DEV_ACCOUNT_ADDRESS


def test_a_plain_erc20_balance_is_written_by_storage(devnet: DevnetHandle) -> None:
    """The funding path for tokens no adapter mints: find the balance slot, write it."""
    token = devnet.deployment.shared.wsteth
    who = "0x" + "5a" * 20
    assert fork.balance_of(devnet.rpc_url, token, who) == 0
    assert fork.write_erc20_balance(devnet.rpc_url, token, who, 123 * WAD)
    assert fork.balance_of(devnet.rpc_url, token, who) == 123 * WAD
    assert fork.balance_of(devnet.rpc_url, token, devnet.dev) > 0  # other balances untouched
