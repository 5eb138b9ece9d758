"""What a call does, read from its calldata: the function its selector names in the published
interfaces and its decoded arguments. The preview is rendered from this, never from a plan's
own description (which a plan file could make say anything), and `clean` strips the control
characters a file or a node could put in text bound for the terminal.

eth_abi is imported on first use only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ion_cli.abi.published import Interface


def clean(text: str) -> str:
    """`text` without control characters (escape sequences, carriage returns, bidi overrides;
    newlines and tabs stay): what a file or a node says is shown, it never steers the
    terminal."""
    return "".join(
        ch if ch in " \n\t" or unicodedata.category(ch)[0] not in "CZ" else " " for ch in text
    )


@dataclass(frozen=True)
class Decoded:
    interface: str  # the published interface the selector was found in
    function: str  # name
    args: tuple[tuple[str, str, Any], ...]  # (name, type, value)

    def text(self, names: Mapping[str, str] | None = None) -> str:
        shown = ", ".join(f"{n}={_value(t, v, names or {})}" for n, t, v in self.args)
        return f"{self.function}({shown})"


def _value(kind: str, value: Any, names: Mapping[str, str]) -> str:
    if isinstance(value, list | tuple):
        inner = kind[: kind.rindex("[")] if kind.endswith("]") else ""
        return "[" + ", ".join(_value(inner, v, names) for v in value) + "]"
    if kind == "address":
        from ion_cli.addresses import to_checksum

        label = names.get(str(value).lower())
        shown = str(to_checksum(str(value)))
        return f"{shown} ({label})" if label else shown
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


def decode_calldata(data: bytes, interfaces: Sequence[str] = ()) -> Decoded | None:
    """The call `data` encodes, looked up first in `interfaces` (the target's, when the network
    profile names it), then in every published interface; None when no published function has
    its selector or its arguments do not decode (trailing bytes included)."""
    if len(data) < 4:
        return None
    selector = bytes(data[:4])
    for item in _candidates(interfaces):
        for entry in item.entries:
            if entry.get("type") != "function":
                continue
            found = _decode(entry, selector, bytes(data[4:]))
            if found is not None:
                return Decoded(item.name, str(entry["name"]), found)
    return None


def _candidates(interfaces: Sequence[str]) -> Iterator[Interface]:
    """The named interfaces, then every published one, loaded only when reached: a preview's
    call is nearly always found in its target's interface, and parsing all of them (some 650
    signatures) cost a dry run more than the decoding itself."""
    from ion_cli.abi.published import all_interfaces, interface

    for name in (*interfaces, "ERC20"):  # an unnamed target is most often a token
        try:
            yield interface(name)
        except Exception:
            continue
    yield from all_interfaces()


def _decode(
    entry: Mapping[str, Any], selector: bytes, payload: bytes
) -> tuple[tuple[str, str, Any], ...] | None:
    from ion_cli.abi.codec import encode_args
    from ion_cli.abi.signature import input_types
    from ion_cli.abi.signature import selector as selector_of

    if selector_of(entry) != selector:
        return None
    from eth_abi.abi import decode

    types = input_types(entry)
    try:
        values = decode(types, payload)
        if encode_args(types, list(values)) != payload:
            return None
    except Exception:
        return None
    params = entry.get("inputs", [])
    return tuple(
        (str(p.get("name") or f"arg{i + 1}"), t, v)
        for i, (p, t, v) in enumerate(zip(params, types, values, strict=True))
    )
