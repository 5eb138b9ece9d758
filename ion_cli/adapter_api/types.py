"""What adapters return: token addresses, mint plans, withdrawal paths, validator sources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ion_cli.adapter_api.context import AdapterError


@dataclass(frozen=True)
class TokenAddresses:
    """The token and the contracts around it. `None` = not known; names in `unsure` are facts the
    sources did not settle, to be shown as such rather than trusted."""

    token: str | None
    contracts: Mapping[str, str | None] = field(default_factory=dict)
    unsure: tuple[str, ...] = ()

    def contract(self, key: str, symbol: str = "adapter") -> str:
        """The address of `key`, or an AdapterError naming what is missing."""
        address = self.contracts.get(key)
        if not address:
            raise AdapterError(f"{symbol}: no address for contract {key!r} on this chain")
        return address

    def require_token(self, symbol: str = "adapter") -> str:
        if not self.token:
            raise AdapterError(f"{symbol}: no token address on this chain")
        return self.token


@dataclass(frozen=True)
class PlannedCall:
    """One transaction of a plan: sent from the user's account, in order."""

    to: str
    value: int
    data: bytes
    description: str

    def to_json(self) -> dict[str, Any]:
        return {
            "to": self.to,
            "value": str(self.value),
            "data": "0x" + self.data.hex(),
            "description": self.description,
        }


@dataclass(frozen=True)
class MintPlan:
    """ETH in, LRT out: the calls to send and what the user should end up with (token wei).

    `expected_out` is computed from the rate at planning time; `min_out` (if the path has a
    slippage bound) is what the calls themselves enforce.
    """

    symbol: str
    eth_in: int
    calls: tuple[PlannedCall, ...]
    expected_out: int
    min_out: int | None = None
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "eth_in": str(self.eth_in),
            "expected_out": str(self.expected_out),
            "min_out": None if self.min_out is None else str(self.min_out),
            "calls": [c.to_json() for c in self.calls],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class WithdrawalInfo:
    """How to get ETH back (for deleverage planning and the risk view)."""

    path: str  # the steps, in the protocol's own function names
    delay: str  # as the sources put it, e.g. "about 8 days", "queue"
    contract: str | None  # the mainnet contract that starts the withdrawal, if known
    delay_seconds: int | None = None  # a number only where the sources give one
    unsure: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "delay": self.delay,
            "delay_seconds": self.delay_seconds,
            "contract": self.contract,
            "unsure": self.unsure,
        }


@dataclass(frozen=True)
class ValidatorSource:
    """Which beacon-chain validators back the token.

    `withdrawal_credentials` are 0x-prefixed 32-byte hex strings to match against the beacon
    validator set. `complete` is False when the adapter could only describe how to enumerate
    (`method`) without doing it, e.g. when that needs event logs the ChainCall cannot read.
    `expected_count` (added in API v1 without a version change: None means "not known") is the
    number of validators the token's own registry says back it: a beacon answer with fewer is
    not taken as the whole set.
    """

    withdrawal_credentials: tuple[str, ...]
    method: str
    pods: tuple[str, ...] = ()
    complete: bool = True
    expected_count: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "withdrawal_credentials": list(self.withdrawal_credentials),
            "pods": list(self.pods),
            "method": self.method,
            "complete": self.complete,
            "expected_count": self.expected_count,
        }
