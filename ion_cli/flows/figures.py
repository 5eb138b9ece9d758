"""Exact decimal views of the contracts' fixed-point integers, for JSON and messages: decimal
strings without exponent or float rounding (tables round them for people, in ion_cli.render)."""

from __future__ import annotations

from decimal import Decimal, localcontext

from ion_cli.amounts import format_amount
from ion_cli.units import RAD, RAY, WAD

__all__ = ["RAD", "RAY", "WAD", "exact", "figure", "text"]

_DECIMALS = {WAD: 18, RAY: 27, RAD: 45}


def exact(value: int, unit: int) -> Decimal:
    """value / unit as an exact Decimal (unit is WAD, RAY or RAD)."""
    with localcontext() as ctx:
        ctx.prec = 120
        return (Decimal(value) / Decimal(unit)).normalize()


def text(value: int | None, unit: int) -> str | None:
    """The exact decimal string of `value` in `unit` (WAD, RAY or RAD), or None."""
    if value is None:
        return None
    return format_amount(value, _DECIMALS[unit])


def figure(value: int | None, unit: int) -> Decimal | None:
    """The exact Decimal of `value` in `unit` (as `text` writes it), or None: typed results'
    figures (ion_cli.results)."""
    shown = text(value, unit)
    return None if shown is None else Decimal(shown)
