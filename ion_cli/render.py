"""Small formatting helpers for tables: rounded half up for reading (2.999999999999999999
supplied shows as 3.000000); JSON keeps the exact decimal strings."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from ion_cli.results import Unknown


def fmt_amount(value: str | Unknown | None, places: int = 4, *, down: bool = False) -> str:
    """`down` for figures where rounding up would flatter (health): 1.46136 -> 1.4613. An
    Unknown says why and how to supply the missing fact."""
    if isinstance(value, Unknown):
        return value.text
    if value is None:
        return "unknown"
    try:
        d = Decimal(value)
    except InvalidOperation:
        return value
    q = Decimal(1).scaleb(-places) if places else Decimal(1)
    return f"{d.quantize(q, rounding=ROUND_DOWN if down else ROUND_HALF_UP):,}"


def fmt_pct(value: str | Unknown | None, places: int = 2) -> str:
    if isinstance(value, Unknown):
        return value.text
    if value is None:
        return "unknown"
    return f"{Decimal(value) * 100:.{places}f}%"
