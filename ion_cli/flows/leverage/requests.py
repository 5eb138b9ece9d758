"""What a leverage or deleverage asks for: the inputs a plan file also records."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ion_cli.flows.figures import RAY
from ion_cli.units import Ray, Wad

DEFAULT_SLIPPAGE = Ray(RAY // 200)  # 0.5%
NO_DEPOSIT = Wad(0)
DEFAULT_DEADLINE_S = 600
# Interest accrues between the quote and the mined block: repayments are sized for this long.
ACCRUAL_HORIZON_S = 900
MAX_UNWIND_ROUNDS = 12


@dataclass(frozen=True)
class LeverageRequest:
    market: str
    deposit: Wad = NO_DEPOSIT  # collateral brought from the wallet
    leverage: Ray | None = None  # the target
    ltv: Ray | None = None  # the target (instead of leverage)
    max_slippage: Ray = DEFAULT_SLIPPAGE
    deadline_s: int = DEFAULT_DEADLINE_S
    mode: str = "flash"  # flash | loop
    collateral_yield: Decimal | None = None  # APR in the base asset; None: assumed
    deadline_at: int | None = None  # an absolute deadline (a plan file's) instead of deadline_s

    def __post_init__(self) -> None:
        _units(self, LEVERAGE_UNITS)


@dataclass(frozen=True)
class DeleverageRequest:
    market: str
    leverage: Ray | None = None  # the target
    repay: Wad | None = None  # base asset to repay
    close: bool = False
    max_slippage: Ray = DEFAULT_SLIPPAGE
    deadline_s: int = DEFAULT_DEADLINE_S
    deadline_at: int | None = None  # an absolute deadline (a plan file's) instead of deadline_s

    def __post_init__(self) -> None:
        _units(self, DELEVERAGE_UNITS)


LEVERAGE_UNITS: dict[str, type[Wad] | type[Ray]] = {
    "deposit": Wad,
    "leverage": Ray,
    "ltv": Ray,
    "max_slippage": Ray,
}
DELEVERAGE_UNITS: dict[str, type[Wad] | type[Ray]] = {
    "leverage": Ray,
    "repay": Wad,
    "max_slippage": Ray,
}


def _units(request: object, units: dict[str, type[Wad] | type[Ray]]) -> None:
    """A caller that is not type-checked may still hand plain ints of base units: they are
    taken as the unit the field holds (never left as ints for the flows to mix up)."""
    for name, unit in units.items():
        value = getattr(request, name)
        if isinstance(value, int) and not isinstance(value, bool):
            object.__setattr__(request, name, unit(value))
