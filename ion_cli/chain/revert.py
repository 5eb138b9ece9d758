"""Revert data to words: "UnsafePositionChange(newTotalDebtInVault=..., ...)", never just
"execution reverted".

Errors are looked up by selector in one registry built from (a) the published interfaces
(ion_cli/abi/published: the protocol doc's errors, the tokens' and OpenZeppelin's standard ones),
so that mainnet reverts decode without any devnet file, and (b) error sources registered at run
time: the devnet package registers its compiled artifacts' errors when it is loaded, and callers
pass a plugin's ABI as `extra_abis`. A few errors, and every Solidity panic, get a hint in words
shown before the raw decoded form, since "VaultCannotBeDusty(amountLeft=..., dust=...)" alone
asks the user to know the protocol's units.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# canonical_type is re-exported for callers of this module; it lives in ion_cli.abi.signature.
from ion_cli.abi.signature import canonical_type as canonical_type
from ion_cli.abi.signature import parse_signature as abi_parse_signature
from ion_cli.abi.signature import selector

ErrorAbi = dict[str, Any]

ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)

# Solidity's panic codes (docs: "Panic via assert and Error via require"): what the code means,
# then what it usually means for a call ion makes (the public IonPool panics where the reference
# used custom errors: ion-protocol.md, appendix F).
PANIC_CODES: dict[int, str] = {
    0x00: "generic compiler panic",
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "invalid enum value",
    0x22: "corrupt storage byte array",
    0x31: "pop() on an empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory (allocation too large)",
    0x51: "call to an uninitialised internal function",
}
PANIC_HINTS: dict[int, str] = {
    0x01: "the contract found its own state inconsistent; this is a bug in the contract",
    0x11: (
        "an amount is larger than the contract can take or give: on an Ion pool, usually a "
        "withdrawal above the available liquidity or a repay above the debt"
    ),
    0x12: "a rate, price or supply the contract divides by is zero (an empty pool or market?)",
    0x21: "an argument is not one of the values the contract accepts (a swap kind, a mode)",
    0x22: "the contract's storage is corrupt; this is a bug in the contract",
    0x31: "the contract popped from an empty list; this is a bug in the contract",
    0x32: (
        "an index is past the end of a list: on an Ion pool, usually a market (ilk) index the "
        "pool has not initialized"
    ),
    0x41: "the call asked for too much memory (an array argument far too long?)",
    0x51: "the contract called a function that was never set; this is a bug in the contract",
}


def __getattr__(name: str) -> Any:
    # KNOWN_ERRORS: the published error signatures, built on first use (not at import).
    if name == "KNOWN_ERRORS":
        from ion_cli.abi import all_errors
        from ion_cli.abi.signature import human

        return tuple(human(e) for e in all_errors())
    raise AttributeError(name)


_RAD = Decimal(10) ** 45
_WAD = Decimal(10) ** 18


@dataclass(frozen=True)
class DecodedRevert:
    """A decoded revert. `text` is the line to show; `raw` the bare "Name(arg=value)" form."""

    name: str  # "" when the data is empty or the selector unknown
    args: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    raw: str = ""
    hint: str = ""
    data: bytes = b""

    @property
    def selector(self) -> str:
        return "0x" + self.data[:4].hex() if len(self.data) >= 4 else ""

    def to_json(self) -> dict[str, Any]:
        return {
            "error": self.name or None,
            "args": {k: _json_value(v) for k, v in self.args.items()},
            "text": self.text,
            "hint": self.hint or None,
            "data": "0x" + self.data.hex(),
        }


# ---------------------------------------------------------------- registry


def parse_signature(signature: str) -> ErrorAbi:
    """ "Name(uint256 a, address b)" -> an ABI error entry (ion_cli.abi's parser, as an error)."""
    return abi_parse_signature(signature, "error")


def error_selector(entry: Mapping[str, Any]) -> bytes:
    return selector(entry)


# Other error sources (callables returning ABI entries), e.g. the devnet's compiled artifacts:
# registered by whoever owns them, so that this module reads no devnet file itself.
_ERROR_SOURCES: list[Callable[[], Iterable[Mapping[str, Any]]]] = []


def register_error_source(source: Callable[[], Iterable[Mapping[str, Any]]]) -> None:
    """Add a source of error ABIs to the registry (once; later sources win on a clash)."""
    if source not in _ERROR_SOURCES:
        _ERROR_SOURCES.append(source)
        clear_cache()


def _registered_error_abis() -> list[ErrorAbi]:
    found: list[ErrorAbi] = []
    for source in _ERROR_SOURCES:
        try:
            found += [dict(e) for e in source() if e.get("type", "error") == "error"]
        except Exception:  # a broken source must not hide the revert we are decoding
            continue
    return found


@functools.lru_cache(maxsize=1)
def _base_registry() -> dict[bytes, ErrorAbi]:
    from ion_cli.abi import all_errors

    registry: dict[bytes, ErrorAbi] = {}
    for entry in all_errors():
        registry[error_selector(entry)] = entry
    for entry in _registered_error_abis():
        registry[error_selector(entry)] = entry
    return registry


def registry(extra_abis: Iterable[Iterable[Mapping[str, Any]]] = ()) -> dict[bytes, ErrorAbi]:
    """Selector -> error ABI entry; `extra_abis` (whole ABIs, e.g. a plugin's) are added last."""
    merged = dict(_base_registry())
    for abi in extra_abis:
        for entry in abi:
            if entry.get("type") == "error":
                merged[error_selector(entry)] = dict(entry)
    return merged


def clear_cache() -> None:
    """Forget the registry (after the artifacts change, e.g. in tests)."""
    _base_registry.cache_clear()


# ---------------------------------------------------------------- decoding


def decode_revert(
    data: bytes | str | None, extra_abis: Iterable[Iterable[Mapping[str, Any]]] = ()
) -> DecodedRevert:
    """Decode revert data (bytes or 0x-hex) into a `DecodedRevert`; never raises."""
    raw_bytes = _as_bytes(data)
    if not raw_bytes:
        return DecodedRevert(name="", text="reverted without a reason", raw="", data=b"")
    selector, body = raw_bytes[:4], raw_bytes[4:]
    if selector == ERROR_SELECTOR and len(raw_bytes) >= 4:
        return _decode_error_string(body, raw_bytes)
    if selector == PANIC_SELECTOR:
        return _decode_panic(body, raw_bytes)
    entry = registry(extra_abis).get(selector) if len(raw_bytes) >= 4 else None
    if entry is None:
        text = f"reverted with an unknown error {_short_hex(raw_bytes)}"
        return DecodedRevert(name="", text=text, raw=text, data=raw_bytes)
    return _decode_custom(entry, body, raw_bytes)


def _decode_error_string(body: bytes, data: bytes) -> DecodedRevert:
    from eth_abi.abi import decode

    try:
        (reason,) = decode(["string"], body)
    except Exception:
        text = f"reverted with a malformed Error(string) {_short_hex(data)}"
        return DecodedRevert(name="Error", text=text, raw=text, data=data)
    raw = f"Error({_format_value(reason)})"
    return DecodedRevert(
        name="Error", args={"reason": reason}, text=f"reverted: {reason}", raw=raw, data=data
    )


def _decode_panic(body: bytes, data: bytes) -> DecodedRevert:
    from eth_abi.abi import decode

    try:
        (code,) = decode(["uint256"], body)
    except Exception:
        text = f"reverted with a malformed Panic(uint256) {_short_hex(data)}"
        return DecodedRevert(name="Panic", text=text, raw=text, data=data)
    meaning = PANIC_CODES.get(code, "unknown panic code")
    raw = f"Panic(code=0x{code:02x})"
    why = PANIC_HINTS.get(code)
    hint = f"{meaning} ({why})" if why else meaning
    return DecodedRevert(
        name="Panic",
        args={"code": code},
        text=f"{hint}: {raw}",
        raw=raw,
        hint=hint,
        data=data,
    )


def _decode_custom(entry: ErrorAbi, body: bytes, data: bytes) -> DecodedRevert:
    from eth_abi.abi import decode

    inputs = list(entry.get("inputs", []))
    name = str(entry["name"])
    try:
        values = decode([canonical_type(p) for p in inputs], body)
    except Exception:
        text = f"{name}(<undecodable arguments {_short_hex(body)}>)"
        return DecodedRevert(name=name, text=text, raw=text, data=data)
    names = [str(p.get("name") or f"arg{i}") for i, p in enumerate(inputs)]
    args = {n: _normalise(v, p) for n, v, p in zip(names, values, inputs, strict=True)}
    shown = (
        f"{n}={args[n] if p.get('type') == 'address' else _format_value(args[n])}"
        for n, p in zip(names, inputs, strict=True)
    )
    raw = f"{name}(" + ", ".join(shown) + ")"
    hint = _hint(name, args)
    return DecodedRevert(
        name=name, args=args, text=f"{hint}: {raw}" if hint else raw, raw=raw, hint=hint, data=data
    )


# ---------------------------------------------------------------- hints


def _units(value: Any, scale: Decimal) -> str:
    """A fixed-point integer as a short decimal (up to 6 places, trailing zeros dropped)."""
    if not isinstance(value, int):
        return str(value)
    text = format((Decimal(value) / scale).quantize(Decimal("0.000001")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _hint_unsafe(a: dict[str, Any]) -> str:
    limit = (
        a["collateral"] * a["spot"]
        if all(isinstance(a.get(k), int) for k in ("collateral", "spot"))
        else None
    )
    debt = _units(a["newTotalDebtInVault"], _RAD)
    cap = _units(limit, _RAD) if limit is not None else "?"
    return f"the position would be unsafe (debt {debt} > collateral*spot {cap})"


_HINTS: dict[str, Callable[[dict[str, Any]], str]] = {
    "UnsafePositionChange": _hint_unsafe,
    "VaultCannotBeDusty": lambda a: (
        f"the remaining debt would be below the market's dust of {_units(a['dust'], _RAD)}"
    ),
    "CeilingExceeded": lambda a: (
        f"the market's debt ceiling would be exceeded ({_units(a['newDebt'], _RAD)} > "
        f"{_units(a['debtCeiling'], _RAD)})"
    ),
    "DepositSurpassesSupplyCap": lambda a: (
        f"the pool's supply cap would be exceeded (cap {_units(a['supplyCap'], _WAD)})"
    ),
    "EnforcedPause": lambda a: "the pool is paused",
    "ERC20InsufficientBalance": lambda a: (
        f"insufficient balance (have {_units(a['balance'], _WAD)}, "
        f"need {_units(a['needed'], _WAD)})"
    ),
    "InsufficientBalance": lambda a: (
        f"insufficient balance (have {_units(a['balance'], _WAD)}, "
        f"need {_units(a['needed'], _WAD)})"
    ),
    "ERC20InsufficientAllowance": lambda a: (
        f"insufficient allowance (approved {_units(a['allowance'], _WAD)}, "
        f"need {_units(a['needed'], _WAD)})"
    ),
    "AccessControlUnauthorizedAccount": lambda a: f"{a['account']} lacks the required role",
    "UnsafePositionChangeWithoutConsent": lambda a: (
        f"{a['unconsentedOperator']} is not an operator of {a['user']}'s vault"
    ),
    "NotWhitelistedBorrower": lambda a: f"{a['addr']} is not on the market's borrower whitelist",
    "NotWhitelistedLender": lambda a: f"{a['addr']} is not on the pool's lender whitelist",
    "TransactionDeadlineReached": lambda a: "the transaction deadline has passed",
    "FlashloanRepaymentTooExpensive": lambda a: (
        "the swap would cost more than the slippage bound allows"
    ),
    "VaultIsNotUnsafe": lambda a: "the vault is not liquidatable (health is at least 1)",
    "UpdateCooldown": lambda a: "the reserve oracle was updated too recently",
}


def _hint(name: str, args: dict[str, Any]) -> str:
    make = _HINTS.get(name)
    if make is None:
        return ""
    try:
        return make(args)
    except (KeyError, TypeError, ArithmeticError):
        return ""  # an ABI with other parameter names: the raw form still says it all


# ---------------------------------------------------------------- formatting


def _normalise(value: Any, param: Mapping[str, Any]) -> Any:
    kind = str(param.get("type", ""))
    if kind == "address" and isinstance(value, str):
        from ion_cli.addresses import to_checksum

        return to_checksum(value)
    return value


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_format_value(v) for v in value) + "]"
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)  # uint256 does not fit a JSON number safely
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def _short_hex(data: bytes, limit: int = 68) -> str:
    text = "0x" + data.hex()
    return text if len(text) <= limit + 2 else text[: limit + 2] + f"... ({len(data)} bytes)"


def _as_bytes(data: bytes | str | None) -> bytes:
    if data is None:
        return b""
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    text = data.strip()
    text = text[2:] if text[:2].lower() == "0x" else text
    try:
        return bytes.fromhex(text)
    except ValueError:
        return b""


# ---------------------------------------------------------------- exceptions

_HEX = re.compile(r"0x[0-9a-fA-F]*")


def revert_data_from_error(error: Any) -> bytes | None:
    """Revert data inside a JSON-RPC error object (or its `data` field), in the shapes nodes use:
    `"0x..."`, `"Reverted 0x..."`, `{"data": "0x..."}`, `{"originalError": {"data": ...}}`.
    None when there is none (unlike b"", which is an empty revert)."""
    if error is None:
        return None
    if isinstance(error, bytes | bytearray):
        return bytes(error)
    if isinstance(error, str):
        text = error.strip()
        if text.startswith("Reverted "):
            text = text[len("Reverted ") :]
        if _HEX.fullmatch(text) and len(text) % 2 == 0:
            return bytes.fromhex(text[2:])
        return None
    if isinstance(error, Mapping):
        for key in ("data", "returnData", "output", "result"):
            if key in error:
                found = revert_data_from_error(error[key])
                if found is not None:
                    return found
        for key in ("originalError", "error", "cause"):
            if key in error:
                found = revert_data_from_error(error[key])
                if found is not None:
                    return found
    return None


def revert_data_from_exception(exc: BaseException) -> bytes | None:
    """Revert data carried by a web3 exception (ContractCustomError, ContractLogicError,
    ContractPanicError, Web3RPCError), or None if it carries none."""
    data = getattr(exc, "data", None)
    if data is not None:
        found = revert_data_from_error(data)
        if found is not None:
            return found
    response = getattr(exc, "rpc_response", None)
    if isinstance(response, Mapping):
        found = revert_data_from_error(response.get("error"))
        if found is not None:
            return found
    # Some nodes only put it in the message: "execution reverted: custom error 0x1234abcd..."
    message = str(exc.args[0]) if exc.args else ""
    match = re.search(r"custom error (0x[0-9a-fA-F]{8,})", message)
    if match and len(match.group(1)) % 2 == 0:
        return bytes.fromhex(match.group(1)[2:])
    with contextlib.suppress(ValueError):
        if _HEX.fullmatch(message) and len(message) >= 10:
            return bytes.fromhex(message[2:])
    return None


def decode_exception(
    exc: BaseException, extra_abis: Iterable[Iterable[Mapping[str, Any]]] = ()
) -> DecodedRevert | None:
    """Decode the revert a web3 exception carries; None if it is not a revert we can read."""
    data = revert_data_from_exception(exc)
    if data is None:
        from ion_cli.chain.client import RpcError

        web3_exceptions = sys.modules.get("web3.exceptions")  # loaded if a Web3 raised `exc`
        if web3_exceptions is not None and isinstance(exc, web3_exceptions.ContractLogicError):
            return DecodedRevert(name="", text="reverted without a reason", data=b"")
        if isinstance(exc, RpcError) and (
            exc.code == 3 or re.search(r"execution reverted\s*$", exc.message)
        ):
            return DecodedRevert(name="", text="reverted without a reason", data=b"")
        return None
    return decode_revert(data, extra_abis)
