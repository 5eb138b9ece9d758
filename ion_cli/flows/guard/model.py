"""What a guard is: a trigger (when), an action (what) and bounds (how much, how often), for one
vault of one market, kept per chain identity and account (`store.py`).

Figures are integers in the protocol's units (health, leverage and fractions in RAY, amounts and
rates in WAD); their JSON form is decimal strings, as every `--json` document has them. A trigger
spec is its kind and its own parameters (each trigger class reads and checks its own, see
`triggers.py`), so a new trigger needs no new column and no change here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ion_cli.errors import UsageError
from ion_cli.flows.figures import RAY, WAD, text

ACTIONS = ("deleverage", "leverage", "close")
DEFAULT_SLIPPAGE = RAY // 200  # 0.5%, as the leverage commands
DAY_S = 86_400  # the daily bound's window, in the chain's own seconds (block timestamps)


@dataclass(frozen=True)
class TriggerSpec:
    """When a guard acts: a registered trigger kind and its parameters (decimal strings)."""

    kind: str
    params: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **{k: str(v) for k, v in sorted(self.params.items())}}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> TriggerSpec:
        return cls(
            kind=str(raw["kind"]), params={str(k): str(v) for k, v in raw.items() if k != "kind"}
        )


@dataclass(frozen=True)
class ActionSpec:
    """What a guard does: deleverage or lever the vault to a target health or leverage (one
    of the two, RAY), or close it."""

    kind: str
    health: int | None = None
    leverage: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in ACTIONS:
            raise UsageError(f"unknown guard action {self.kind!r} (one of {', '.join(ACTIONS)})")
        if self.kind != "close" and (self.health is None) == (self.leverage is None):
            raise UsageError(f"a {self.kind} action needs one target: a health or a leverage")

    def describe(self) -> str:
        if self.kind == "close":
            return "close the vault"
        if self.leverage is not None:
            return f"{self.kind} to {text(self.leverage, RAY)}x"
        return f"{self.kind} to health {text(self.health, RAY)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "health": text(self.health, RAY),
            "leverage": text(self.leverage, RAY),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ActionSpec:
        return cls(
            kind=str(raw["kind"]),
            health=_ray_or_none(raw.get("health")),
            leverage=_ray_or_none(raw.get("leverage")),
        )


@dataclass(frozen=True)
class Bounds:
    """What one guard may do: amounts in the market's base asset (WAD; None: unbounded), the
    slippage bound of its trades (RAY), and the wait after an action (chain seconds)."""

    max_per_action: int | None = None
    max_per_day: int | None = None
    max_slippage: int = DEFAULT_SLIPPAGE
    cooldown_s: int = 0

    def __post_init__(self) -> None:
        for name in ("max_per_action", "max_per_day"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise UsageError(f"--{name.replace('_', '-')} must be greater than zero")
        if not 0 <= self.max_slippage < RAY // 2:
            raise UsageError("--max-slippage must be between 0% and 50%")
        if self.cooldown_s < 0:
            raise UsageError("--cooldown must not be negative")

    def to_json(self) -> dict[str, Any]:
        return {
            "max_per_action": text(self.max_per_action, WAD),
            "max_per_day": text(self.max_per_day, WAD),
            "max_slippage": text(self.max_slippage, RAY),
            "cooldown_s": self.cooldown_s,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Bounds:
        return cls(
            max_per_action=_wad_or_none(raw.get("max_per_action")),
            max_per_day=_wad_or_none(raw.get("max_per_day")),
            max_slippage=_ray_or_none(raw.get("max_slippage")) or 0,
            cooldown_s=int(raw.get("cooldown_s") or 0),
        )


@dataclass(frozen=True)
class GuardSpec:
    """A guard before it is stored (no id yet)."""

    market: str
    address: str  # the vault's owner (lower case): the account whose key acts
    trigger: TriggerSpec
    action: ActionSpec
    bounds: Bounds = field(default_factory=Bounds)

    def to_json(self) -> dict[str, Any]:
        return {
            "market": self.market,
            "address": self.address,
            "trigger": self.trigger.to_json(),
            "action": self.action.to_json(),
            "bounds": self.bounds.to_json(),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> GuardSpec:
        return cls(
            market=str(raw["market"]),
            address=str(raw["address"]).lower(),
            trigger=TriggerSpec.from_json(raw["trigger"]),
            action=ActionSpec.from_json(raw["action"]),
            bounds=Bounds.from_json(raw.get("bounds") or {}),
        )


@dataclass(frozen=True)
class Guard:
    """A stored guard: its id (per chain identity, never reused) and what it was made with."""

    id: int
    chain: str  # the chain identity (ion_cli.chain.identity)
    spec: GuardSpec
    created_at: int  # Unix seconds (wall clock: when it was added, shown only)

    @property
    def market(self) -> str:
        return self.spec.market

    @property
    def address(self) -> str:
        return self.spec.address

    @property
    def trigger(self) -> TriggerSpec:
        return self.spec.trigger

    @property
    def action(self) -> ActionSpec:
        return self.spec.action

    @property
    def bounds(self) -> Bounds:
        return self.spec.bounds

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "chain": self.chain,
            "created_at": self.created_at,
            **self.spec.to_json(),
        }


def _ray_or_none(value: Any) -> int | None:
    return None if value is None else _scaled(value, RAY)


def _wad_or_none(value: Any) -> int | None:
    return None if value is None else _scaled(value, WAD)


def _scaled(value: Any, unit: int) -> int:
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 120
        return int(Decimal(str(value)) * unit)
