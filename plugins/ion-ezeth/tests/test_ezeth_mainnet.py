"""ezETH on mainnet, against a scripted ChainCall (no node): rate, mint preview, pod discovery."""

from __future__ import annotations

from typing import Any

import pytest
from ion_adapter_ezeth import adapter
from ion_adapter_ezeth.adapter import MAINNET, TVLS

from ion_cli.adapters import AdapterContext, AdapterError, withdrawal_credentials
from ion_cli.testing.conformance import CallKey, scripted_context

TOKEN = str(MAINNET.token)
MANAGER = str(MAINNET.contracts["restake_manager"])
ORACLE = str(MAINNET.contracts["renzo_oracle"])
TVL = 1_234_567 * 10**18 + 89
SUPPLY = 1_190_000 * 10**18 + 7
STATE = {
    (MANAGER, TVLS, ()): ((), (), TVL),
    (TOKEN, "totalSupply()(uint256)", ()): SUPPLY,
}


def test_rate_is_tvl_per_supply() -> None:
    assert adapter.exchange_rate(scripted_context(STATE)) == TVL * 10**18 // SUPPLY


def test_empty_protocol_rate_is_one() -> None:
    ctx = scripted_context(
        {(MANAGER, TVLS, ()): ((), (), 0), (TOKEN, "totalSupply()(uint256)", ()): 0}
    )
    assert adapter.exchange_rate(ctx) == 10**18


def test_mint_plan_uses_renzos_preview() -> None:
    preview = "calculateMintAmount(uint256,uint256,uint256)(uint256)"
    ctx = scripted_context(
        {**STATE, (ORACLE, preview, (TVL, 10**18, SUPPLY)): 963_000_000_000_000_001}
    )
    plan = adapter.mint_plan(ctx, 10**18, "0x" + "44" * 20)
    [call] = plan.calls
    assert (call.to, call.value, call.data) == (MANAGER, 10**18, bytes.fromhex("f6326fb3"))
    assert plan.expected_out == 963_000_000_000_000_001


def test_validators_enumerate_operator_delegators_pods() -> None:
    delegators = ["0x" + "a1" * 20, "0x" + "a2" * 20]
    pods = ["0x" + "b1" * 20, "0x" + "b2" * 20]
    answers: dict[CallKey, Any] = {(MANAGER, "getOperatorDelegatorsLength()(uint256)", ()): 2}
    for i, (d, p) in enumerate(zip(delegators, pods, strict=True)):
        answers[(MANAGER, "operatorDelegators(uint256)(address)", (i,))] = d
        answers[(d, "eigenPod()(address)", ())] = p
    source = adapter.validators(scripted_context(answers))
    assert source.pods == tuple(pods)
    assert source.withdrawal_credentials == withdrawal_credentials(
        pods[0]
    ) + withdrawal_credentials(pods[1])


def test_withdrawal_marks_the_unsure_delay() -> None:
    info = adapter.withdrawal()
    assert info.unsure and info.delay_seconds is None and info.contract is None
    assert "withdraw_queue" in MAINNET.unsure


def test_positive_amounts_only() -> None:
    with pytest.raises(AdapterError, match="positive"):
        adapter.mint_plan(AdapterContext.offline(), 0, "0x" + "44" * 20)


def test_restaking_reads_renzo_and_eigenlayer_on_mainnet() -> None:
    """The delegation seam on mainnet: RestakeManager's OperatorDelegators (confirmed address),
    each one's pod, allocation and operator from EigenLayer's DelegationManager; a delegator whose
    own record differs from EigenLayer's is noted, the figures following EigenLayer's."""
    from ion_cli.adapters import EIGENLAYER_MAINNET

    manager = MAINNET.contracts["restake_manager"]
    dm = EIGENLAYER_MAINNET["delegation_manager"]
    ods = ["0x" + "a1" * 20, "0x" + "a2" * 20]
    operators = {ods[0]: "0x" + "0e" * 20, ods[1]: "0x" + "0f" * 20}

    def call(to: str, signature: str, args: Any = ()) -> Any:
        name = signature.split("(")[0]
        if to == manager and name == "getOperatorDelegatorsLength":
            return 2
        if to == manager and name == "operatorDelegators":
            return ods[args[0]]
        if to == manager and name == "operatorDelegatorAllocations":
            return 5_000
        if to in ods and name == "eigenPod":
            return "0x" + "b0" * 20
        if to in ods and name == "delegateAddress":
            return "0x" + "0e" * 20  # the second one's record is stale
        if to == dm and name == "delegatedTo":
            return operators[args[0]]
        if to == dm and name == "getWithdrawableShares":
            return ((7 * 10**18,), (8 * 10**18,))
        raise AssertionError((to, signature, args))

    source = adapter.restaking(AdapterContext(chain_id=1, network="mainnet", call=call))
    assert source.complete and [s.operator for s in source.stakers] == list(operators.values())
    assert [s.target_bps for s in source.stakers] == [5_000, 5_000]
    assert source.stakers[0].withdrawable_shares == 7 * 10**18
    (note,) = source.notes
    assert ods[1] in note and "delegateAddress" in note
