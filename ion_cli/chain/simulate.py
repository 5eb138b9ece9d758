"""Simulating a whole plan before anything is signed.

All calls go to the node in ONE `eth_simulateV1` request, in order, so step 2 sees step 1's
approval: a separate eth_call per step would fail every step that depends on an earlier one.
Nodes without eth_simulateV1 get an eth_call of the first step only, and the user is told that
the later steps were not simulated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ion_cli.chain.client import RpcError, rpc
from ion_cli.chain.plan import Call
from ion_cli.chain.revert import decode_exception, decode_revert, revert_data_from_error
from ion_cli.errors import TransactionReverted

if TYPE_CHECKING:
    from web3 import Web3

# Gas limit = simulated gas used * this: covers refunds (which gasUsed already subtracts, up to a
# fifth of the gas) and the 63/64 rule for nested calls, which make the needed limit exceed gasUsed.
GAS_MARGIN_NUM, GAS_MARGIN_DEN = 13, 10

# Node errors that say "I do not have this method" (or not in this shape), as opposed to "your
# plan fails": those fall back to eth_call instead of failing the command.
_UNSUPPORTED = re.compile(
    r"not (found|supported|available|implemented)|unknown method|does not exist|unsupported|"
    r"invalid (params|argument)|unknown variant|missing field",
    re.IGNORECASE,
)
_FUNDS = re.compile(r"insufficient funds|insufficient balance", re.IGNORECASE)


@dataclass
class SimStep:
    gas_used: int
    return_data: bytes = b""
    logs: list[dict[str, Any]] = field(default_factory=list)
    gas_limit: int = 0  # the limit to sign with (0: derive it from gas_used)

    def limit(self) -> int:
        return self.gas_limit or gas_with_margin(self.gas_used)


@dataclass
class Simulation:
    """The outcome of simulating a plan. `complete` is False when only step 1 could be run."""

    steps: list[SimStep]
    complete: bool
    method: str  # "eth_simulateV1" or "eth_call"

    def gas_limit(self, index: int) -> int | None:
        """The gas limit to sign step `index` with, or None when it must be estimated later."""
        if index >= len(self.steps):
            return None
        return self.steps[index].limit()


# Interest accrual: a step estimated within the second of the block before it skips the
# pool's accrual (dt = 0), and the block it is mined in a second later performs it (a handful of
# warm SSTOREs): a loop's 28th step ran out of gas by that under load. A fixed headroom on top
# of the margin covers it; unused gas is not charged.
ACCRUAL_HEADROOM = 30_000


def gas_with_margin(gas_used: int) -> int:
    return -(-gas_used * GAS_MARGIN_NUM // GAS_MARGIN_DEN) + ACCRUAL_HEADROOM


def step_name(index: int, total: int, call: Call) -> str:
    return f"step {index + 1}/{total} ({call.label})"


def call_params(call: Call, sender: str) -> dict[str, str]:
    params = {"from": sender, "to": call.to, "data": "0x" + call.data.hex()}
    if call.value:
        params["value"] = hex(call.value)
    return params


def simulate(w3: Web3, calls: list[Call], sender: str) -> tuple[Simulation, str | None]:
    """Simulate `calls` from `sender`. Returns the simulation and a warning (or None).

    Raises TransactionReverted naming the failing step and its decoded error.
    """
    if not calls:
        return Simulation(steps=[], complete=True, method="none"), None
    payload = {
        "blockStateCalls": [
            {
                "blockOverrides": _next_block(w3),
                "calls": [call_params(c, sender) for c in calls],
            }
        ],
        "validation": False,
        "traceTransfers": False,
        "returnFullTransactions": False,
    }
    try:
        blocks = rpc(w3, "eth_simulateV1", [payload, "latest"], "simulating the plan")
    except RpcError as exc:
        detail = exc.message.split(": ", 1)[-1]
        if _FUNDS.search(detail):
            raise TransactionReverted(
                f"simulation failed: the sender cannot pay for the plan ({detail})"
            ) from None
        # Any other error: fall back; eth_call shows a real failure of step 1 if there is one.
        unsupported = exc.code in (-32601, -32602) or _UNSUPPORTED.search(detail)
        why = "not supported" if unsupported else f"failed: {detail}"
        return _simulate_first_only(w3, calls, sender, why)
    results = _calls_of(blocks)
    if len(results) != len(calls):
        return _simulate_first_only(w3, calls, sender, "answered the wrong number of calls")
    steps: list[SimStep] = []
    for index, (call, result) in enumerate(zip(calls, results, strict=True)):
        if int(str(result.get("status", "0x1")), 16) != 1:
            raise TransactionReverted(
                f"simulation failed at {step_name(index, len(calls), call)}: "
                f"{_failure_text(result)}"
            )
        steps.append(
            SimStep(
                gas_used=int(str(result.get("gasUsed", "0x0")), 16),
                return_data=_hex_bytes(result.get("returnData")),
                logs=list(result.get("logs") or []),
            )
        )
    return Simulation(steps=steps, complete=True, method="eth_simulateV1"), None


def _next_block(w3: Web3) -> dict[str, str]:
    """The block the plan will be mined in: the next number, at the next block's time (the
    later of the latest block's timestamp and now: `ion_cli.chain.clock`). Without it a node
    simulates at the latest block's time (anvil even at timestamp 1), so a deadline the mined
    block misses would pass the simulation and the plan would stop half-way."""
    from ion_cli.chain.clock import next_block_time

    try:
        latest = w3.eth.get_block("latest")
    except Exception as exc:
        from ion_cli.chain.client import node_error, rpc_url_of

        raise node_error(exc, rpc_url_of(w3), "reading the latest block") from None
    return {
        "number": hex(int(latest["number"]) + 1),
        "time": hex(next_block_time(int(latest["timestamp"]))),
    }


def _calls_of(blocks: Any) -> list[dict[str, Any]]:
    if not isinstance(blocks, list):
        return []
    found: list[dict[str, Any]] = []
    for block in blocks:
        if isinstance(block, dict):
            found.extend(c for c in block.get("calls") or [] if isinstance(c, dict))
    return found


def _failure_text(result: dict[str, Any]) -> str:
    """Why a simulated call failed: its revert data decoded, else the node's own words."""
    data = _hex_bytes(result.get("returnData"))
    error = result.get("error")
    if not data and isinstance(error, dict):
        data = revert_data_from_error(error.get("data")) or b""
    if data:
        return decode_revert(data).text
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    if message and not re.fullmatch(r"execution (reverted|failed)", message.strip()):
        return message  # a VM error such as "out of gas" or "invalid opcode"
    return decode_revert(b"").text


def _hex_bytes(value: Any) -> bytes:
    if isinstance(value, str) and value.startswith("0x") and len(value) % 2 == 0:
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            return b""
    return b""


def _simulate_first_only(
    w3: Web3, calls: list[Call], sender: str, why: str
) -> tuple[Simulation, str | None]:
    """The fallback: eth_call + eth_estimateGas of step 1; later steps depend on its state."""
    first = calls[0]
    params = call_params(first, sender)
    try:
        output = w3.eth.call(params, "latest")  # type: ignore[arg-type]
        gas = int(w3.eth.estimate_gas(params, "latest"))  # type: ignore[arg-type]
    except Exception as exc:
        decoded = decode_exception(exc)
        if decoded is None:
            from ion_cli.chain.client import node_error, rpc_url_of

            raise node_error(exc, rpc_url_of(w3), "simulating step 1") from None
        raise TransactionReverted(
            f"simulation failed at {step_name(0, len(calls), first)}: {decoded.text}"
        ) from None
    warning = None
    if len(calls) > 1:
        warning = (
            f"the node cannot simulate the whole plan (eth_simulateV1 {why}); only step 1 of "
            f"{len(calls)} was simulated, the later steps will be estimated just before sending"
        )
    # eth_estimateGas already answers a sufficient limit: sign with it as is, no second margin.
    step = SimStep(gas_used=gas, return_data=bytes(output), gas_limit=gas)
    return Simulation(steps=[step], complete=len(calls) == 1, method="eth_call"), warning
