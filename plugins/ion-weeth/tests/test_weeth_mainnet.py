"""weETH on mainnet, against a scripted ChainCall (no node): addresses, rate, mint plan."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi.abi import encode
from ion_adapter_weeth import adapter
from ion_adapter_weeth.adapter import MAINNET, ZERO_ADDRESS

from ion_cli.adapters import AdapterContext
from ion_cli.testing.conformance import scripted_context

TOKEN = str(MAINNET.token)
POOL = str(MAINNET.contracts["liquidity_pool"])
EETH = str(MAINNET.contracts["eeth"])


def test_rate_is_get_rate() -> None:
    ctx = scripted_context({(TOKEN, "getRate()(uint256)", ()): 1_054_000_000_000_000_001})
    assert adapter.exchange_rate(ctx) == 1_054_000_000_000_000_001


def test_mint_plan_deposits_approves_and_wraps_less_the_share_rounding() -> None:
    amount = 10**18
    wrapped = amount - 2
    ctx = scripted_context(
        {(TOKEN, "getWeETHByeETH(uint256)(uint256)", (wrapped,)): 948_000_000_000_000_000}
    )
    plan = adapter.mint_plan(ctx, amount, "0x" + "44" * 20)
    deposit, approve, wrap = plan.calls
    assert (deposit.to, deposit.value) == (POOL, amount)
    assert deposit.data == bytes.fromhex("f340fa01") + encode(["address"], [ZERO_ADDRESS])
    assert (approve.to, approve.value) == (EETH, 0)
    assert approve.data[4:] == encode(["address", "uint256"], [TOKEN, wrapped])
    assert (wrap.to, wrap.value) == (TOKEN, 0)
    assert wrap.data[4:] == encode(["uint256"], [wrapped])
    assert plan.expected_out == 948_000_000_000_000_000
    assert plan.notes


def test_validators_say_how_to_enumerate() -> None:
    source = adapter.validators(AdapterContext.offline())
    assert not source.complete and "validatorCreated" in source.method


def test_mint_cost_follows_ether_fi_share_math_and_the_public_search() -> None:
    """The ETH Ion's WeEthHandler sends for an exact weETH amount: deposit() then wrap yields it
    exactly; at P == S (never rebased) the public search misses, and says so."""
    import random

    from ion_adapter_weeth.adapter import eth_for_exact_weeth, weeth_for_eth

    from ion_cli.adapters import AdapterError

    draw = random.Random(17)
    for _ in range(500):
        shares = draw.randint(10**21, 10**27)
        pooled = shares * draw.randint(10**18 + 1, 15 * 10**17) // 10**18 + 1
        amount = draw.randint(10**9, shares // 10)
        eth = eth_for_exact_weeth(pooled, shares, amount)
        assert weeth_for_eth(pooled, shares, eth) == amount
    with pytest.raises(AdapterError, match="NoAmountInFound"):
        eth_for_exact_weeth(10**24, 10**24, 10**18)
    ctx = scripted_context(
        {
            (POOL, "getTotalPooledEther()(uint256)", ()): 103 * 10**22,
            (str(MAINNET.contracts["eeth"]), "totalShares()(uint256)", ()): 100 * 10**22,
        }
    )
    cost = adapter.mint_cost(ctx)
    assert weeth_for_eth(103 * 10**22, 100 * 10**22, cost(5 * 10**18)) == 5 * 10**18


def test_restaking_finds_nodes_from_pubkey_linked_logs() -> None:
    """The delegation seam on mainnet: ether.fi's nodes from PubkeyLinked on the
    EtherFiNodesManager (its address from ether.fi's own repository), each node's pod and its
    operator and shares from EigenLayer's DelegationManager; a node linked twice counts once."""
    from ion_adapter_weeth.adapter import MAINNET

    from ion_cli.adapters import EIGENLAYER_MAINNET, AdapterContext, LogEntry, event_topic

    manager = MAINNET.contracts["etherfi_nodes_manager"]
    dm = EIGENLAYER_MAINNET["delegation_manager"]
    node = "0x" + "ee" * 20
    topic = event_topic("PubkeyLinked(bytes32,address,uint256,bytes)")
    log = LogEntry(
        address=str(manager).lower(),
        topics=(topic, "0x" + "11" * 32, "0x" + "00" * 12 + "ee" * 20, "0x" + "00" * 32),
        data="0x",
        block_number=1,
        log_index=0,
    )
    asked: list[Any] = []

    def logs(address: str, topics: Any = (), from_block: int = 0, to_block: Any = None) -> Any:
        asked.append((address, list(topics)))
        return [log, log]

    def call(to: str, signature: str, args: Any = ()) -> Any:
        name = signature.split("(")[0]
        if to == node and name == "getEigenPod":
            return "0x" + "b0" * 20
        if to == dm and name == "delegatedTo":
            return "0x" + "0e" * 20
        if to == dm and name == "getWithdrawableShares":
            return ((32 * 10**18,), (32 * 10**18,))
        raise AssertionError((to, signature, args))

    ctx = AdapterContext(chain_id=1, network="mainnet", call=call, logs=logs)
    source = adapter.restaking(ctx)
    assert asked == [(manager, [topic])]
    (staker,) = source.stakers
    assert (staker.address, staker.pod) == (node, "0x" + "b0" * 20)
    assert staker.operator == "0x" + "0e" * 20
