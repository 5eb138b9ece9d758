"""Revert decoding: errors encoded with eth_abi come back as names, arguments and hints."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi.abi import encode
from eth_utils.crypto import keccak
from web3.exceptions import (
    ContractCustomError,
    ContractLogicError,
    ContractPanicError,
    Web3RPCError,
)

from ion_cli.chain import revert
from ion_cli.chain.revert import (
    KNOWN_ERRORS,
    decode_exception,
    decode_revert,
    parse_signature,
    revert_data_from_error,
    revert_data_from_exception,
)

ALICE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
RAD = 10**45
RAY = 10**27
WAD = 10**18


def err(signature: str, *values: Any) -> bytes:
    """Revert data for `Name(type1,type2)` with `values`."""
    types = signature[signature.index("(") + 1 : -1]
    type_list = [t for t in types.split(",") if t]
    return keccak(text=signature)[:4] + encode(type_list, list(values))


def test_empty_revert_data_has_no_reason() -> None:
    for data in (b"", "0x", None):
        decoded = decode_revert(data)
        assert decoded.name == ""
        assert decoded.text == "reverted without a reason"


def test_error_string() -> None:
    decoded = decode_revert(err("Error(string)", "not enough"))
    assert decoded.name == "Error"
    assert decoded.args == {"reason": "not enough"}
    assert decoded.text == "reverted: not enough"
    assert decoded.raw == 'Error("not enough")'


@pytest.mark.parametrize(
    ("code", "meaning"),
    [(0x11, "arithmetic overflow or underflow"), (0x12, "division"), (0x32, "out of bounds")],
)
def test_panic_codes_are_explained(code: int, meaning: str) -> None:
    decoded = decode_revert(err("Panic(uint256)", code))
    assert decoded.name == "Panic"
    assert decoded.args == {"code": code}
    assert meaning in decoded.text
    assert f"Panic(code=0x{code:02x})" in decoded.text


def test_unknown_panic_code() -> None:
    assert "unknown panic code" in decode_revert(err("Panic(uint256)", 0x99)).text


def test_unsafe_position_change_has_a_hint_in_token_units() -> None:
    # debt 9 tokens (RAD) against 10 tokens of collateral at a spot of 0.8 (RAY): 9 > 8
    data = err("UnsafePositionChange(uint256,uint256,uint256)", 9 * RAD, 10 * WAD, 8 * RAY // 10)
    decoded = decode_revert(data)
    assert decoded.name == "UnsafePositionChange"
    assert decoded.args == {
        "newTotalDebtInVault": 9 * RAD,
        "collateral": 10 * WAD,
        "spot": 8 * RAY // 10,
    }
    assert decoded.hint == "the position would be unsafe (debt 9 > collateral*spot 8)"
    assert decoded.text.startswith(decoded.hint + ": UnsafePositionChange(newTotalDebtInVault=")
    assert (
        decoded.selector
        == "0x" + keccak(text="UnsafePositionChange(uint256,uint256,uint256)")[:4].hex()
    )


def test_dust_ceiling_pause_and_balance_hints() -> None:
    dusty = decode_revert(err("VaultCannotBeDusty(uint256,uint256)", RAD // 2, 4 * RAD))
    assert dusty.hint == "the remaining debt would be below the market's dust of 4"
    ceiling = decode_revert(err("CeilingExceeded(uint256,uint256)", 11 * RAD, 10 * RAD))
    assert "debt ceiling" in ceiling.hint and "11 > 10" in ceiling.hint
    paused = decode_revert(err("EnforcedPause()"))
    assert paused.text == "the pool is paused: EnforcedPause()"
    balance = decode_revert(
        err("ERC20InsufficientBalance(address,uint256,uint256)", ALICE, WAD, 3 * WAD // 2)
    )
    assert balance.hint == "insufficient balance (have 1, need 1.5)"
    assert f"sender={ALICE}" in balance.raw


def test_addresses_are_checksummed() -> None:
    data = err("AccessControlUnauthorizedAccount(address,bytes32)", ALICE.lower(), b"\x01" * 32)
    decoded = decode_revert(data)
    assert decoded.args["account"] == ALICE
    assert "neededRole=0x0101" in decoded.raw


def test_unknown_selector_shows_the_data() -> None:
    decoded = decode_revert(bytes.fromhex("deadbeef") + bytes(32))
    assert decoded.name == ""
    assert decoded.text.startswith("reverted with an unknown error 0xdeadbeef")


def test_long_unknown_data_is_shortened() -> None:
    decoded = decode_revert(bytes.fromhex("deadbeef") + bytes(400))
    assert "(404 bytes)" in decoded.text
    assert len(decoded.text) < 150


def test_known_selector_with_malformed_arguments() -> None:
    data = keccak(text="VaultCannotBeDusty(uint256,uint256)")[:4] + b"\x01"
    decoded = decode_revert(data)
    assert decoded.name == "VaultCannotBeDusty"
    assert "undecodable arguments" in decoded.text


def test_hex_string_input() -> None:
    data = err("VaultIsNotUnsafe(uint256)", 2 * RAY)
    assert decode_revert("0x" + data.hex()).name == "VaultIsNotUnsafe"


def test_every_documented_signature_parses_with_unique_selectors() -> None:
    selectors: dict[bytes, str] = {}
    for signature in KNOWN_ERRORS:
        entry = parse_signature(signature)
        selector = revert.error_selector(entry)
        assert selector not in selectors, (signature, selectors.get(selector))
        selectors[selector] = signature


def _sample(kind: str) -> Any:
    if kind == "address":
        return ALICE
    if kind == "bool":
        return True
    if kind.startswith("bytes") and kind != "bytes":
        return b"\x07" * int(kind[5:])
    if kind in ("bytes", "string"):
        return b"\x07" if kind == "bytes" else "x"
    if kind.startswith("int"):
        return -3
    if kind.startswith("uint"):
        return 3
    raise AssertionError(f"no sample for {kind}")


def test_every_artifact_error_round_trips() -> None:
    from ion_cli.devnet.artifacts import all_error_abis

    entries = all_error_abis()
    assert any(e["name"] == "UnsafePositionChange" for e in entries)
    for entry in entries:
        types = [revert.canonical_type(p) for p in entry["inputs"]]
        if any("(" in t or "[" in t for t in types):
            continue  # no tuple/array errors in the protocol; keep the sampler simple
        data = revert.error_selector(entry) + encode(types, [_sample(t) for t in types])
        decoded = decode_revert(data)
        assert decoded.name == entry["name"], entry
        assert list(decoded.args) == [p["name"] or f"arg{i}" for i, p in enumerate(entry["inputs"])]


def test_extra_abis_are_used() -> None:
    abi = [{"type": "error", "name": "PluginBroke", "inputs": [{"name": "why", "type": "uint8"}]}]
    data = err("PluginBroke(uint8)", 7)
    assert decode_revert(data).name == ""
    assert decode_revert(data, [abi]).raw == "PluginBroke(why=7)"


def test_to_json_keeps_big_numbers_as_strings() -> None:
    decoded = decode_revert(err("VaultCannotBeDusty(uint256,uint256)", RAD, 4 * RAD))
    data = decoded.to_json()
    assert data["error"] == "VaultCannotBeDusty"
    assert data["args"] == {"amountLeft": str(RAD), "dust": str(4 * RAD)}
    assert data["hint"].startswith("the remaining debt")


# ---------------------------------------------------------------- data inside exceptions

DUSTY = err("VaultCannotBeDusty(uint256,uint256)", 1, 2)
DUSTY_HEX = "0x" + DUSTY.hex()


@pytest.mark.parametrize(
    "shape",
    [
        DUSTY_HEX,
        "Reverted " + DUSTY_HEX,
        {"data": DUSTY_HEX},
        {"message": "execution reverted", "data": {"data": DUSTY_HEX}},
        {"originalError": {"code": 3, "data": DUSTY_HEX}},
    ],
)
def test_revert_data_shapes(shape: Any) -> None:
    assert revert_data_from_error(shape) == DUSTY


def test_no_revert_data_is_none_not_empty() -> None:
    assert revert_data_from_error(None) is None
    assert revert_data_from_error({"message": "boom"}) is None
    assert revert_data_from_error("not hex") is None
    assert revert_data_from_error("0x") == b""


def test_web3_exceptions() -> None:
    custom = ContractCustomError(DUSTY_HEX, data=DUSTY_HEX)
    assert revert_data_from_exception(custom) == DUSTY
    panic_data = "0x" + err("Panic(uint256)", 0x11).hex()
    panic = decode_exception(ContractPanicError("Panic error 0x11", data=panic_data))
    assert panic is not None and panic.name == "Panic"
    empty = decode_exception(ContractLogicError("execution reverted", data="0x"))
    assert empty is not None and empty.text == "reverted without a reason"
    no_data = decode_exception(ContractLogicError("execution reverted", data=None))
    assert no_data is not None and no_data.text == "reverted without a reason"
    rpc = Web3RPCError(
        "execution reverted",
        rpc_response={
            "jsonrpc": "2.0",
            "id": 1,
            "error": {"code": 3, "message": "execution reverted", "data": DUSTY_HEX},
        },
    )
    decoded = decode_exception(rpc)
    assert decoded is not None and decoded.name == "VaultCannotBeDusty"


def test_custom_error_only_in_the_message() -> None:
    exc = Web3RPCError(f"execution reverted: custom error {DUSTY_HEX}")
    assert revert_data_from_exception(exc) == DUSTY


def test_unrelated_exception_is_not_a_revert() -> None:
    assert decode_exception(ValueError("connection reset")) is None
