"""The project's one parser of function, event and error signatures, and its one canonical-type
helper. Pure standard library (keccak is ion_cli.keccak).

Two notations are read, both into ABI JSON entries (the shape solc emits):
- Solidity's, as the protocol doc writes it:
  `vault(uint8 ilkIndex, address user) view returns (uint256 collateral, uint256 normalizedDebt)`,
  `Borrow(uint8 indexed ilkIndex, ...)`, `swap((bytes32 poolId, uint8 kind) singleSwap, ...)`;
- cast's, which adapters use: `calculateTVLs()(uint256[][],uint256[],uint256)`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

AbiParam = dict[str, Any]
AbiEntry = dict[str, Any]
EntryKind = Literal["function", "event", "error"]

MUTABILITIES = ("pure", "view", "nonpayable", "payable")
# Words that may sit between a type and its name and say nothing about the ABI.
_IGNORED_WORDS = frozenset({"memory", "calldata", "storage", "external", "public"})
_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_ARRAY_SUFFIX = re.compile(r"(?:\[\d*\])*")
_ELEMENTARY = re.compile(
    r"(?:address|bool|string|bytes(?:[1-9]|[12][0-9]|3[0-2])?|u?int(?:8|16|24|32|40|48|56|64|72|80|88|96"
    r"|104|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256)?)"
)


class SignatureError(ValueError):
    """A signature that does not parse (the text is quoted in the message)."""


def split_top(text: str) -> list[str]:
    """Split on the commas that are not inside parentheses ("" gives [])."""
    if "(" not in text and ")" not in text:  # most parameter lists: no tuples (a C-speed split)
        flat = text.split(",")
        if len(flat) == 1 and not flat[0].strip():
            return []
        return [part.strip() for part in flat]
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise SignatureError(f"unbalanced parentheses in {text!r}")
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if depth != 0:
        raise SignatureError(f"unbalanced parentheses in {text!r}")
    tail = "".join(current).strip()
    if tail or parts:
        parts.append(tail)
    return parts


def _closing(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    raise SignatureError(f"unbalanced parentheses in {text!r}")


def _normal_elementary(kind: str) -> str:
    base, bracket, rest = kind.partition("[")
    suffix = bracket + rest
    if base == "uint":
        base = "uint256"
    elif base == "int":
        base = "int256"
    elif base == "byte":
        base = "bytes1"
    if not _ELEMENTARY.fullmatch(base):
        raise SignatureError(f"unknown ABI type {kind!r}")
    if not _ARRAY_SUFFIX.fullmatch(suffix):
        raise SignatureError(f"bad array suffix in {kind!r}")
    return base + suffix


def parse_param(text: str, *, allow_indexed: bool = False) -> AbiParam:
    """One parameter: `"uint256 amount"`, `"address indexed user"`, `"bytes32[] memory proof"`,
    `"(address a, bool b)[] items"` (a tuple), or a bare type."""
    text = text.strip()
    if not text:
        raise SignatureError("empty parameter")
    param: AbiParam
    if text.startswith("("):
        close = _closing(text, 0)
        components = [parse_param(p) for p in split_top(text[1:close])]
        rest = text[close + 1 :]
        suffix = _ARRAY_SUFFIX.match(rest)
        dims = suffix.group(0) if suffix else ""
        param = {"type": "tuple" + dims, "components": components}
        words = rest[len(dims) :].split()
    else:
        first, *words = text.split()
        param = {"type": _normal_elementary(first)}
    name = ""
    for word in words:
        if word == "indexed" and allow_indexed:
            param["indexed"] = True
        elif (word == "payable" and param["type"] == "address") or word in _IGNORED_WORDS:
            continue
        elif _NAME.fullmatch(word) and not name:
            name = word
        else:
            raise SignatureError(f"unexpected {word!r} in parameter {text!r}")
    param["name"] = name
    if allow_indexed:
        param.setdefault("indexed", False)
    return param


def parse_params(text: str, *, allow_indexed: bool = False) -> list[AbiParam]:
    return [parse_param(p, allow_indexed=allow_indexed) for p in split_top(text)]


def parse_signature(signature: str, kind: EntryKind = "function") -> AbiEntry:
    """A signature in Solidity's or cast's notation -> an ABI entry of `kind`.

    Functions default to `nonpayable`; `view`, `pure` or `payable` after the parameters say
    otherwise, and `returns (...)` (or cast's second list) gives the outputs.
    """
    text = " ".join(signature.split())
    open_at = text.find("(")
    name = text[:open_at].strip() if open_at > 0 else ""
    for prefix in ("function ", "event ", "error "):
        if name.startswith(prefix):
            name = name[len(prefix) :].strip()
    if not _NAME.fullmatch(name):
        raise SignatureError(f"not a {kind} signature: {signature!r}")
    close_at = _closing(text, open_at)
    inputs = parse_params(text[open_at + 1 : close_at], allow_indexed=kind == "event")
    rest = text[close_at + 1 :].strip()
    if kind != "function":
        if rest and not (kind == "event" and rest == "anonymous"):
            raise SignatureError(f"unexpected {rest!r} after the {kind} {name}")
        entry: AbiEntry = {"type": kind, "name": name, "inputs": inputs}
        if kind == "event":
            entry["anonymous"] = rest == "anonymous"
        return entry
    mutability = "nonpayable"
    outputs: list[AbiParam] = []
    while rest:
        if rest.startswith("("):  # cast: name(inputs)(outputs)
            close = _closing(rest, 0)
            outputs = parse_params(rest[1:close])
            rest = rest[close + 1 :].strip()
            continue
        word, _, tail = rest.partition(" ")
        if word in MUTABILITIES:
            mutability = word
            rest = tail.strip()
        elif word in _IGNORED_WORDS:
            rest = tail.strip()
        elif word.startswith("returns"):
            tail = rest[len("returns") :].strip()
            if not tail.startswith("("):
                raise SignatureError(f"returns needs a list in {signature!r}")
            close = _closing(tail, 0)
            outputs = parse_params(tail[1:close])
            rest = tail[close + 1 :].strip()
        else:
            raise SignatureError(f"unexpected {word!r} in {signature!r}")
    return {
        "type": "function",
        "name": name,
        "inputs": inputs,
        "outputs": outputs,
        "stateMutability": mutability,
    }


def canonical_type(param: Mapping[str, Any]) -> str:
    """The canonical ABI type of one parameter, tuples expanded ("(uint256,address)[]"), as
    selectors hash them and eth_abi encodes them."""
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(canonical_type(c) for c in param.get("components", []))
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def input_types(entry: Mapping[str, Any]) -> list[str]:
    return [canonical_type(p) for p in entry.get("inputs", [])]


def output_types(entry: Mapping[str, Any]) -> list[str]:
    return [canonical_type(p) for p in entry.get("outputs", [])]


def signature_text(entry: Mapping[str, Any]) -> str:
    """`name(type,...)`: the text a selector or an event topic hashes."""
    return f"{entry['name']}({','.join(input_types(entry))})"


@functools.cache
def _keccak_prefix(text: str, size: int) -> bytes:
    from ion_cli.keccak import keccak256

    return keccak256(text.encode())[:size]


def selector(entry_or_text: Mapping[str, Any] | str) -> bytes:
    """The 4-byte selector of a function or error (an ABI entry, or a signature in either
    notation)."""
    if isinstance(entry_or_text, str):
        entry_or_text = parse_signature(entry_or_text)
    return _keccak_prefix(signature_text(entry_or_text), 4)


def event_topic(entry: Mapping[str, Any]) -> bytes:
    """topic0 of an event: keccak256 of its signature text."""
    return _keccak_prefix(signature_text(entry), 32)


def human(entry: Mapping[str, Any]) -> str:
    """An entry back in Solidity's notation with names (for messages and the data files)."""

    def param(p: Mapping[str, Any]) -> str:
        kind = str(p["type"])
        if kind.startswith("tuple"):
            kind = "(" + ", ".join(param(c) for c in p.get("components", [])) + ")"
            kind += str(p["type"])[len("tuple") :]
        words = [kind, "indexed" if p.get("indexed") else "", str(p.get("name") or "")]
        return " ".join(w for w in words if w)

    text = f"{entry['name']}({', '.join(param(p) for p in entry.get('inputs', []))})"
    if entry.get("type") == "function":
        if entry.get("stateMutability", "nonpayable") != "nonpayable":
            text += f" {entry['stateMutability']}"
        outputs: Sequence[Mapping[str, Any]] = entry.get("outputs", [])
        if outputs:
            text += f" returns ({', '.join(param(p) for p in outputs)})"
    return text
