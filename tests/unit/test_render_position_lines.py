"""A position's table names the GemJoin and the lender balance only when they hold something: a
Decimal zero (the typed figure) is no line (it used to print "0.000000 weETH sit in the
GemJoin" under every position)."""

from __future__ import annotations

from dataclasses import fields, replace
from decimal import Decimal

from rich.console import Console

from ion_cli.commands.render_position import render_positions
from ion_cli.results import Position


def _position() -> Position:
    values: dict[str, object] = {f.name: None for f in fields(Position)}
    values.update(
        market="weETH",
        base="wstETH",
        address="0x" + "11" * 20,
        safety_margin=Decimal("0.1"),
        dusty=False,
        liquidatable=False,
        block=1,
        supplied=Decimal(0),
        gem=Decimal(0),
        collateral=Decimal(0),
        debt=Decimal(0),
    )
    return Position(**values)  # type: ignore[arg-type]


def _shown(position: Position) -> str:
    console = Console(record=True, width=120, emoji=False)
    render_positions(console, [position])
    return console.export_text()


def test_zero_gem_and_supply_get_no_line() -> None:
    text = _shown(_position())
    assert "GemJoin" not in text and "supplied (lender)" not in text


def test_gem_and_supply_get_their_lines() -> None:
    text = _shown(replace(_position(), gem=Decimal("1.5"), supplied=Decimal("2")))
    assert "1.500000 weETH, not collateral" in text and "2.000000 wstETH" in text
