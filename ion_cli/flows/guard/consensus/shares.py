"""A share given on the command line ("1%", "0.5 %", or a plain fraction "0.01"), exact."""

from __future__ import annotations

import re
from fractions import Fraction

from ion_cli.errors import UsageError

_FORM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$", re.ASCII)


def parse_share(text: str, flag: str, *, allow_zero: bool = False) -> Fraction:
    """`P%` (P in [0, 100]) or a fraction in [0, 1]; above 0 unless `allow_zero`."""
    m = _FORM.match(text)
    if not m:
        raise UsageError(f"{flag}: expected a share such as 1% or 0.01, got {text!r}")
    value = Fraction(m.group(1))
    share = value / 100 if m.group(2) else value
    if share > 1:
        raise UsageError(f"{flag}: a share above 100%")
    if share == 0 and not allow_zero:
        raise UsageError(f"{flag}: the share must be above 0%")
    return share


def percent(share: Fraction) -> str:
    """A share for people: "1%", "0.25%", "5.1234%" (at most 4 decimals)."""
    text = f"{float(share * 100):.4f}".rstrip("0").rstrip(".")
    return f"{text}%"


def ratio(share: Fraction, places: int = 18) -> str:
    """A share as a decimal ratio ("0.01"; --json carries ratios, never percent strings):
    exact up to `places` decimals, rounded half-even beyond."""
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 80
        q = (Decimal(share.numerator) / Decimal(share.denominator)).quantize(
            Decimal(1).scaleb(-places)
        )
    text = format(q.normalize(), "f")
    return "0" if text in ("-0", "0") else text
