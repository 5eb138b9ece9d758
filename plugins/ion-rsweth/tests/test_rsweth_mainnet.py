"""rswETH on mainnet, against a scripted ChainCall (no node): rate, mint plan, unsure facts."""

from __future__ import annotations

from ion_adapter_rsweth import adapter
from ion_adapter_rsweth.adapter import MAINNET

from ion_cli.adapters import AdapterContext
from ion_cli.testing.conformance import scripted_context

TOKEN = str(MAINNET.token)
RATE = 1_041_000_000_000_000_009


def test_rate_and_mint_plan() -> None:
    ctx = scripted_context({(TOKEN, "rswETHToETHRate()(uint256)", ()): RATE})
    assert adapter.exchange_rate(ctx) == RATE
    plan = adapter.mint_plan(ctx, 3 * 10**18, "0x" + "44" * 20)
    [call] = plan.calls
    assert (call.to, call.value, call.data) == (TOKEN, 3 * 10**18, bytes.fromhex("d0e30db0"))
    # Swell: value * floor(1e36 / rate) / 1e18, at most floor(value * 1e18 / rate).
    assert plan.expected_out == 3 * 10**18 * (10**36 // RATE) // 10**18
    assert plan.expected_out <= 3 * 10**18 * 10**18 // RATE


def test_unknown_mainnet_facts_are_marked_unsure() -> None:
    assert set(MAINNET.unsure) == {"withdrawal_nft", "node_operator_registry", "eigenlayer_manager"}
    assert adapter.withdrawal().unsure
    source = adapter.validators(AdapterContext.offline())
    assert not source.complete and source.withdrawal_credentials == ()


def test_mint_cost_is_swells_inverse_rate_rounded_up() -> None:
    inverse = 10**36 // RATE
    ctx = scripted_context({(TOKEN, "ethToRswETHRate()(uint256)", ()): inverse})
    cost = adapter.mint_cost(ctx)
    for amount in (1, 10**18, 15 * 10**18 + 7):
        eth = cost(amount)
        assert eth * inverse // 10**18 >= amount  # deposit(eth) mints at least amount
        assert (eth - 1) * inverse // 10**18 < amount  # and not a wei less would
