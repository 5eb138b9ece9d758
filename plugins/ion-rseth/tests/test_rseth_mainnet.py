"""rsETH on mainnet, against a scripted ChainCall (no node): rate, bounded mint, pod discovery."""

from __future__ import annotations

from typing import Any

from eth_abi.abi import encode
from ion_adapter_rseth import adapter
from ion_adapter_rseth.adapter import ETH_TOKEN, MAINNET, MIN_OUT_BPS

from ion_cli.adapters import withdrawal_credentials
from ion_cli.testing.conformance import CallKey, scripted_context

POOL = str(MAINNET.contracts["lrt_deposit_pool"])
ORACLE = str(MAINNET.contracts["lrt_oracle"])


def test_rate_is_the_oracle_price() -> None:
    ctx = scripted_context({(ORACLE, "rsETHPrice()(uint256)", ()): 1_061_000_000_000_000_003})
    assert adapter.exchange_rate(ctx) == 1_061_000_000_000_000_003


def test_mint_plan_bounds_the_output() -> None:
    preview = "getRsETHAmountToMint(address,uint256)(uint256)"
    expected = 942_507_068_803_016_022
    ctx = scripted_context({(POOL, preview, (ETH_TOKEN, 10**18)): expected})
    plan = adapter.mint_plan(ctx, 10**18, "0x" + "44" * 20)
    [call] = plan.calls
    min_out = expected - expected * MIN_OUT_BPS // 10_000
    assert plan.min_out == min_out and plan.expected_out == expected
    assert (call.to, call.value) == (POOL, 10**18)
    assert call.data[4:] == encode(["uint256", "string"], [min_out, ""])


def test_validators_enumerate_node_delegators_pods() -> None:
    delegators = ("0x" + "c1" * 20, "0x" + "c2" * 20, "0x" + "c3" * 20)
    answers: dict[CallKey, Any] = {(POOL, "getNodeDelegatorQueue()(address[])", ()): delegators}
    for i, d in enumerate(delegators):
        answers[(d, "eigenPod()(address)", ())] = "0x" + f"{i + 1:02x}" * 20
    source = adapter.validators(scripted_context(answers))
    assert len(source.pods) == 3 and source.complete
    assert source.withdrawal_credentials[:2] == withdrawal_credentials(source.pods[0])


def test_withdrawal_delay_is_about_eight_days() -> None:
    info = adapter.withdrawal()
    assert (
        info.delay_seconds == 8 * 86_400
        and info.contract == MAINNET.contracts["lrt_withdrawal_manager"]
    )


def test_restaking_reads_the_node_delegator_queue() -> None:
    from ion_cli.adapters import EIGENLAYER_MAINNET, AdapterContext

    dm = EIGENLAYER_MAINNET["delegation_manager"]
    nodes = ["0x" + "d1" * 20, "0x" + "d2" * 20]

    def call(to: str, signature: str, args: Any = ()) -> Any:
        name = signature.split("(")[0]
        if to == POOL and name == "getNodeDelegatorQueue":
            return nodes
        if to in nodes and name == "eigenPod":
            return "0x" + "b0" * 20
        if to in nodes and name == "elOperatorDelegatedTo":
            return "0x" + "0e" * 20
        if to == dm and name == "delegatedTo":
            return "0x" + "0e" * 20
        if to == dm and name == "getWithdrawableShares":
            return ((10**18,), (10**18,))
        raise AssertionError((to, signature, args))

    source = adapter.restaking(AdapterContext(chain_id=1, network="mainnet", call=call))
    assert [s.address for s in source.stakers] == nodes and source.notes == ()
    assert {s.kind for s in source.stakers} == {"NodeDelegator"}
