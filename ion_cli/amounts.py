"""Parsing and formatting of user-facing amounts and addresses.

Amounts are parsed to exact integers of base units (wei for an 18-decimal token) and never go
through float. Accepted forms (case-insensitive, surrounding spaces ignored):

- a plain decimal in whole tokens: ``1.5``, ``.5``, ``10``, ``1_000.25``;
- scientific notation, still exact: ``1.5e3`` (1500 tokens), ``25e-2``;
- an ETH denomination suffix, with or without a space, any case: ``1.5ether``, ``1.5ETH``,
  ``3 gwei``, ``100wei``
  (for 18-decimal tokens only, where one token is one ether of wei; other tokens take plain
  numbers);
- ``all`` / ``max`` where the caller allows it (returned as the ``ALL`` sentinel).

A bare number means whole tokens, unlike ``cast`` where it means wei: an amount of ``1`` is one
token. Every rejection is a one-line ``UsageError`` naming the input.
"""

from __future__ import annotations

import enum
import re
from typing import Final, Literal

from ion_cli import addresses
from ion_cli.errors import UsageError

UINT256_MAX: Final = 2**256 - 1
_MAX_EXPONENT: Final = 120  # beyond any uint256 amount; keeps 10**n cheap for hostile input


class _All(enum.Enum):
    ALL = "all"

    def __repr__(self) -> str:
        return "ALL"


ALL: Final = _All.ALL
"""Sentinel for ``all``/``max``: the caller resolves it (full balance, full debt, ...)."""

AllSentinel = Literal[_All.ALL]

_DIGITS = r"\d+(?:_\d+)*"
_AMOUNT = re.compile(
    rf"(?P<int>{_DIGITS})?(?:\.(?P<frac>{_DIGITS})?)?"
    r"(?:e(?P<exp>[+-]?\d+))?"
    r"\s*(?P<unit>ether|eth|gwei|wei)?",
    re.IGNORECASE | re.ASCII,  # ASCII: \d must not match other scripts' digits
)
_UNIT_DECIMALS: Final = {"ether": 18, "eth": 18, "gwei": 9, "wei": 0}


def parse_amount(
    text: str,
    decimals: int = 18,
    *,
    allow_all: bool = False,
    allow_zero: bool = False,
    what: str = "amount",
) -> int | AllSentinel:
    """Parse a user amount into base units (or ``ALL`` when ``allow_all`` and the text says so).

    ``what`` names the input in error messages (``"--collateral"``). Zero is rejected unless
    ``allow_zero``; negatives, NaN/infinity, empty text, more decimals than the token has, and
    amounts above uint256 are always rejected.
    """
    raw = text.strip()

    def bad(reason: str) -> UsageError:
        return UsageError(f"invalid {what} {text!r}: {reason}")

    if not raw:
        raise bad("empty")
    if raw.lower() in ("all", "max"):
        if allow_all:
            return ALL
        raise bad("'all'/'max' is not accepted here; give a number")
    if raw.startswith("-"):
        raise bad("must not be negative")

    match = _AMOUNT.fullmatch(raw)
    if match is None or (match["int"] is None and match["frac"] is None):
        hint = "1.5, 1.5ether, 100wei" + (" or all" if allow_all else "")
        raise bad(f"not a number (expected e.g. {hint})")

    # Zeros that carry no value are dropped first, so only significant digits count against
    # the length guard (int() refuses strings past 4,300 digits with a traceback-worthy error).
    int_part = (match["int"] or "").replace("_", "").lstrip("0")
    frac_part = (match["frac"] or "").replace("_", "").rstrip("0")
    if len(int_part) + len(frac_part) > _MAX_EXPONENT:
        raise bad("too many digits")
    mantissa = int(int_part + frac_part or "0")
    unit = (match["unit"] or "").lower()
    if unit and decimals != 18:
        raise bad(f"unit suffixes apply to 18-decimal tokens; this one has {decimals}")
    unit_decimals = _UNIT_DECIMALS[unit] if unit else decimals
    exponent = int(match["exp"] or 0) - len(frac_part) + unit_decimals

    if mantissa == 0:
        value = 0
    elif exponent > _MAX_EXPONENT:
        raise bad("too large")
    elif exponent >= 0:
        value = mantissa * 10**exponent
    elif -exponent > _MAX_EXPONENT + len(str(mantissa)):
        raise bad(_too_precise(unit, decimals))
    else:
        value, rest = divmod(mantissa, 10**-exponent)
        if rest:
            raise bad(_too_precise(unit, decimals))

    if value > UINT256_MAX:
        raise bad("too large")
    if value == 0 and not allow_zero:
        raise bad("must be greater than zero")
    return value


def _too_precise(unit: str, decimals: int) -> str:
    if unit == "wei":
        return "wei amounts must be whole numbers"
    if unit == "gwei":
        return "gwei amounts take at most 9 decimals"
    return f"more than {decimals} decimals"


def format_amount(value: int, decimals: int = 18, places: int | None = None) -> str:
    """Base units as a decimal string in whole tokens, never in exponent notation.

    ``places=None`` gives the exact value without trailing zeros (``"1.5"``, ``"0"``): the form
    for JSON, which must round-trip through ``parse_amount``. ``places=n`` rounds half up to
    ``n`` decimals and keeps the zeros so table columns line up; a non-zero value that would
    show as zero is written ``"<0.0001"`` (or ``">-0.0001"``) so dust never looks like nothing.
    """
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 10**decimals)
    if places is None:
        digits = str(frac).rjust(decimals, "0").rstrip("0") if decimals else ""
        return f"{sign}{whole}" + (f".{digits}" if digits else "")

    if places < 0:
        raise ValueError("places must be >= 0")
    # Integer rounding (half away from zero): Decimal would need a context wide enough for
    # 45-decimal RAD values.
    unit = 10**decimals
    q, r = divmod(abs(value) * 10**places, unit)
    if 2 * r >= unit:
        q += 1
    smallest = "0." + "0" * (places - 1) + "1" if places else "1"
    if value != 0 and q == 0:
        return f"<{smallest}" if value > 0 else f">-{smallest}"
    whole, frac = divmod(q, 10**places)
    return f"{sign}{whole}" + (f".{str(frac).rjust(places, '0')}" if places else "")


def parse_address(text: str, *, what: str = "address") -> str:
    """A 0x address in EIP-55 checksum form (see ion_cli.addresses, the one address module)."""
    return addresses.parse_address(text, what=what)


# ---- leverage inputs: "3x", "0.7", "0.5%", "10m" ------------------------------------------

_RAY: Final = 10**27
_DECIMAL = re.compile(r"(?P<int>\d{1,12})?(?:\.(?P<frac>\d{1,27}))?", re.ASCII)
_DURATION = re.compile(r"(?P<n>\d{1,9})\s*(?P<unit>s|sec|m|min|h|d)?", re.ASCII | re.IGNORECASE)
_SECONDS: Final = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def _ray_of(text: str, what: str) -> int:
    match = _DECIMAL.fullmatch(text)
    if not match or not (match["int"] or match["frac"]):
        raise UsageError(f"invalid {what}: {text!r}")
    whole = int(match["int"] or 0)
    frac = (match["frac"] or "").ljust(27, "0")
    return whole * _RAY + int(frac)


def parse_leverage(text: str) -> int:
    """A leverage target, "3x" or "3" (RAY); at least 1x."""
    raw = text.strip().lower().removesuffix("x").strip()
    value = _ray_of(raw, "leverage (use e.g. 3x)")
    if value < _RAY:
        raise UsageError(f"invalid leverage {text!r}: a leverage target is at least 1x")
    if value > 100 * _RAY:
        raise UsageError(f"invalid leverage {text!r}: more than 100x")
    return value


def parse_fraction(text: str, what: str = "fraction") -> int:
    """A fraction as "0.7" or "70%" (RAY); from 0 up to (not including) 1."""
    raw = text.strip()
    value = _ray_of(raw[:-1].strip(), what) // 100 if raw.endswith("%") else _ray_of(raw, what)
    if value >= _RAY:
        raise UsageError(f"invalid {what} {text!r}: must be below 1 (100%)")
    return value


def parse_duration(text: str) -> int:
    """Seconds from "600", "30s", "10m", "2h", "1d"."""
    match = _DURATION.fullmatch(text.strip())
    if not match:
        raise UsageError(f"invalid duration {text!r}: use e.g. 30s, 10m, 1h")
    return int(match["n"]) * _SECONDS[(match["unit"] or "s").lower()]
