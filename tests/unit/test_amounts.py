"""Amount and address parsing/formatting: exact, unit-aware, one-line errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ion_cli.amounts import ALL, UINT256_MAX, format_amount, parse_address, parse_amount
from ion_cli.errors import ExitCode, UsageError

E18 = 10**18


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.5", 15 * 10**17),
        ("1", E18),
        (" 2 ", 2 * E18),
        (".5", E18 // 2),
        ("1.", E18),
        ("0.000000000000000001", 1),
        ("1_000.25", 100025 * 10**16),
        ("1.5ether", 15 * 10**17),
        ("1.5 ETHER", 15 * 10**17),
        ("3gwei", 3 * 10**9),
        ("1.5gwei", 15 * 10**8),
        ("1500000000000000000wei", 15 * 10**17),
        ("1_500wei", 1500),
        ("1.5e3", 1500 * E18),
        ("25e-2", E18 // 4),
        ("1E18wei", E18),
        ("2e-18", 2),
        ("0" * 5000 + "1." + "0" * 5000, E18),
    ],
)
def test_parse_amount_accepts(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


def test_all_and_max_only_when_allowed() -> None:
    assert parse_amount("all", allow_all=True) is ALL
    assert parse_amount(" MAX ", allow_all=True) is ALL
    with pytest.raises(UsageError, match="not accepted here"):
        parse_amount("all")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("-1", "negative"),
        ("-0.5ether", "negative"),
        ("abc", "not a number"),
        ("1.2.3", "not a number"),
        ("1,5", "not a number"),
        ("nan", "not a number"),
        ("NaN", "not a number"),
        ("inf", "not a number"),
        ("Infinity", "not a number"),
        ("0x10", "not a number"),
        ("+1", "not a number"),
        ("ether", "not a number"),
        ("1 000", "not a number"),
        ("1__0", "not a number"),
        ("1ethers", "not a number"),
        ("١", "not a number"),  # Arabic-Indic digit: ASCII only
        ("1.0000000000000000001", "more than 18 decimals"),
        ("1e-19", "more than 18 decimals"),
        ("1.5wei", "whole numbers"),
        ("1.0000000001gwei", "at most 9 decimals"),
        ("0", "greater than zero"),
        ("0.0ether", "greater than zero"),
        ("0e5", "greater than zero"),
        ("1e9999999999", "too large"),
        ("1e-9999999999", "more than 18 decimals"),
        (str(UINT256_MAX + 1) + "wei", "too large"),
        ("9" * 5000, "too many digits"),
    ],
)
def test_parse_amount_rejects_with_one_line(text: str, reason: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_amount(text)
    message = info.value.message
    assert reason in message
    assert repr(text) in message  # names the bad input
    assert "\n" not in message
    assert info.value.exit_code == ExitCode.USAGE


def test_parse_amount_options() -> None:
    assert parse_amount("0", allow_zero=True) == 0
    assert parse_amount(str(UINT256_MAX) + "wei") == UINT256_MAX
    assert parse_amount("1.5", decimals=6) == 1_500_000
    assert parse_amount("12", decimals=0) == 12
    with pytest.raises(UsageError, match="more than 6 decimals"):
        parse_amount("1.0000001", decimals=6)
    with pytest.raises(UsageError, match="18-decimal tokens"):
        parse_amount("1ether", decimals=6)
    with pytest.raises(UsageError, match="invalid --collateral 'x'"):
        parse_amount("x", what="--collateral")


def test_format_amount_exact() -> None:
    assert format_amount(15 * 10**17) == "1.5"
    assert format_amount(E18) == "1"
    assert format_amount(0) == "0"
    assert format_amount(1) == "0.000000000000000001"
    assert format_amount(-15 * 10**17) == "-1.5"
    assert format_amount(1_500_000, decimals=6) == "1.5"
    assert format_amount(12, decimals=0) == "12"
    assert format_amount(10**45 + 1, decimals=45) == "1." + "0" * 44 + "1"
    assert "e" not in format_amount(10**70).lower()


def test_format_amount_rounded_for_tables() -> None:
    assert format_amount(15 * 10**17, places=4) == "1.5000"
    assert format_amount(123456789 * 10**10, places=4) == "1.2346"  # half up
    assert format_amount(12345 * 10**14, places=3) == "1.235"  # a tie rounds up
    assert format_amount(-12345 * 10**14, places=3) == "-1.235"  # away from zero
    assert format_amount(E18, places=0) == "1"
    assert format_amount(0, places=2) == "0.00"
    assert format_amount(3, places=4) == "<0.0001"  # dust never shows as zero
    assert format_amount(-3, places=4) == ">-0.0001"
    assert format_amount(3, places=0) == "<1"
    assert format_amount(10**45 * 7, decimals=45, places=2) == "7.00"
    with pytest.raises(ValueError):
        format_amount(1, places=-1)


@settings(max_examples=200)
@given(st.integers(min_value=1, max_value=UINT256_MAX), st.integers(min_value=0, max_value=40))
def test_format_then_parse_round_trips(value: int, decimals: int) -> None:
    assert parse_amount(format_amount(value, decimals), decimals) == value
    if decimals == 18:
        assert parse_amount(f"{value}wei") == value


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=10**40), st.integers(min_value=0, max_value=20))
def test_rounded_format_is_within_half_a_place(value: int, places: int) -> None:
    shown = format_amount(value, 18, places)
    if shown.startswith("<"):
        assert 0 < value * 10**places < 10**18 // 2
        return
    parsed = parse_amount(shown, allow_zero=True)
    assert isinstance(parsed, int)
    assert abs(parsed - value) * 2 <= 10 ** max(18 - places, 0)


WSTETH = "0x7f39C581F595B53c5cb19bD0b3f8dA6c935E2Ca0"


def test_parse_address() -> None:
    assert parse_address(WSTETH) == WSTETH
    assert parse_address(WSTETH.lower()) == WSTETH
    assert parse_address("0x" + WSTETH[2:].upper()) == WSTETH
    assert parse_address(f"  {WSTETH}\n") == WSTETH


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "40 hex digits"),
        ("0x123", "40 hex digits"),
        (WSTETH[2:], "40 hex digits"),
        (WSTETH + "00", "40 hex digits"),
        ("0x" + "g" * 40, "40 hex digits"),
        ("vitalik.eth", "40 hex digits"),
        (WSTETH[:-1] + "1", "checksum mismatch"),  # a one-character typo in mixed case
        (WSTETH.replace("C", "c", 1), "checksum mismatch"),
    ],
)
def test_parse_address_rejects(text: str, reason: str) -> None:
    with pytest.raises(UsageError, match=reason) as info:
        parse_address(text)
    assert repr(text) in info.value.message


@pytest.mark.parametrize("text", ["1.5ETH", "1.5eth", "1.5 Eth", "1.5ether", "1.5 ETHER"])
def test_eth_is_a_unit_in_any_case(text: str) -> None:
    assert parse_amount(text) == 1_500_000_000_000_000_000
