"""Arguments of the API as people write them ("1.5", Decimal("1.5"), "3x", "70%", "10m"),
parsed once into the units the flows take."""

from __future__ import annotations

from decimal import Decimal

from ion_cli.amounts import ALL, parse_amount
from ion_cli.errors import UsageError

Amount = str | int | Decimal


def amount(amount: Amount) -> int:
    """Token units (18 decimals) from "1.5", "1.5ether", "1wei", Decimal("1.5") or 2."""
    if isinstance(amount, bool):
        raise UsageError(f"invalid amount {amount!r}")
    text = format(amount, "f") if isinstance(amount, Decimal) else str(amount)
    value = parse_amount(text)
    assert value is not ALL
    return int(value)


def amount_or_all(given: Amount | None) -> int | None:
    if given is None:
        return None
    if isinstance(given, str):
        value = parse_amount(given, allow_all=True)
        return None if value is ALL else int(value)
    return amount(given)


def leverage(value: str | int | Decimal) -> int:
    from ion_cli.amounts import parse_leverage

    return parse_leverage(format(value, "f") if isinstance(value, Decimal) else str(value))


def fraction(value: str | Decimal, what: str) -> int:
    from ion_cli.amounts import parse_fraction

    return parse_fraction(format(value, "f") if isinstance(value, Decimal) else str(value), what)


def duration(value: str | int) -> int:
    from ion_cli.amounts import parse_duration

    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return parse_duration(str(value))
