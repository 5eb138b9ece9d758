"""What `ion validators summary` shows of a token's validators at one state (pure).

Counts by status, slashed, total and effective balance, the shortfall, credential types, and
the same per withdrawal address (an EigenPod or other contract): each figure exact, in Gwei.

Shortfall: the principal missing to penalties and slashings, Σ max(0, 32 ETH − balance) over
the validators not yet withdrawn (`withdrawal_done` ones have left and their balance with them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ion_cli.beacon.snapshot import Snapshot, Validator
from ion_cli.consensus_rules import MIN_ACTIVATION_BALANCE


def shortfall(v: Validator) -> int:
    if v.status == "withdrawal_done":
        return 0
    return max(0, MIN_ACTIVATION_BALANCE - v.balance)


def withdrawal_address(credentials: str) -> str:
    """The 20-byte address of a 0x01/0x02 credential; the credential itself for 0x00."""
    if credentials[:4] in ("0x01", "0x02"):
        return "0x" + credentials[-40:]
    return credentials


@dataclass
class Totals:
    count: int = 0
    slashed: int = 0
    balance: int = 0
    effective_balance: int = 0
    shortfall: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    credential_types: Counter[str] = field(default_factory=Counter)

    def add(self, v: Validator) -> None:
        self.count += 1
        self.slashed += int(v.slashed)
        self.balance += v.balance
        self.effective_balance += v.effective_balance
        self.shortfall += shortfall(v)
        self.by_status[v.status] += 1
        self.credential_types[v.credential_type] += 1

    def to_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "slashed": self.slashed,
            "balance_gwei": self.balance,
            "effective_balance_gwei": self.effective_balance,
            "shortfall_gwei": self.shortfall,
            "by_status": dict(sorted(self.by_status.items())),
            "credential_types": dict(sorted(self.credential_types.items())),
        }


def summarize(
    snapshot: Snapshot,
    *,
    symbol: str,
    credentials: Sequence[str] = (),
    pods: Iterable[str] = (),
    method: str = "",
) -> dict[str, Any]:
    """The summary document (the `--json` output of `ion validators summary`)."""
    total = Totals()
    per_address: dict[str, Totals] = {}
    for cred in credentials:  # every credential asked for shows, with zero if none pay to it
        per_address.setdefault(withdrawal_address(cred.lower()), Totals())
    for v in snapshot.validators:
        total.add(v)
        per_address.setdefault(withdrawal_address(v.withdrawal_credentials), Totals()).add(v)
    pod_set = {p.lower() for p in pods}
    breakdown = [
        {"address": address, "pod": address in pod_set, **t.to_json()}
        for address, t in per_address.items()
    ]
    return {
        "symbol": symbol,
        "state": snapshot.state.to_json(),
        "source": snapshot.source,
        "cross_checked": snapshot.cross_checked,
        "complete": snapshot.complete,
        "method": method,
        "notes": list(snapshot.notes),
        **total.to_json(),
        "by_address": breakdown,
    }
