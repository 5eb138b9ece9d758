"""A write before it is a transaction: the calls to make, in order, and what to show the user.

Flows build a `Plan`; `ion_cli.chain.pipeline.execute` simulates, previews, confirms, signs and
sends it. This module stays import-light (no web3, no eth_abi): `ion --help` may import it, and
the few calldata encoders here only need static 32-byte words, so they are written by hand
against precomputed selectors (tests/unit/test_plan.py checks each selector against keccak).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ion_cli.errors import UsageError

CallKind = Literal["approval", "operator", "action"]

MAX_UINT256 = 2**256 - 1

# 4-byte selectors: the first four bytes of keccak256 of the canonical signature.
SEL_APPROVE = bytes.fromhex("095ea7b3")  # approve(address,uint256)
SEL_TRANSFER = bytes.fromhex("a9059cbb")  # transfer(address,uint256)
SEL_TRANSFER_FROM = bytes.fromhex("23b872dd")  # transferFrom(address,address,uint256)
SEL_ADD_OPERATOR = bytes.fromhex("9870d7fe")  # addOperator(address)  (IonPool)
SEL_REMOVE_OPERATOR = bytes.fromhex("ac8a584a")  # removeOperator(address)  (IonPool)
SEL_WETH_DEPOSIT = bytes.fromhex("d0e30db0")  # deposit()  (WETH9)

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


@dataclass(frozen=True)
class Call:
    """One transaction of a plan. `method` names it in messages ("IonPool.borrow")."""

    to: str
    data: bytes
    value: int = 0
    description: str = ""
    kind: CallKind = "action"
    method: str = ""

    @property
    def label(self) -> str:
        """The shortest useful name for this call in an error line."""
        if self.method:
            return self.method
        if self.description:
            return self.description
        return "0x" + self.data[:4].hex() if self.data else "transfer of ETH"

    def to_json(self) -> dict[str, Any]:
        return {
            "to": self.to,
            "data": "0x" + self.data.hex(),
            "value": str(self.value),
            "description": self.description,
            "kind": self.kind,
            "method": self.method,
        }


@dataclass
class Plan:
    """What a command is about to do: a title, the calls in order, and a preview.

    `summary` holds human preview lines (label -> text, e.g. "borrow" -> "1.5 WETH");
    `json_summary` the same facts with stable keys and machine values for --json.
    """

    title: str
    calls: list[Call]
    summary: dict[str, str] = field(default_factory=dict)
    json_summary: dict[str, Any] = field(default_factory=dict)
    # One id per plan for its whole life: the pipeline hands it to observers (a journal keys the
    # signed transactions of one write by it) and the JSON result carries it.
    plan_id: str = field(default_factory=lambda: _new_plan_id())

    def to_json(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "title": self.title,
            "calls": [c.to_json() for c in self.calls],
            "summary": self.json_summary,
        }


def _new_plan_id() -> str:
    from uuid import uuid4

    return uuid4().hex


def word_uint(value: int) -> bytes:
    """A uint256 ABI word."""
    if not 0 <= value <= MAX_UINT256:
        raise UsageError(f"amount out of range for uint256: {value}")
    return value.to_bytes(32, "big")


def word_address(address: str) -> bytes:
    """An address ABI word (left-padded to 32 bytes)."""
    if not _ADDRESS.match(address):
        raise UsageError(f"not an address: {address!r}")
    return bytes(12) + bytes.fromhex(address[2:])


def format_amount(amount: int, decimals: int = 18) -> str:
    """Base units to a plain decimal string without trailing zeros ("1.5", "0", "unlimited")."""
    if amount == MAX_UINT256:
        return "unlimited"
    text = format(Decimal(amount).scaleb(-decimals), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def approval_call(
    token: str,
    spender: str,
    amount: int,
    symbol: str,
    *,
    spender_name: str = "",
    decimals: int = 18,
) -> Call:
    """ERC20 `approve(spender, amount)` on `token`, as a prerequisite step."""
    data = SEL_APPROVE + word_address(spender) + word_uint(amount)
    who = spender_name or spender
    return Call(
        to=token,
        data=data,
        description=f"approve {who} to spend {format_amount(amount, decimals)} {symbol}",
        kind="approval",
        method=f"{symbol}.approve",
    )


def transfer_call(token: str, to: str, amount: int, symbol: str, *, decimals: int = 18) -> Call:
    """ERC20 `transfer(to, amount)` on `token`."""
    data = SEL_TRANSFER + word_address(to) + word_uint(amount)
    return Call(
        to=token,
        data=data,
        description=f"transfer {format_amount(amount, decimals)} {symbol} to {to}",
        method=f"{symbol}.transfer",
    )


def add_operator_call(pool: str, operator: str, *, operator_name: str = "") -> Call:
    """IonPool `addOperator(operator)`: lets a handler act on the sender's vault."""
    who = operator_name or operator
    return Call(
        to=pool,
        data=SEL_ADD_OPERATOR + word_address(operator),
        description=f"allow {who} to operate your vault",
        kind="operator",
        method="IonPool.addOperator",
    )


def remove_operator_call(pool: str, operator: str, *, operator_name: str = "") -> Call:
    """IonPool `removeOperator(operator)`."""
    who = operator_name or operator
    return Call(
        to=pool,
        data=SEL_REMOVE_OPERATOR + word_address(operator),
        description=f"revoke {who} as operator of your vault",
        kind="operator",
        method="IonPool.removeOperator",
    )


def wrap_eth_call(weth: str, amount: int) -> Call:
    """WETH9 `deposit()` with `amount` wei attached."""
    return Call(
        to=weth,
        data=SEL_WETH_DEPOSIT,
        value=amount,
        description=f"wrap {format_amount(amount)} ETH into WETH",
        method="WETH.deposit",
    )
