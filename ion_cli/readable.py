"""The human output rule for figures in text: at most 6 decimals, never exponent notation
(--json stays exact). `figure()` is the one formatter of a number for people; `readable()`
applies the rule to text already written. Standard library only: the terminal writer
(ion_cli.output) applies it to every message."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, InvalidOperation

PLACES = 6  # the most decimals a table or preview shows (--json is exact)
_LONG_DECIMAL = re.compile(r"(?<![\w.])(-?[0-9][0-9,]*\.[0-9]{7,})(?![0-9])")
# a number in exponent notation, as str(Decimal) and repr(float) write small and large ones
# ("1E-7", "2.5e+21": the exponent always signed); hex (ids, hashes) has no sign in it
_EXPONENT = re.compile(r"(?<![\w.])(-?[0-9]+(?:\.[0-9]+)?[eE][-+][0-9]+)(?![\w.])")
# exact arithmetic for any figure met (a uint256 has 78 digits, the largest float 309)
_EXACT = Context(prec=1000, Emax=10**6, Emin=-(10**6))


def figure(
    value: Decimal | int | float | str,
    places: int = PLACES,
    *,
    down: bool = False,
    grouping: bool = True,
    sign: bool = False,
) -> str:
    """A number for people: plain notation whatever its size (never 1E-7), rounded half up
    (`down`: towards zero, where rounding up would flatter) to exactly `places` decimals, at
    most 6; thousands grouped unless `grouping` is false; `sign`: "+" before a positive one.
    A value that is no number comes back as it was written."""
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    places = max(0, min(places, PLACES))
    step = Decimal(1).scaleb(-places)
    rounded = number.quantize(step, rounding=ROUND_DOWN if down else ROUND_HALF_UP, context=_EXACT)
    if rounded.is_zero():
        rounded = abs(rounded)  # "-0.000000" reads as a loss
    text = format(rounded, ",f" if grouping else "f")
    return "+" + text if sign and rounded > 0 else text


def scaled(
    value: int | str, decimals: int = 18, places: int = PLACES, *, sign: bool = False
) -> str:
    """An integer in base units (wei, a WAD, Gwei with `decimals` 9) as a figure for people."""
    return figure(Decimal(int(value)).scaleb(-decimals, context=_EXACT), places, sign=sign)


def readable(text: str) -> str:
    """Text for people: every number with more than 6 decimals rounded to 6, half up
    ("29.988005997001499192 ezETH" -> "29.988006 ezETH", "3.3186121794782787429367252%" ->
    "3.318612%"), every number in exponent notation written plainly ("1E-7" -> "0.000000",
    "2.5E+21" -> "2500000000000000000000"); the rest as it is. Hex (addresses, hashes,
    calldata) holds no decimal point."""

    def plain(match: re.Match[str]) -> str:  # exact; rounded to 6 decimals below
        return format(Decimal(match.group(1)), "f")

    def short(match: re.Match[str]) -> str:
        grouped = "," in match.group(1)
        return figure(match.group(1).replace(",", ""), grouping=grouped)

    return _LONG_DECIMAL.sub(short, _EXPONENT.sub(plain, text))
