"""Whole-number options parsed in ASCII digits only, with bounds (typer's int accepts any
Unicode digit, so `--count ١` meant 1, and an unbounded `--confirmations` waited forever)."""

from __future__ import annotations

from collections.abc import Callable


def ascii_int(minimum: int, maximum: int) -> Callable[[str | int], int]:
    """A typer `parser=` for an integer option in [minimum, maximum]; a bad value is click's
    "Invalid value" usage error (exit 2) that says why (a plain ValueError would be shown as the
    value alone, hiding the bound)."""

    def parse(value: str | int) -> int:
        from typer import BadParameter

        from ion_cli.errors import UsageError
        from ion_cli.inputs import ascii_int as check

        if isinstance(value, int):  # the declared default
            return value
        try:
            return check(value, "the value", minimum=minimum, maximum=maximum)
        except UsageError as exc:
            raise BadParameter(
                exc.message.removeprefix("the value: ").removeprefix("the value ")
            ) from None

    parse.__name__ = "integer"  # shown by click as the option's type
    return parse


def ascii_float(minimum: float, maximum: float) -> Callable[[str | float], float]:
    """A typer `parser=` for a finite number in [minimum, maximum], written in ASCII."""

    def parse(value: str | float) -> float:
        import math

        if isinstance(value, int | float):  # the declared default
            return float(value)
        text = value.strip()
        if not text.isascii():
            raise ValueError(f"{value!r} is not a number (ASCII digits)")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
        if not (math.isfinite(number) and minimum <= number <= maximum):
            raise ValueError(f"must be a number from {minimum:g} to {maximum:g}, not {value}")
        return number

    parse.__name__ = "number"
    return parse
