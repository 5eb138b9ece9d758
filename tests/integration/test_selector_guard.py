"""The selector guard, live: every command, the Python API, the adapters and the conformance
kit's mint plans are walked through a recording proxy, and every selector they send or call
must be published by the contract (or venue) it reaches. A client path using a devnet-only
view fails here."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.testing import selector_guard as guard
from ion_cli.testing.devnet import DevnetHandle, warp

pytestmark = pytest.mark.integration

WAD = 10**18


def _ion(url: str, *args: str) -> None:
    result = CliRunner().invoke(app, [*args, "--rpc-url", url])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 0, (args, result.stdout, result.stderr)


def _walk_commands(url: str, devnet: DevnetHandle) -> None:
    _ion(url, "markets")
    _ion(url, "markets", "--json")
    for market in ("weETH", "ezETH"):
        _ion(url, "supply", market, "10", "--yes")
        _ion(url, "deposit", market, "20", "--yes")
        _ion(url, "borrow", market, "5", "--yes")
        _ion(url, "position", market)
        _ion(url, "position", market, "--json")
        warp(devnet.w3, 3600)
        _ion(url, "repay", market, "1", "--yes")
        _ion(url, "repay", market, "all", "--yes")
        _ion(url, "withdraw", market, "all", "--yes")
        _ion(url, "redeem", market, "all", "--yes")
    _ion(url, "position", "--json")


def _walk_api(url: str, devnet: DevnetHandle) -> None:
    """The Python API's reads and writes (what scripts call), on the rsETH and rswETH markets."""
    from ion_cli.api import Ion

    ion = Ion(network="devnet", rpc_url=url)
    assert len(ion.markets()) == 4
    ion.positions()
    for market in ("rsETH", "rswETH"):
        ion.supply(market, "2")
        ion.deposit(market, "10")
        ion.borrow(market, "4")
        ion.position(market)
        warp(devnet.w3, 600)
        ion.repay(market)
        ion.withdraw(market, "all")
        ion.redeem(market, "all")


def _walk_adapters(url: str, devnet: DevnetHandle) -> list[guard.SentCall]:
    """Every registered adapter's rate read and mint plan (sent as the conformance kit does)."""
    from web3 import Web3

    from ion_cli import plugins_registry
    from ion_cli.adapters import AdapterContext
    from ion_cli.testing.conformance import send_plan, web3_chain_call

    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 30}))
    proxied: Any = type("Proxied", (), {"w3": w3, "deployment": devnet.deployment.raw})()
    ctx = AdapterContext(
        chain_id=devnet.deployment.chain_id,
        network="devnet",
        deployment=devnet.deployment.raw,
        call=web3_chain_call(w3),
    )
    planned: list[guard.SentCall] = []
    plugins_registry.reset()
    adapters = plugins_registry.adapters()
    assert {"weeth", "ezeth", "rseth", "rsweth"} <= set(adapters), sorted(adapters)
    for _name, adapter in sorted(adapters.items()):
        assert adapter.exchange_rate(ctx) > 0
        plan = adapter.mint_plan(ctx, WAD, devnet.dev)
        planned += [guard.SentCall("plan", c.to.lower(), bytes(c.data)) for c in plan.calls]
        send_plan(proxied, plan)
    return planned


def test_every_selector_the_client_sends_is_published(devnet: DevnetHandle) -> None:
    targets = guard.devnet_targets(devnet.deployment.raw)
    with guard.recording_proxy(devnet.rpc_url) as (url, recording):
        _walk_commands(url, devnet)
        _walk_api(url, devnet)
        planned = _walk_adapters(url, devnet)
    calls = recording.calls + planned
    assert recording.errors == []
    assert guard.problems(calls, targets) == []
    exercised = guard.covered(calls, targets)
    # The walk-through reached the contracts it should (a silent proxy would pass vacuously).
    for expected in (
        "IonPool.supply(address,uint256,bytes32[])",
        "IonPool.borrow(uint8,address,address,uint256,bytes32[])",
        "IonPool.repay(uint8,address,address,uint256)",
        "IonPool.vault(uint8,address)",
        "IonLens.liquidity(address)",
        "GemJoin.join(address,uint256)",
        "SpotOracle.getSpot()",
        "ReserveOracle.currentExchangeRate()",
        "Liquidation.LIQUIDATION_THRESHOLD()",
    ):
        assert expected in exercised, (expected, sorted(exercised))
    assert any(c.method == "eth_sendRawTransaction" for c in recording.calls)


def test_restaking_selectors_are_published(devnet: DevnetHandle, tmp_path: Any) -> None:
    """`ion restaking` for every LRT and the watch's restaking monitor: every EigenLayer and
    delegation view they call is published by the contract it reaches."""
    from ion_cli.flows.session import Session
    from ion_cli.flows.watch import WatchConfig, Watcher

    targets = guard.devnet_targets(devnet.deployment.raw)
    with guard.recording_proxy(devnet.rpc_url) as (url, recording):
        for lrt in ("ezETH", "rsETH", "weETH", "rswETH"):
            _ion(url, "restaking", "--lrt", lrt, "--json")
        config = WatchConfig(restaking=("ezETH", "rsETH", "weETH", "rswETH"), once=True)
        watcher = Watcher(Session(rpc_url=url), config, path=tmp_path / "watch.json")
        watcher.cycle()
        _ion(url, "devnet", "allocate", "--operator", "op-2", "--avs", "avs-b", "--set", "0",
             "--magnitude", "0.15")  # fmt: skip
        watcher.cycle()
    assert recording.errors == []
    assert guard.problems(recording.calls, targets) == []
    exercised = guard.covered(recording.calls, targets)
    for expected in (
        "AllocationManager.getStrategyAllocations(address,address)",
        "AllocationManager.getMaxMagnitudesAtBlock(address,address[],uint32)",
        "AllocationManager.getAllocation(address,(address,uint32),address)",
        "DelegationManager.getWithdrawableShares(address,address[])",
        "DelegationManager.getSlashableSharesInQueue(address,address)",
        "DelegationManager.getQueuedWithdrawals(address)",
        "EigenPodManager.beaconChainSlashingFactor(address)",
        "RestakeManager.operatorDelegatorAllocations(address)",
        "RenzoOperatorDelegator.eigenPod()",
        "KelpNodeDelegator.eigenPod()",
        "EtherFiNode.getEigenPod()",
        "SwellEigenLayerManager.stakerProxyAddresses(uint256)",
    ):
        assert expected in exercised, (expected, sorted(exercised))


def test_the_guard_catches_a_devnet_only_view(devnet: DevnetHandle) -> None:
    """What the guard exists for: the old pool view `debt()` and the old venue quote views."""
    from eth_utils.crypto import keccak

    targets = guard.devnet_targets(devnet.deployment.raw)
    pool = devnet.deployment.market("weETH").pool.lower()
    uni = devnet.deployment.shared.uniswap_wsteth_weth_pool.lower()
    vault = devnet.deployment.shared.balancer_vault.lower()
    calls = [
        guard.SentCall("eth_call", pool, keccak(text="debt()")[:4]),
        guard.SentCall("eth_call", uni, keccak(text="quoteExactInput(bool,uint256)")[:4]),
        guard.SentCall(
            "eth_call",
            vault,
            keccak(text="querySwap((bytes32,uint8,address,address,uint256,bytes))")[:4],
        ),
        guard.SentCall("eth_call", "0x" + "ab" * 20, keccak(text="balanceOf(address)")[:4]),
        guard.SentCall("eth_call", pool, keccak(text="supplyFactor()")[:4]),  # published: fine
    ]
    found = guard.problems(calls, targets)
    assert len(found) == 4, found
    assert "IonPool" in found[0] and "0x0dca59c1" in found[0]  # debt()
    assert "not a contract of the deployment" in found[3]


def test_raw_transactions_are_decoded() -> None:
    from eth_account import Account

    key = "0x" + "11" * 32
    to = "0x" + "22" * 20
    signed = Account.sign_transaction(
        {"to": to, "data": "0xdeadbeef01", "value": 0, "gas": 50_000, "nonce": 0, "chainId": 1,
         "maxFeePerGas": 10**9, "maxPriorityFeePerGas": 1},
        key,
    )  # fmt: skip
    decoded = guard.decode_raw_transaction("0x" + bytes(signed.raw_transaction).hex())
    assert decoded == {"to": to, "data": "0xdeadbeef01"}
    legacy = Account.sign_transaction(
        {"to": to, "data": "0x01", "value": 0, "gas": 50_000, "nonce": 0, "gasPrice": 1,
         "chainId": 1},
        key,
    )  # fmt: skip
    assert (
        guard.decode_raw_transaction("0x" + bytes(legacy.raw_transaction).hex())["data"] == "0x01"
    )


def test_leverage_selectors_are_published(devnet: DevnetHandle) -> None:
    """Flash leverage, loop mode, the router unwind, the flash deleverage and the closes: every
    quote and call goes to a published signature of the contract it reaches."""
    targets = guard.devnet_targets(devnet.deployment.raw)
    with guard.recording_proxy(devnet.rpc_url) as (url, recording):
        for market in ("weETH", "ezETH"):
            _ion(url, "leverage", market, "--deposit", "10", "--to", "3x", "--yes")
            _ion(url, "deleverage", market, "--to", "1.5x", "--yes")
            _ion(url, "deleverage", market, "--close", "--yes")
            _ion(url, "leverage", market, "--deposit", "5", "--to", "2x", "--mode", "loop", "--yes")
    assert recording.errors == []
    assert guard.problems(recording.calls, targets) == []
    exercised = guard.covered(recording.calls, targets)
    for expected in (
        "SwapRouter02.exactInputSingle((address,address,uint24,address,uint256,uint256,uint160))",
        "QuoterV2.quoteExactOutputSingle((address,address,uint256,uint24,uint160))",
        "QuoterV2.quoteExactInputSingle((address,address,uint256,uint24,uint160))",
    ):
        assert expected in exercised, (expected, sorted(exercised))
    assert any("flashswapAndMint" in name for name in exercised), sorted(exercised)
    assert any("flashDeleverageWethAndSwap" in name for name in exercised), sorted(exercised)
    assert any("simulateGivenOutBalancerSwap" in name for name in exercised), sorted(exercised)
