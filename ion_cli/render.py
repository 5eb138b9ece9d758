"""Small formatting helpers for tables (JSON keeps exact decimal strings)."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation


def fmt_amount(value: str | None, places: int = 4) -> str:
    if value is None:
        return "unknown"
    try:
        d = Decimal(value)
    except InvalidOperation:
        return value
    q = Decimal(1).scaleb(-places) if places else Decimal(1)
    return f"{d.quantize(q, rounding=ROUND_DOWN):,}"


def fmt_pct(value: str | None, places: int = 2) -> str:
    if value is None:
        return "unknown"
    return f"{Decimal(value) * 100:.{places}f}%"
