"""Solidity panics decoded with a hint in words (the public IonPool panics where the reference
used custom errors: 0x32 on an uninitialized ilk, 0x11 on a withdrawal beyond liquidity)."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode

from ion_cli.abi import selector
from ion_cli.chain.revert import PANIC_CODES, PANIC_HINTS, decode_revert

CODES = (0x01, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32, 0x41, 0x51)


def panic(code: int) -> bytes:
    return selector("Panic(uint256)") + encode(["uint256"], [code])


@pytest.mark.parametrize("code", CODES)
def test_every_panic_has_a_meaning_and_a_hint(code: int) -> None:
    decoded = decode_revert(panic(code))
    assert decoded.name == "Panic"
    assert decoded.args == {"code": code}
    assert decoded.hint.startswith(PANIC_CODES[code])
    assert PANIC_HINTS[code] in decoded.hint
    assert decoded.text == f"{decoded.hint}: Panic(code=0x{code:02x})"
    assert decoded.to_json()["hint"] == decoded.hint


def test_the_pool_panics_are_explained_in_its_terms() -> None:
    assert "not initialized" in decode_revert(panic(0x32)).text
    assert "liquidity" in decode_revert(panic(0x11)).text
    assert "division or modulo by zero" in decode_revert(panic(0x12)).text


def test_an_unknown_code_has_no_invented_hint() -> None:
    decoded = decode_revert(panic(0x77))
    assert decoded.hint == "unknown panic code"
    assert "0x77" in decoded.text


def test_a_truncated_panic_is_reported_not_raised() -> None:
    decoded = decode_revert(selector("Panic(uint256)") + b"\x01")
    assert "malformed Panic" in decoded.text
