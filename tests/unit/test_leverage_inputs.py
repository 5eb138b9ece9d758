"""Leverage inputs (3x, 70%, 10m) and plan files, without a chain: every bad input is one
UsageError line naming it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ion_cli.amounts import parse_duration, parse_fraction, parse_leverage
from ion_cli.errors import UsageError
from ion_cli.flows.leverage import load_plan

RAY = 10**27


@pytest.mark.parametrize(
    ("text", "value"),
    [("3x", 3 * RAY), ("3", 3 * RAY), ("1.5x", 3 * RAY // 2), (" 2.25X ", 9 * RAY // 4)],
)
def test_leverage(text: str, value: int) -> None:
    assert parse_leverage(text) == value


@pytest.mark.parametrize("text", ["", "x", "0.5x", "-3x", "3xx", "1e3", "101x", "nan", "3 x y"])
def test_bad_leverage(text: str) -> None:
    with pytest.raises(UsageError, match="leverage"):
        parse_leverage(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.7", 7 * RAY // 10), ("70%", 7 * RAY // 10), ("0.5%", RAY // 200), ("0", 0)],
)
def test_fraction(text: str, value: int) -> None:
    assert parse_fraction(text) == value


@pytest.mark.parametrize("text", ["1", "100%", "abc", "-0.1", "0.5%%", ""])
def test_bad_fraction(text: str) -> None:
    with pytest.raises(UsageError):
        parse_fraction(text, "LTV")


@pytest.mark.parametrize(
    ("text", "seconds"), [("600", 600), ("30s", 30), ("10m", 600), ("2h", 7200), ("1d", 86400)]
)
def test_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@given(st.text(max_size=12))
def test_any_text_is_a_value_or_one_usage_error(text: str) -> None:
    for parse in (parse_leverage, parse_fraction, parse_duration):
        try:
            parse(text)
        except UsageError as exc:
            assert "\n" not in exc.message


GOOD: dict[str, Any] = {
    "format": "ion-plan",
    "version": 2,
    "chain_id": 31337,
    "account": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    "market": "weETH",
    "title": "Leverage weETH to 3x",
    "deadline": 1_900_000_000,
    "check": {"kind": "flash_cost", "bought": "1", "max": "2"},
    "calls": [{"to": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "data": "0x1234", "value": "0"}],
}


def _hashed(doc: dict[str, Any]) -> str:
    from ion_cli.flows.leverage import content_hash

    return json.dumps({**doc, "content_hash": content_hash(doc)})


def test_a_good_plan_loads(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(_hashed(GOOD))
    doc = load_plan(path)
    assert doc["_calls"][0].data == bytes.fromhex("1234")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"format": "x"}, "not an ion plan"),
        ({"version": 1}, "version"),
        ({"chain_id": "31337"}, "chain_id"),
        ({"chain_id": True}, "chain_id"),
        ({"calls": []}, "no calls"),
        ({"calls": [{"to": "0x12", "data": "0x"}]}, "not an address"),
        ({"calls": [{"to": GOOD["account"], "data": "zz"}]}, "0x-hex"),
        ({"calls": [{"to": GOOD["account"], "data": "0xzz"}]}, "malformed"),
        ({"calls": [{"to": GOOD["account"], "data": "0x", "value": "-1"}]}, "negative"),
        ({"deadline": None}, "deadline"),
        ({"check": []}, "check"),
    ],
)
def test_malformed_plans_are_one_line(tmp_path: Path, change: dict[str, Any], words: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(_hashed({**GOOD, **change}))
    with pytest.raises(UsageError, match=words) as caught:
        load_plan(path)
    assert "\n" not in caught.value.message


def test_a_plan_edited_without_its_hash_is_refused(tmp_path: Path) -> None:
    from ion_cli.errors import RefusedError

    path = tmp_path / "plan.json"
    path.write_text(json.dumps({**json.loads(_hashed(GOOD)), "deadline": 2**62}))
    with pytest.raises(RefusedError, match="content hash"):
        load_plan(path)


@pytest.mark.parametrize("content", [b"{", b"\xff\xfe", b"[]", b"null", b"[" * 100_000])
def test_not_json_plans(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    with pytest.raises(UsageError, match=r"malformed|not UTF-8"):
        load_plan(path)
