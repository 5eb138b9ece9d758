"""Small formatting helpers for tables: rounded half up for reading (2.999999999999999999
supplied shows as 3.000000); JSON keeps the exact decimal strings."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from ion_cli.readable import PLACES, figure, readable, scaled  # the rule lives in the core
from ion_cli.results import Unknown

__all__ = ["PLACES", "figure", "fmt_amount", "fmt_pct", "print_rows", "readable", "scaled"]

if TYPE_CHECKING:
    from rich.console import Console


def fmt_amount(
    value: Decimal | str | Unknown | None, places: int = 4, *, down: bool = False
) -> str:
    """`down` for figures where rounding up would flatter (health): 1.46136 -> 1.4613. An
    Unknown says why and how to supply the missing fact."""
    if isinstance(value, Unknown):
        return value.text
    if value is None:
        return "unknown"
    return figure(value, places, down=down)


def fmt_pct(value: Decimal | str | Unknown | None, places: int = 2) -> str:
    """A fraction as a percentage (0.05 -> 5.00%), `places` decimals (at most 6)."""
    if isinstance(value, Unknown):
        return value.text
    if value is None:
        return "unknown"
    try:
        return figure(Decimal(value).scaleb(2), places) + "%"
    except InvalidOperation:
        return str(value)


# ---- the human output rules: at most 6 decimals, identifiers whole ------------------------------


def print_rows(
    console: Console,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    key: int = 0,
    wide: bool = False,
    right: Sequence[int] = (),
    title: str | None = None,
) -> None:
    """A table whose cells are never cut: identifiers (hashes, addresses) stay whole and on one
    line. Where the table does not fit the terminal, each row becomes a record instead: its
    `key` cell on a line of its own, the other cells below it; `wide` prints the table anyway
    (lines as long as it needs, for a pager or a file)."""
    from rich.table import Table

    table = Table(*(), title=title, title_justify="left")
    for i, header in enumerate(headers):
        table.add_column(header, no_wrap=True, justify="right" if i in right else "left")
    for row in rows:
        table.add_row(*row)
    from rich.measure import Measurement

    needed = Measurement.get(console, console.options.update(max_width=100_000), table).maximum
    if needed <= console.width:
        console.print(table)
        return
    if wide:  # a console as wide as the table, on the same stream
        from rich.console import Console

        Console(
            file=console.file,
            width=needed,
            highlight=False,
            emoji=False,
            color_system=console.color_system,  # type: ignore[arg-type]
            force_terminal=console.is_terminal,
        ).print(table)
        return
    if title:
        console.print(title)
    for row in rows:
        console.print(row[key], soft_wrap=True, crop=False)
        rest = [f"{h} {c}" for i, (h, c) in enumerate(zip(headers, row, strict=True)) if i != key]
        console.print("  " + " · ".join(c for c in rest if c.strip()), overflow="fold")
