"""The published interface of every contract and venue ion talks to, from one data file each
(ion_cli/abi/published/NAME.json), written from the protocol doc and the token and venue facts.

A data file holds signatures in Solidity's notation, not ABI JSON, so that it reads like the
doc it was written from and a reviewer can check it line by line:

    {"name": "IonPool", "kind": "protocol", "source": "...",
     "include": ["ERC20"],                 # optional: other files whose entries this one has too
     "aliases": ["IIonPool"],              # optional: other names that mean this interface
     "functions": ["vault(uint8 ilkIndex, address user) view returns (uint256, uint256)", ...],
     "events": [...], "errors": [...]}

The loader is pure (stdlib json, no web3); the ABIs it produces serve mainnet and the devnet
alike, so nothing outside ion_cli/devnet reads the devnet's compiled artifacts for an ABI.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ion_cli.abi.signature import (
    AbiEntry,
    EntryKind,
    SignatureError,
    parse_signature,
    selector,
    signature_text,
)
from ion_cli.errors import IonError

DATA_PACKAGE = "ion_cli.abi"
DATA_DIR = "published"
KINDS = ("protocol", "token", "lrt", "venue", "library", "wallet")
_SECTIONS: tuple[tuple[str, EntryKind], ...] = (
    ("functions", "function"),
    ("events", "event"),
    ("errors", "error"),
)


class UnknownInterface(IonError):
    """No published data file for that contract name."""


class NotPublished(IonError):
    """A function that the contract's published interface does not have."""


@dataclass(frozen=True)
class Interface:
    """One contract's (or venue's) published interface: ABI entries, in the file's order."""

    name: str
    kind: str
    source: str
    entries: tuple[AbiEntry, ...]
    aliases: tuple[str, ...] = ()

    @property
    def abi(self) -> list[AbiEntry]:
        """A fresh copy of the ABI (callers may mutate it)."""
        copy: list[AbiEntry] = json.loads(json.dumps(list(self.entries)))
        return copy

    def of_kind(self, kind: EntryKind) -> Iterator[AbiEntry]:
        return (e for e in self.entries if e["type"] == kind)

    def functions(self, name: str) -> list[AbiEntry]:
        return [e for e in self.of_kind("function") if e["name"] == name]

    def function(self, name: str, nargs: int | None = None) -> AbiEntry:
        """The function `name` (taking `nargs` arguments, when it is overloaded)."""
        found = self.functions(name)
        if nargs is not None:
            found = [e for e in found if len(e["inputs"]) == nargs] or found
        if not found:
            raise NotPublished(f"{self.name} publishes no function {name!r}")
        if len(found) > 1:
            shapes = ", ".join(signature_text(e) for e in found)
            raise NotPublished(f"{self.name}.{name} is overloaded ({shapes}): say which")
        return found[0]

    def signatures(self, kind: EntryKind = "function") -> list[str]:
        """`name(types)` of every entry of `kind`."""
        return [signature_text(e) for e in self.of_kind(kind)]

    def selectors(self) -> dict[bytes, str]:
        """4-byte selector -> `name(types)` of every function."""
        return {selector(e): signature_text(e) for e in self.of_kind("function")}


def _data_root() -> Any:
    return resources.files(DATA_PACKAGE) / DATA_DIR


@functools.cache
def names() -> tuple[str, ...]:
    """Every published interface's name (the data files' stems), sorted."""
    return tuple(
        sorted(
            entry.name.removesuffix(".json")
            for entry in _data_root().iterdir()
            if entry.name.endswith(".json")
        )
    )


@functools.cache
def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for name in names():
        for alias in _raw(name).get("aliases", []):
            table[str(alias)] = name
    return table


def plugin_roots() -> list[Any]:
    """The installed adapters' published interfaces (`<package>/abi`, API v2): a token's own
    interfaces travel with its plugin. Found from the plugins' metadata, nothing imported."""
    from ion_cli.plugin_metadata import plugin_dirs

    return plugin_dirs("abi")


def plugin_names() -> tuple[str, ...]:
    """The installed adapters' published interfaces (not cached: plugins come and go in tests)."""
    return tuple(
        sorted(
            entry.name.removesuffix(".json")
            for root in plugin_roots()
            for entry in root.iterdir()
            if entry.name.endswith(".json")
        )
    )


@functools.cache
def _raw(name: str) -> dict[str, Any]:
    entry = _data_root() / f"{name}.json"
    if not entry.is_file():
        entry = next(
            (r / f"{name}.json" for r in plugin_roots() if (r / f"{name}.json").is_file()), entry
        )
    if not entry.is_file():
        raise UnknownInterface(f"no published interface for contract {name!r}")
    data: dict[str, Any] = json.loads(entry.read_text(encoding="utf-8"))
    return data


def _entries(name: str, seen: tuple[str, ...] = ()) -> list[AbiEntry]:
    if name in seen:
        raise IonError(f"published interfaces include each other: {' -> '.join((*seen, name))}")
    raw = _raw(name)
    entries: list[AbiEntry] = []
    for included in raw.get("include", []):
        entries += _entries(str(included), (*seen, name))
    for section, kind in _SECTIONS:
        for text in raw.get(section, []):
            try:
                entries.append(parse_signature(text, kind))
            except SignatureError as exc:
                raise IonError(f"published/{name}.json: {exc}") from None
    # An included entry that the file restates (same kind and signature) is listed once.
    unique: dict[tuple[str, str], AbiEntry] = {}
    for entry in entries:
        unique.setdefault((entry["type"], signature_text(entry)), entry)
    return list(unique.values())


@functools.cache
def interface(name: str) -> Interface:
    """The published interface `name` (or one of its aliases, e.g. "IERC20Metadata")."""
    canonical = name if name in names() else _aliases().get(name, name)
    raw = _raw(canonical)
    kind = str(raw.get("kind", "protocol"))
    if kind not in KINDS:
        raise IonError(f"published/{canonical}.json: unknown kind {kind!r}")
    return Interface(
        name=str(raw.get("name", canonical)),
        kind=kind,
        source=str(raw.get("source", "")),
        entries=tuple(_entries(canonical)),
        aliases=tuple(str(a) for a in raw.get("aliases", [])),
    )


def abi(name: str) -> list[AbiEntry]:
    """The ABI of the published interface `name`."""
    return interface(name).abi


def all_interfaces() -> list[Interface]:
    """The core's published interfaces and the installed adapters'."""
    return [interface(n) for n in dict.fromkeys((*names(), *plugin_names()))]


@functools.cache
def _error_entries() -> tuple[str, ...]:
    seen: dict[str, AbiEntry] = {}
    for item in all_interfaces():
        for entry in item.of_kind("error"):
            seen.setdefault(signature_text(entry), entry)
    return tuple(json.dumps(seen[k], sort_keys=True) for k in sorted(seen))


def all_errors() -> list[AbiEntry]:
    """Every published error, one entry per signature (for decoding reverts)."""
    return [json.loads(item) for item in _error_entries()]


def all_function_selectors() -> dict[bytes, list[str]]:
    """4-byte selector -> ["Interface.name(types)", ...] over every published function: what a
    selector guard checks the client's calls against."""
    table: dict[bytes, list[str]] = {}
    for item in all_interfaces():
        for sel, text in item.selectors().items():
            table.setdefault(sel, []).append(f"{item.name}.{text}")
    return table
