"""weETH on mainnet, against a scripted ChainCall (no node): addresses, rate, mint plan."""

from __future__ import annotations

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
