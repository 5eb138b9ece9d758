"""Revert data to words: "UnsafePositionChange(newTotalDebtInVault=..., ...)", never just
"execution reverted".

Errors are looked up by selector in one registry built from (a) the signatures the protocol
documents (ion-protocol.md, Appendix A) and OpenZeppelin's standard errors, so that mainnet reverts
decode even for contracts the devnet does not deploy, and (b) every error in the devnet artifacts'
ABIs, which carry the real parameter names. A few errors get a friendly hint shown before the raw
decoded form, since "VaultCannotBeDusty(amountLeft=..., dust=...)" alone asks the user to know
the protocol's units.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

ErrorAbi = dict[str, Any]

ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)

# Solidity's panic codes (docs: "Panic via assert and Error via require").
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

# Documented signatures, so decoding works without artifacts (e.g. for mainnet-only contracts).
# The artifacts' ABIs are added on top and win on a selector clash (same selector, same types).
KNOWN_ERRORS: tuple[str, ...] = (
    # IonPool
    "CeilingExceeded(uint256 newDebt, uint256 debtCeiling)",
    "UnsafePositionChange(uint256 newTotalDebtInVault, uint256 collateral, uint256 spot)",
    "UnsafePositionChangeWithoutConsent(uint8 ilkIndex, address user, address unconsentedOperator)",
    "GemTransferWithoutConsent(uint8 ilkIndex, address user, address unconsentedOperator)",
    "UseOfCollateralWithoutConsent(uint8 ilkIndex, address depositor, address unconsentedOperator)",
    "TakingWethWithoutConsent(address payer, address unconsentedOperator)",
    "VaultCannotBeDusty(uint256 amountLeft, uint256 dust)",
    "ArithmeticError()",
    "IlkAlreadyAdded(address ilkAddress)",
    "IlkNotInitialized(uint256 ilkIndex)",
    "DepositSurpassesSupplyCap(uint256 depositAmount, uint256 supplyCap)",
    "MaxIlksReached()",
    "InvalidIlkAddress()",
    "InvalidInterestRateModule(address invalidInterestRateModule)",
    "InvalidWhitelist()",
    # lender token
    "InsufficientBalance(address account, uint256 balance, uint256 needed)",
    "InvalidSender(address sender)",
    "InvalidReceiver(address receiver)",
    "SelfTransfer(address self)",
    "InvalidBurnAmount()",
    "InvalidMintAmount()",
    # Whitelist, GemJoin
    "NotWhitelistedBorrower(uint8 ilkIndex, address addr)",
    "NotWhitelistedLender(address addr)",
    "WrongIlkAddress(uint8 ilkIndex, address gem)",
    "Int256Overflow()",
    # handlers
    "FlashloanRepaymentTooExpensive(uint256 repaymentAmount, uint256 maxRepaymentAmount)",
    "TransactionDeadlineReached(uint256 deadline)",
    "CannotSendEthToContract()",
    "CallbackOnlyCallableByPool(address unauthorizedCaller)",
    "OutputAmountNotReceived(uint256 amountReceived, uint256 amountRequired)",
    "InvalidUniswapPool()",
    "ReceiveCallerNotPool(address unauthorizedCaller)",
    # oracles, liquidation
    "UpdateCooldown(uint256 lastUpdated)",
    "InvalidQuorum(uint8 quorum)",
    "InvalidFeedLength(uint256 length)",
    "InvalidMaxChange(uint256 maxChange)",
    "InvalidLtv(uint256 ltv)",
    "VaultIsNotUnsafe(uint256 healthRatio)",
    "ExchangeRateCannotBeZero()",
    # OpenZeppelin 5
    "ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
    "ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
    "ERC20InvalidSender(address sender)",
    "ERC20InvalidReceiver(address receiver)",
    "ERC20InvalidApprover(address approver)",
    "ERC20InvalidSpender(address spender)",
    "ERC2612ExpiredSignature(uint256 deadline)",
    "ERC2612InvalidSigner(address signer, address owner)",
    "InvalidAccountNonce(address account, uint256 currentNonce)",
    "EnforcedPause()",
    "ExpectedPause()",
    "AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
    "AccessControlBadConfirmation()",
    "OwnableUnauthorizedAccount(address account)",
    "OwnableInvalidOwner(address owner)",
    "ReentrancyGuardReentrantCall()",
    "SafeERC20FailedOperation(address token)",
    "SafeERC20FailedDecreaseAllowance(address spender, uint256 currentAllowance, uint256 requestedDecrease)",  # noqa: E501
    "AddressEmptyCode(address target)",
    "AddressInsufficientBalance(address account)",
    "FailedInnerCall()",
    "FailedCall()",
    "InsufficientBalance(uint256 balance, uint256 needed)",
    "ECDSAInvalidSignature()",
    "ECDSAInvalidSignatureLength(uint256 length)",
    "ECDSAInvalidSignatureS(bytes32 s)",
    "MathOverflowedMulDiv()",
    "SafeCastOverflowedUintDowncast(uint8 bits, uint256 value)",
    "SafeCastOverflowedIntToUint(int256 value)",
    "SafeCastOverflowedUintToInt(uint256 value)",
)

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
    """ "Name(uint256 a, address b)" -> an ABI error entry (flat types only: all we document)."""
    match = re.fullmatch(r"\s*(\w+)\s*\((.*)\)\s*", signature)
    if not match:
        raise ValueError(f"bad error signature: {signature!r}")
    name, params = match.group(1), match.group(2).strip()
    inputs = []
    for i, part in enumerate(p.strip() for p in params.split(",") if p.strip()):
        words = part.split()
        inputs.append({"type": words[0], "name": words[-1] if len(words) > 1 else f"arg{i}"})
    return {"type": "error", "name": name, "inputs": inputs}


def canonical_type(param: Mapping[str, Any]) -> str:
    """The ABI type string of one input, expanding tuples ("(uint256,address)[]")."""
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(canonical_type(c) for c in param.get("components", []))
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def error_selector(entry: Mapping[str, Any]) -> bytes:
    from eth_utils.crypto import keccak

    types = ",".join(canonical_type(p) for p in entry.get("inputs", []))
    return bytes(keccak(text=f"{entry['name']}({types})")[:4])


def _artifact_error_abis() -> list[ErrorAbi]:
    """Every error in the compiled artifacts; none when the artifacts are not available."""
    try:
        from ion_cli.devnet.artifacts import all_error_abis
    except ImportError:
        return []
    try:
        return [dict(e) for e in all_error_abis() if e.get("type", "error") == "error"]
    except Exception:  # a broken artifact must not hide the revert we are decoding
        return []


@functools.lru_cache(maxsize=1)
def _base_registry() -> dict[bytes, ErrorAbi]:
    registry: dict[bytes, ErrorAbi] = {}
    for signature in KNOWN_ERRORS:
        entry = parse_signature(signature)
        registry[error_selector(entry)] = entry
    for entry in _artifact_error_abis():
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
    return DecodedRevert(
        name="Panic",
        args={"code": code},
        text=f"{meaning}: {raw}",
        raw=raw,
        hint=meaning,
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
        from eth_utils.address import to_checksum_address

        return to_checksum_address(value)
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
        from web3.exceptions import ContractLogicError

        if isinstance(exc, ContractLogicError):
            return DecodedRevert(name="", text="reverted without a reason", data=b"")
        return None
    return decode_revert(data, extra_abis)
