"""Plan helpers: hand-encoded calldata must equal eth_abi's, and plan.py must stay light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from eth_abi.abi import encode
from eth_utils.crypto import keccak

from ion_cli.chain import plan as plan_module
from ion_cli.chain.common_calls import (
    add_operator_call,
    approval_call,
    remove_operator_call,
    transfer_call,
    wrap_eth_call,
)
from ion_cli.chain.plan import (
    MAX_UINT256,
    Call,
    Plan,
    format_amount,
    word_address,
    word_uint,
)
from ion_cli.errors import UsageError

TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
POOL = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
HANDLER = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"


@pytest.mark.parametrize(
    ("constant", "signature"),
    [
        ("SEL_APPROVE", "approve(address,uint256)"),
        ("SEL_TRANSFER", "transfer(address,uint256)"),
        ("SEL_TRANSFER_FROM", "transferFrom(address,address,uint256)"),
        ("SEL_ADD_OPERATOR", "addOperator(address)"),
        ("SEL_REMOVE_OPERATOR", "removeOperator(address)"),
        ("SEL_WETH_DEPOSIT", "deposit()"),
    ],
)
def test_selectors_match_keccak(constant: str, signature: str) -> None:
    assert getattr(plan_module, constant) == keccak(text=signature)[:4]


def test_approval_call_encodes_like_eth_abi() -> None:
    call = approval_call(TOKEN, POOL, 15 * 10**17, "weETH", spender_name="IonPool")
    expected = keccak(text="approve(address,uint256)")[:4] + encode(
        ["address", "uint256"], [POOL, 15 * 10**17]
    )
    assert call.data == expected
    assert call.to == TOKEN
    assert call.kind == "approval"
    assert call.value == 0
    assert call.description == "approve IonPool to spend 1.5 weETH"
    assert call.method == "weETH.approve"


def test_unlimited_approval() -> None:
    call = approval_call(TOKEN, POOL, MAX_UINT256, "WETH")
    assert call.description == f"approve {POOL} to spend unlimited WETH"
    assert call.data.endswith(b"\xff" * 32)


def test_operator_and_transfer_calls() -> None:
    add = add_operator_call(POOL, HANDLER, operator_name="WeEthHandler")
    assert add.data == keccak(text="addOperator(address)")[:4] + encode(["address"], [HANDLER])
    assert add.kind == "operator"
    assert add.method == "IonPool.addOperator"
    assert "WeEthHandler" in add.description
    remove = remove_operator_call(POOL, HANDLER)
    assert remove.data[:4] == keccak(text="removeOperator(address)")[:4]
    transfer = transfer_call(TOKEN, POOL, 2 * 10**18, "WETH")
    assert transfer.data == keccak(text="transfer(address,uint256)")[:4] + encode(
        ["address", "uint256"], [POOL, 2 * 10**18]
    )
    assert transfer.kind == "action"


def test_wrap_eth_sends_value() -> None:
    call = wrap_eth_call(TOKEN, 10**18)
    assert call.value == 10**18
    assert call.data == keccak(text="deposit()")[:4]
    assert call.description == "wrap 1 ETH into WETH"


def test_words_reject_bad_input() -> None:
    with pytest.raises(UsageError):
        word_address("0x1234")
    with pytest.raises(UsageError):
        word_address("vitalik.eth")
    with pytest.raises(UsageError):
        word_uint(-1)
    with pytest.raises(UsageError):
        word_uint(MAX_UINT256 + 1)
    assert word_uint(MAX_UINT256) == b"\xff" * 32
    assert word_address(TOKEN.lower()) == bytes(12) + bytes.fromhex(TOKEN[2:])


@pytest.mark.parametrize(
    ("amount", "decimals", "text"),
    [
        (0, 18, "0"),
        (10**18, 18, "1"),
        (15 * 10**17, 18, "1.5"),
        (1, 18, "0.000000000000000001"),
        (1234567, 6, "1.234567"),
        (10**30, 18, "1000000000000"),
    ],
)
def test_format_amount(amount: int, decimals: int, text: str) -> None:
    assert format_amount(amount, decimals) == text


def test_call_label_falls_back() -> None:
    assert Call(TOKEN, b"\x01\x02\x03\x04", method="X.y").label == "X.y"
    assert Call(TOKEN, b"\x01\x02\x03\x04", description="do it").label == "do it"
    assert Call(TOKEN, b"\x01\x02\x03\x04").label == "0x01020304"
    assert Call(TOKEN, b"", value=1).label == "transfer of ETH"


def test_plan_to_json_is_serialisable() -> None:
    plan = Plan(
        title="Supply 1 WETH",
        calls=[approval_call(TOKEN, POOL, 10**18, "WETH")],
        summary={"supply": "1 WETH"},
        json_summary={"supply_wei": str(10**18)},
    )
    data = json.loads(json.dumps(plan.to_json()))
    assert data["title"] == "Supply 1 WETH"
    assert data["calls"][0]["kind"] == "approval"
    assert data["calls"][0]["data"].startswith("0x095ea7b3")
    assert data["summary"] == {"supply_wei": str(10**18)}


def test_plan_module_imports_nothing_heavy() -> None:
    code = (
        "import json, sys; import ion_cli.chain.plan; "
        "print(json.dumps(sorted(m for m in ('web3','eth_abi','eth_utils','eth_account') "
        "if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
