"""EIP-4788 on the devnet: the beacon roots contract answers, for every anvil block's timestamp,
the root of the devnet beacon chain's block before the one holding it, whichever way the block
was made (automine after a transaction, anvil_mine, `ion devnet advance`, `ion devnet slash`,
a restart over the saved state)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ion_cli.beacon import eip4788
from ion_cli.cli import app
from ion_cli.devnet import beacon, node
from ion_cli.devnet import deployment as dep
from ion_cli.testing.devnet import DevnetHandle

pytestmark = pytest.mark.integration


def ion(*args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def beacon_root_at(rpc_url: str, timestamp: int) -> str | None:
    return beacon_roots_at(rpc_url, [timestamp])[0]


def beacon_roots_at(rpc_url: str, timestamps: list[int]) -> list[str | None]:
    """The 4788 contract's answer for each timestamp (None: it reverts), in one batch."""
    body = [
        {
            "jsonrpc": "2.0",
            "id": i,
            "method": "eth_call",
            "params": [{"to": eip4788.ADDRESS, "data": eip4788.get_calldata(ts)}, "latest"],
        }
        for i, ts in enumerate(timestamps)
    ]
    answers = httpx.post(rpc_url, json=body, timeout=30).json()
    by_id = {a["id"]: a for a in answers}
    return [
        None if "error" in by_id[i] else str(by_id[i]["result"]) for i in range(len(timestamps))
    ]


def expected_roots(rpc_url: str, beacon_url: str) -> dict[int, tuple[int, str]]:
    """anvil block number -> (timestamp, the parent root of the beacon block holding it)."""
    latest = int(node.rpc(rpc_url, "eth_blockNumber", []), 16)
    blocks = node.rpc_batch(
        rpc_url, [("eth_getBlockByNumber", [hex(n), False]) for n in range(latest + 1)]
    )
    parents: dict[int, str] = {}
    out = {}
    with httpx.Client(base_url=beacon_url, timeout=30) as client:  # one connection for all
        genesis = int(client.get("/eth/v1/beacon/genesis").json()["data"]["genesis_time"])
        for block in blocks:
            ts = int(block["timestamp"], 16)
            slot = (ts - genesis) // 12
            if slot not in parents:
                answer = client.get(f"/eth/v1/beacon/headers/{slot}")
                assert answer.status_code == 200, answer.text  # every anvil block's slot has one
                parent = answer.json()["data"]["header"]["message"]["parent_root"]
                assert int(parent, 16) != 0
                parents[slot] = parent
            out[int(block["number"], 16)] = (ts, parents[slot])
    return out


def assert_every_block_anchored(rpc_url: str, beacon_url: str) -> int:
    """Waits (the server writes each block's entry within its poll interval) until the 4788
    contract holds every block's root; returns the number of blocks checked."""
    deadline = time.monotonic() + 30
    while True:
        want = expected_roots(rpc_url, beacon_url)
        numbers = sorted(want)
        got = beacon_roots_at(rpc_url, [want[n][0] for n in numbers])
        wrong = {
            n: (want[n][1], root)
            for n, root in zip(numbers, got, strict=True)
            if root != want[n][1]
        }
        if not wrong:
            return len(want)
        assert time.monotonic() < deadline, f"blocks without their beacon root: {wrong}"
        time.sleep(0.3)


def test_every_block_of_a_run_answers_its_beacon_root(devnet: DevnetHandle) -> None:
    code = node.rpc(devnet.rpc_url, "eth_getCode", [eip4788.ADDRESS, "latest"])
    assert code.lower() == eip4788.CODE.lower()  # the published code, installed by the devnet
    node.rpc(devnet.rpc_url, "anvil_mine", ["0x3"])
    tx = {"from": dep.DEV_ACCOUNT_ADDRESS, "to": dep.DEV_ACCOUNT_ADDRESS, "value": "0x1"}
    node.rpc(devnet.rpc_url, "eth_sendTransaction", [tx])  # automine
    ion("devnet", "advance", "--epochs", "2")
    ion("devnet", "slash", "--lrt", "rsETH", "--count", "2")  # changes the roots after it
    node.rpc(devnet.rpc_url, "eth_sendTransaction", [tx])
    assert devnet.beacon_url is not None
    assert assert_every_block_anchored(devnet.rpc_url, devnet.beacon_url) > 10
    assert beacon_root_at(devnet.rpc_url, 12345) is None  # no entry: get() reverts


def test_a_revert_is_followed(devnet: DevnetHandle) -> None:
    """A revert to a snapshot undoes the entries written after it: they are written again."""
    snap = node.rpc(devnet.rpc_url, "evm_snapshot", [])
    node.rpc(devnet.rpc_url, "evm_increaseTime", [hex(120)])
    node.rpc(devnet.rpc_url, "anvil_mine", ["0x2"])
    assert devnet.beacon_url is not None
    assert_every_block_anchored(devnet.rpc_url, devnet.beacon_url)
    assert node.rpc(devnet.rpc_url, "evm_revert", [snap]) is True
    node.rpc(devnet.rpc_url, "evm_increaseTime", [hex(40)])
    node.rpc(devnet.rpc_url, "anvil_mine", ["0x1"])
    assert_every_block_anchored(devnet.rpc_url, devnet.beacon_url)


def test_a_restart_over_the_saved_state_keeps_every_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "devnet"
    monkeypatch.setenv("ION_DEVNET_DIR", str(directory))
    try:
        first = ion("devnet", "up")
        node.rpc(first["rpc_url"], "anvil_mine", ["0x2"])
        ion("devnet", "advance", "--epochs", "1")
        assert_every_block_anchored(first["rpc_url"], first["beacon_url"])
        ion("devnet", "down")
        again = ion("devnet", "up")
        node.rpc(again["rpc_url"], "anvil_mine", ["0x1"])
        assert assert_every_block_anchored(again["rpc_url"], again["beacon_url"]) > 3
    finally:
        beacon.stop(directory)
        node.stop(directory, timeout=5)
