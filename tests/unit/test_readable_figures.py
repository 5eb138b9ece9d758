"""Figures for people (issue 19): one formatter (`ion_cli.readable.figure`, behind fmt_amount,
fmt_pct and `readable`) writes any Decimal, int or float in plain notation (never 1E-7, never
2.5E+21) with at most 6 decimals, rounded half up, whatever its size (a uint256 in 18 decimals
included: quantize under the default 28-digit context used to raise)."""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ion_cli.readable import figure, readable, scaled
from ion_cli.render import fmt_amount, fmt_pct

GROUPED = re.compile(r"^-?[0-9]{1,3}(,[0-9]{3})*(\.[0-9]{1,6})?$")
PLAIN = re.compile(r"^-?[0-9]+(\.[0-9]{1,6})?$")
EXPONENT = re.compile(r"[0-9][eE][-+]?[0-9]")
MORE_THAN_6 = re.compile(r"[0-9]\.[0-9]{7,}")

# any size a chain or a model gives: a coefficient of up to 80 digits, 60 places either way
DECIMALS = st.builds(
    lambda c, e: Decimal(c).scaleb(e), st.integers(-(10**80), 10**80), st.integers(-60, 60)
)


def _value(text: str) -> Decimal:
    return Decimal(text.replace(",", "").removesuffix("%"))


@given(DECIMALS, st.integers(0, 6))
def test_a_decimal_is_plain_rounded_and_close(value: Decimal, places: int) -> None:
    text = figure(value, places)
    assert GROUPED.match(text), text
    assert len(text.partition(".")[2]) == places
    assert abs(_value(text) - value) <= Decimal(1).scaleb(-places) / 2
    assert PLAIN.match(figure(value, places, grouping=False))


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_is_plain_too(value: float) -> None:
    assert GROUPED.match(figure(value)), figure(value)


@given(DECIMALS)
def test_text_with_any_decimal_is_readable(value: Decimal) -> None:
    """str(Decimal) of a small or large value is exponent notation ("1E-7"): rewritten."""
    text = readable(f"fee {value} ETH, {value:f} wei, at 0xab1E-7")
    assert not MORE_THAN_6.search(text), text
    assert "0xab1E-7" in text  # hex is not a number
    assert not EXPONENT.search(text.replace("0xab1E-7", "")), text


@given(DECIMALS)
def test_amounts_and_percentages_keep_the_rule(value: Decimal) -> None:
    assert GROUPED.match(fmt_amount(value, 4))
    assert fmt_pct(value, 4).endswith("%") and not EXPONENT.search(fmt_pct(value, 4))


def test_examples() -> None:
    assert figure(Decimal("1E-7")) == "0.000000"
    assert figure(Decimal("0.0000005")) == "0.000001"  # half up
    assert figure(Decimal("-0.0000001")) == "0.000000"  # no "-0"
    assert figure(Decimal("1.46136"), 4, down=True) == "1.4613"
    assert figure(Decimal("2.5E+21"), 0) == "2,500,000,000,000,000,000,000"
    assert figure(1.0047e-06) == "0.000001"
    assert figure("not a number") == "not a number"
    assert scaled(2**256 - 1, places=0) == f"{(2**256 - 1) // 10**18 + 1:,}"
    assert scaled(-(10**17), places=2, sign=True) == "-0.10"
    assert scaled(10**17, places=2, sign=True) == "+0.10"
    assert fmt_amount(Decimal(f"{2**256 - 1}E-18"), 2).endswith(",564,039,457.58")
    assert fmt_pct(Decimal("1E-9"), 6) == "0.000000%" and fmt_pct("0.05") == "5.00%"
    assert readable("price 1E-7 and 3.3186121794782787429367252%") == "price 0.000000 and 3.318612%"
    assert readable("plan 123e456 at 1.5e+3") == "plan 123e456 at 1500"  # an id is no number
