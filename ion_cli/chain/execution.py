"""What running a plan did: each step's result (simulated, signed, sent, mined) and the whole
execution's. Data only, a leaf of the chain layer: the pipeline fills them, observers and
errors (`ion_cli.errors.PlanFailed.result`) carry them, the commands render them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ion_cli.chain.fees import format_eth

if TYPE_CHECKING:
    from ion_cli.chain.fees import FeeQuote
    from ion_cli.chain.plan import Call, Plan


@dataclass
class StepResult:
    index: int
    call: Call
    name: str = ""  # "step 2/3 (IonPool.borrow)", for messages
    gas_limit: int | None = None
    simulated_gas_used: int | None = None
    return_data: bytes = b""  # what the simulation returned (e.g. shares minted)
    tx_hash: str | None = None
    nonce: int | None = None
    status: int | None = None  # 1 success, 0 reverted, None not sent
    block_number: int | None = None
    gas_used: int | None = None
    effective_gas_price: int | None = None
    receipt: Any = None  # the web3 receipt (logs for the flows); not in the JSON

    @property
    def fee_paid(self) -> int:
        if self.gas_used is None or self.effective_gas_price is None:
            return 0
        return self.gas_used * self.effective_gas_price

    def to_json(self) -> dict[str, Any]:
        status = None if self.status is None else ("success" if self.status == 1 else "reverted")
        return {
            "step": self.index + 1,
            "kind": self.call.kind,
            "method": self.call.method,
            "description": self.call.description,
            "to": self.call.to,
            "value_wei": str(self.call.value),
            "gas_limit": self.gas_limit,
            "simulated_gas_used": self.simulated_gas_used,
            "tx_hash": self.tx_hash,
            "nonce": self.nonce,
            "status": status,
            "block_number": self.block_number,
            "gas_used": self.gas_used,
            "effective_gas_price_wei": _str_or_none(self.effective_gas_price),
            "fee_paid_wei": str(self.fee_paid) if self.tx_hash else None,
        }


@dataclass
class ExecutionResult:
    title: str
    sender: str
    chain_id: int
    dry_run: bool
    simulation: str  # "eth_simulateV1", or "eth_call" when only step 1 could be simulated
    fees: FeeQuote
    estimated_fee: int
    steps: list[StepResult] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    plan_id: str = ""
    plan: Plan | None = field(default=None, repr=False)  # the plan run (not in to_json)

    @property
    def sent(self) -> bool:
        return any(s.tx_hash for s in self.steps)

    @property
    def tx_hashes(self) -> list[str]:
        return [s.tx_hash for s in self.steps if s.tx_hash]

    @property
    def receipts(self) -> list[Any]:
        return [s.receipt for s in self.steps if s.receipt is not None]

    @property
    def gas_used(self) -> int:
        return sum(s.gas_used or 0 for s in self.steps)

    @property
    def fee_paid(self) -> int:
        return sum(s.fee_paid for s in self.steps)

    def to_json(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "title": self.title,
            "sender": self.sender,
            "chain_id": self.chain_id,
            "dry_run": self.dry_run,
            "sent": self.sent,
            "simulation": self.simulation,
            "summary": self.summary,
            "steps": [s.to_json() for s in self.steps],
            "tx_hashes": self.tx_hashes,
            "gas_used": self.gas_used,
            "fee_paid_wei": str(self.fee_paid),
            "fee_paid_eth": format_eth(self.fee_paid, 18),
            "estimated_fee_wei": str(self.estimated_fee),
            "fees": self.fees.to_json(),
        }


def _str_or_none(value: int | None) -> str | None:
    return None if value is None else str(value)
