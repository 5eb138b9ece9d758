"""Contract wrappers: named after the contracts' functions, encode only the published interface,
return the pipeline's Call; adapters' PlannedCalls convert into a Plan."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode
from eth_utils.crypto import keccak

from ion_cli import adapters as a
from ion_cli.abi import NotPublished
from ion_cli.chain import contracts as c
from ion_cli.chain.plan import Call, Plan, plan_from_calls, plan_from_mint
from ion_cli.errors import UsageError

POOL = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
ME = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"


def test_borrow_is_a_call_encoded_like_eth_abi() -> None:
    call = c.IonPool(POOL).borrow(0, ME, ME, 5, [], description="borrow 5")
    assert isinstance(call, Call)
    sig = "borrow(uint8,address,address,uint256,bytes32[])"
    types = ["uint8", "address", "address", "uint256", "bytes32[]"]
    assert call.data == keccak(text=sig)[:4] + encode(types, [0, ME, ME, 5, []])
    assert (call.to, call.method, call.description, call.kind) == (
        POOL,
        "IonPool.borrow",
        "borrow 5",
        "action",
    )
    assert call.function is not None and call.function["name"] == "borrow"
    assert "function" not in call.to_json()


def test_only_the_published_interface_can_be_encoded() -> None:
    with pytest.raises(NotPublished, match="IonPool publishes no function 'ilkCount'"):
        c.IonPool(POOL).ilkCount()
    assert c.IonLens(POOL).ilkCount(POOL).method == "IonLens.ilkCount"
    with pytest.raises(NotPublished):
        c.ERC20(POOL).mint(ME, 1)  # the devnet stand-ins' mint is no ERC-20 function


def test_overloads_arity_and_bad_arguments() -> None:
    manager = c.Contract(POOL, interface="RestakeManager")
    assert manager.depositETH(value=3).data == keccak(text="depositETH()")[:4]
    assert manager.depositETH(7).data[:4] == keccak(text="depositETH(uint256)")[:4]
    with pytest.raises(UsageError, match="takes other arguments"):
        c.IonPool(POOL).rate()
    with pytest.raises(UsageError, match=r"IonPool\.withdraw"):
        c.IonPool(POOL).withdraw(ME, -1)
    with pytest.raises(UsageError, match="expected 0x followed by 40 hex digits"):
        c.IonPool("0x1234")


def test_labels_and_addresses() -> None:
    token = c.ERC20(POOL.lower(), label="weETH")
    assert token.address == POOL  # checksummed
    assert token.approve(ME, 1, kind="approval").method == "weETH.approve"
    assert c.handler(POOL, "EzEthWethHandler").flashLeverageWethAndSwap(1, 2, 3, 4, []).method == (
        "EzEthWethHandler.flashLeverageWethAndSwap"
    )


def test_mint_plan_converts_into_a_pipeline_plan() -> None:
    calls = (
        a.PlannedCall(to=POOL, value=10, data=a.encode_call("deposit()"), description="mint"),
        a.PlannedCall(to=ME, value=0, data=b"\x01\x02\x03\x04", description="wrap"),
    )
    mint = a.MintPlan(symbol="fkETH", eth_in=10, calls=calls, expected_out=9, min_out=8)
    plan = plan_from_mint(mint)
    assert isinstance(plan, Plan)
    assert [(x.to, x.value, x.data, x.description) for x in plan.calls] == [
        (y.to, y.value, y.data, y.description) for y in calls
    ]
    assert plan.title == "Mint fkETH from 0.00000000000000001 ETH"
    assert plan.json_summary["expected_out"] == "9" and plan.json_summary["min_out"] == "8"
    assert plan_from_calls("t", calls).calls[1].label == "wrap"
