"""A plan's calls as a Transaction Builder batch (ion_cli.flows.unsigned.batch_of): decoded
with the published interfaces as the preview decodes them; a call no interface knows keeps
its raw data, with a warning."""

from __future__ import annotations

from ion_cli.chain import safe_batch as sb
from ion_cli.chain.common_calls import approval_call
from ion_cli.chain.plan import Call, Plan
from ion_cli.flows.unsigned import batch_of

TOKEN = "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6"
SPENDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
SAFE = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def test_batch_of_a_plan() -> None:
    plan = Plan(
        title="t",
        calls=[
            approval_call(TOKEN, SPENDER, 5, "weETH", spender_name="the handler"),
            Call(to=TOKEN, data=b"\xde\xad\xbe\xef"),
            Call(to=SPENDER, data=b"", value=7),
        ],
    )
    warnings: list[str] = []
    batch = batch_of(
        plan, chain_id=1, safe=SAFE, created_at_ms=2, description="d", warn=warnings.append
    )
    first, unknown, transfer = batch["transactions"]
    assert first["contractMethod"]["name"] == "approve"
    assert first["contractInputsValues"] == {"spender": SPENDER, "value": "5"}
    assert first["data"] == "0x" + plan.calls[0].data.hex()
    assert unknown["contractMethod"] is None and unknown["data"] == "0xdeadbeef"
    assert transfer == {
        "to": SPENDER,
        "value": "7",
        "data": "0x",
        "contractMethod": None,
        "contractInputsValues": None,
    }
    assert len(warnings) == 1 and "call 2" in warnings[0]
    assert batch["chainId"] == "1" and sb.checksum_valid(batch)
