"""The project's one calldata encoder and return-data decoder, for ABI function entries.

eth_abi is imported on first use only (the startup budget). Every way ion builds calldata (the
contract wrappers, the adapters' `encode_call` from a signature's text, the devnet's deployment
batch) ends in `encode_entry`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ion_cli.abi.signature import input_types, output_types, selector, signature_text


class EncodingError(ValueError):
    """Arguments that do not fit the function's inputs (the message names the function)."""


def encode_args(types: Sequence[str], args: Sequence[Any]) -> bytes:
    from eth_abi.abi import encode

    return bytes(encode(list(types), list(args)))


def encode_entry(entry: Mapping[str, Any], args: Sequence[Any] = ()) -> bytes:
    """selector + ABI-encoded `args` for the function `entry`."""
    types = input_types(entry)
    if len(args) != len(types):
        raise EncodingError(
            f"{signature_text(entry)} takes {len(types)} arguments, got {len(args)}"
        )
    try:
        return selector(entry) + encode_args(types, args)
    except EncodingError:
        raise
    except Exception as exc:  # eth_abi's EncodingError, OverflowError, TypeError...
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise EncodingError(f"cannot encode {signature_text(entry)}: {first}") from None


def decode_output(entry: Mapping[str, Any], data: bytes) -> Any:
    """Return data of `entry`: the value for one output, a tuple for several, None for none."""
    from eth_abi.abi import decode

    types = output_types(entry)
    if not types:
        return None
    outputs = entry.get("outputs", [])
    values = [_checksummed(p, v) for p, v in zip(outputs, decode(types, bytes(data)), strict=True)]
    return values[0] if len(values) == 1 else tuple(values)


def _checksummed(param: Mapping[str, Any], value: Any) -> Any:
    """Addresses in EIP-55 form (eth_abi decodes them in lower case), tuples and arrays too."""
    kind = str(param.get("type", ""))
    if kind.endswith("]"):
        inner = dict(param, type=kind[: kind.rindex("[")])
        return tuple(_checksummed(inner, v) for v in value)
    if kind == "tuple":
        return tuple(
            _checksummed(c, v) for c, v in zip(param.get("components", []), value, strict=True)
        )
    if kind == "address" and isinstance(value, str):
        from ion_cli.addresses import to_checksum

        return to_checksum(value)
    return value
