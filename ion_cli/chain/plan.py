"""A write before it is a transaction: the calls to make, in order, and what to show the user.

Flows build a `Plan`; `ion_cli.chain.pipeline.execute` simulates, previews, confirms, signs and
sends it. Calldata comes from the contract wrappers (ion_cli.chain.contracts, the common calls in
ion_cli.chain.common_calls), which encode only what the published interfaces hold; this module
is a leaf of the chain layer and stays import-light (no web3, no eth_abi at import): `ion
--help` may import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ion_cli.addresses import is_address, not_an_address
from ion_cli.errors import UsageError

CallKind = Literal["approval", "operator", "action"]

MAX_UINT256 = 2**256 - 1

# 4-byte selectors of the calls built here, from the published interfaces (computed on first
# use: keccak is not imported with this module).
_SELECTORS: dict[str, tuple[str, str]] = {
    "SEL_APPROVE": ("ERC20", "approve"),
    "SEL_TRANSFER": ("ERC20", "transfer"),
    "SEL_TRANSFER_FROM": ("ERC20", "transferFrom"),
    "SEL_ADD_OPERATOR": ("IonPool", "addOperator"),
    "SEL_REMOVE_OPERATOR": ("IonPool", "removeOperator"),
    "SEL_WETH_DEPOSIT": ("WETH", "deposit"),
}


def __getattr__(name: str) -> Any:
    if name in _SELECTORS:
        from ion_cli.abi import interface, selector

        contract, function = _SELECTORS[name]
        return selector(interface(contract).function(function))
    raise AttributeError(name)


@dataclass(frozen=True)
class Call:
    """One transaction of a plan. `method` names it in messages ("IonPool.borrow")."""

    to: str
    data: bytes
    value: int = 0
    description: str = ""
    kind: CallKind = "action"
    method: str = ""
    # The ABI entry the data was encoded from (set by the contract wrappers): a reader decodes
    # the answer with it. Not part of the plan's JSON or of equality.
    function: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def label(self) -> str:
        """The shortest useful name for this call in an error line."""
        if self.method:
            return self.method
        if self.description:
            return self.description
        return "0x" + self.data[:4].hex() if self.data else "transfer of ETH"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Call:
        """A call back from its `to_json` record (a journal's, a checked plan file's): the
        calldata as recorded, for a step to be sent again as it was planned."""
        kind = raw.get("kind", "action")
        return cls(
            to=str(raw["to"]),
            data=bytes.fromhex(str(raw["data"]).removeprefix("0x")),
            value=int(raw.get("value") or 0),
            description=str(raw.get("description", "")),
            kind=kind if kind in ("approval", "operator", "action") else "action",
            method=str(raw.get("method", "")),
        )

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
    if not is_address(address):
        raise not_an_address(address)
    return bytes(12) + bytes.fromhex(address[2:])


def format_amount(amount: int, decimals: int = 18) -> str:
    """Base units to a plain decimal string without trailing zeros ("1.5", "0", "unlimited")."""
    if amount == MAX_UINT256:
        return "unlimited"
    text = format(Decimal(amount).scaleb(-decimals), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def planned_call(
    planned: Any, *, description: str | None = None, method: str | None = None
) -> Call:
    """The one conversion of an adapter's `PlannedCall` (anything with to, value, data,
    description) into a plan `Call`: a plugin encodes its own calls (its own ABI), the core
    sends them through the same pipeline as its own. `description`/`method` replace the
    adapter's (e.g. a step number or "weETH mint")."""
    return Call(
        to=str(planned.to),
        data=bytes(planned.data),
        value=int(planned.value),
        description=str(planned.description) if description is None else description,
        kind="action",
        method=str(getattr(planned, "method", "") or "") if method is None else method,
    )


def plan_from_calls(title: str, calls: Any, summary: Mapping[str, str] | None = None) -> Plan:
    """A `Plan` from an adapter's `PlannedCall`s, so that what a plugin plans goes through the
    same pipeline as ion's own writes."""
    converted = [planned_call(c) for c in calls]
    return Plan(title=title, calls=converted, summary=dict(summary or {}))


def plan_from_mint(mint: Any) -> Plan:
    """The pipeline's `Plan` for an adapter's `MintPlan` (ETH in, the token out)."""
    symbol = str(mint.symbol)
    eth = format_amount(int(mint.eth_in))
    expected = format_amount(int(mint.expected_out))
    plan = plan_from_calls(
        f"Mint {symbol} from {eth} ETH",
        mint.calls,
        {"mint": f"{eth} ETH -> about {expected} {symbol}"},
    )
    plan.json_summary = {
        "action": "mint",
        "symbol": symbol,
        "eth_in": str(mint.eth_in),
        "expected_out": str(mint.expected_out),
        "min_out": None if mint.min_out is None else str(mint.min_out),
    }
    return plan
