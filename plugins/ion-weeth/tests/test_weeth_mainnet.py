"""weETH on mainnet, against a scripted ChainCall (no node): addresses, rate, mint plan."""

from __future__ import annotations

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
