"""The human output rule for figures in text: at most 6 decimals (--json stays exact).
Standard library only: the terminal writer (ion_cli.output) applies it to every message."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

PLACES = 6  # the most decimals a table or preview shows (--json is exact)
_LONG_DECIMAL = re.compile(r"(?<![\w.])(-?[0-9][0-9,]*\.[0-9]{7,})(?![0-9])")


def readable(text: str) -> str:
    """Text for people: every number with more than 6 decimals rounded to 6, half up
    ("29.988005997001499192 ezETH" -> "29.988006 ezETH", "3.3186121794782787429367252%" ->
    "3.318612%"); the rest as it is. Hex (addresses, hashes, calldata) holds no decimal point."""

    def short(match: re.Match[str]) -> str:
        number = Decimal(match.group(1).replace(",", ""))
        rounded = number.quantize(Decimal(1).scaleb(-PLACES), rounding=ROUND_HALF_UP)
        return f"{rounded:,}" if "," in match.group(1) else str(rounded)

    return _LONG_DECIMAL.sub(short, text)
