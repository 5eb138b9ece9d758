"""The pytest devnet fixtures: in-process `ion` commands see the session devnet, each test
starts from the same chain state, and warp moves the clock."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.devnet import deployment as dep
from ion_cli.testing.devnet import DevnetHandle, warp

pytestmark = pytest.mark.integration
PROBE = "0x000000000000000000000000000000000000bEEF"


def test_cli_sees_the_session_devnet(devnet: DevnetHandle) -> None:
    result = CliRunner().invoke(app, ["devnet", "status", "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert status["running"] and status["rpc_url"] == devnet.rpc_url
    assert (
        status["deployment"]["markets"]["ezETH"]["pool"] == devnet.deployment.market("ezETH").pool
    )
    assert dep.load().to_json() == devnet.deployment.to_json()


def test_dev_account_is_funded(devnet: DevnetHandle) -> None:
    w3 = devnet.w3
    assert devnet.dev == dep.DEV_ACCOUNT_ADDRESS
    erc20 = [{"type": "function", "name": "balanceOf", "stateMutability": "view",
              "inputs": [{"name": "a", "type": "address"}],
              "outputs": [{"name": "", "type": "uint256"}]}]  # fmt: skip
    for symbol in ("WETH", "wstETH", "weETH", "ezETH", "rsETH", "rswETH"):
        token = w3.eth.contract(address=devnet.deployment.token(symbol).address, abi=erc20)
        assert token.functions.balanceOf(devnet.dev).call() == 100 * 10**18, symbol
    assert w3.eth.get_balance(devnet.dev) > 1_000 * 10**18


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_starts_from_the_same_state(devnet: DevnetHandle, run: int) -> None:
    w3 = devnet.w3
    assert w3.eth.get_balance(PROBE) == 0  # the other run's transfer was reverted
    tx = w3.eth.send_transaction({"from": devnet.dev, "to": PROBE, "value": run})
    w3.eth.wait_for_transaction_receipt(tx)
    assert w3.eth.get_balance(PROBE) == run


def test_warp_moves_the_clock(devnet: DevnetHandle) -> None:
    before = devnet.w3.eth.get_block("latest")["timestamp"]
    assert warp(devnet.w3, 3600) >= before + 3600
