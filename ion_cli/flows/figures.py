"""Exact decimal views of the contracts' fixed-point integers, for JSON and tables.

JSON carries exact decimal strings (no float rounding); tables round for people."""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, Decimal, localcontext

WAD = 10**18
RAY = 10**27
RAD = 10**45
SECONDS_PER_YEAR = 31_536_000


def exact(value: int, unit: int) -> Decimal:
    """value / unit as an exact Decimal (unit is a power of ten)."""
    with localcontext() as ctx:
        ctx.prec = 120
        return (Decimal(value) / Decimal(unit)).normalize()


def text(value: int | None, unit: int) -> str | None:
    """Exact decimal string, plain notation (no exponent), or None."""
    if value is None:
        return None
    d = exact(value, unit)
    return format(d, "f")


def rounded(value: int | None, unit: int, places: int = 4) -> str:
    if value is None:
        return "unknown"
    d = exact(value, unit)
    q = Decimal(1).scaleb(-places)
    with localcontext() as ctx:
        ctx.prec = 120
        s = format(d.quantize(q, rounding=ROUND_DOWN), "f")
    return s


def percent(value: int | None, unit: int, places: int = 2) -> str:
    if value is None:
        return "unknown"
    return f"{float(exact(value, unit)) * 100:.{places}f}%"


def apy_from_per_second(rate_minus_one_ray: int) -> Decimal:
    """Compounded yearly yield of a per-second RAY rate (without the 1)."""
    r = rate_minus_one_ray / RAY
    return Decimal(repr(math.expm1(SECONDS_PER_YEAR * math.log1p(r))))
