"""Compiled contract artifacts shipped as package data (ion_cli/devnet/artifacts/*.json).

`ion devnet` must work from an installed package without a compiler, so the ABIs and bytecode
are generated once by `python -m ion_cli.devnet.build_artifacts` and checked in (a test fails
when they drift from the Solidity sources).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from ion_cli.abi.signature import canonical_type as canonical_type
from ion_cli.abi.signature import signature_text
from ion_cli.chain.revert import register_error_source
from ion_cli.errors import IonError

ARTIFACTS_PACKAGE = "ion_cli.devnet"
ARTIFACTS_DIR = "artifacts"
SOURCES_INDEX = "_sources.json"  # every .sol file's sha256 at build time (drift check)


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: str  # "0x..." creation code; "0x" for interfaces and abstract contracts
    source_path: str
    source_hash: str

    @property
    def deployable(self) -> bool:
        return len(self.bytecode) > 2


def artifacts_root() -> Traversable:
    return resources.files(ARTIFACTS_PACKAGE) / ARTIFACTS_DIR


def plugin_roots() -> list[Any]:
    """The artifacts dirs of the installed adapters (`<package>/artifacts`, API v2): a token's
    stand-ins, handler and reserve-oracle variants travel with its plugin."""
    from ion_cli.plugin_metadata import plugin_dirs

    return plugin_dirs("artifacts")


def _read(name: str) -> dict[str, Any]:
    entry = artifacts_root() / f"{name}.json"
    if not entry.is_file():
        entry = next(
            (r / f"{name}.json" for r in plugin_roots() if (r / f"{name}.json").is_file()), entry
        )
    if not entry.is_file():
        raise IonError(
            f"no compiled artifact for {name}: run `python -m ion_cli.devnet.build_artifacts`"
        )
    data: dict[str, Any] = json.loads(entry.read_text())
    return data


@functools.cache
def load_artifact(name: str) -> Artifact:
    data = _read(name)
    return Artifact(
        name=data["contractName"],
        abi=data["abi"],
        bytecode=data["bytecode"],
        source_path=data["sourcePath"],
        source_hash=data["sourceHash"],
    )


@functools.cache
def artifact_names() -> tuple[str, ...]:
    names = [
        entry.name.removesuffix(".json")
        for entry in artifacts_root().iterdir()
        if entry.name.endswith(".json") and not entry.name.startswith("_")
    ]
    return tuple(sorted(names))


def all_artifacts() -> list[Artifact]:
    return [load_artifact(name) for name in artifact_names()]


def source_index() -> dict[str, str]:
    """{source path relative to the repo root: sha256} of every contract source at build time."""
    entry = artifacts_root() / SOURCES_INDEX
    if not entry.is_file():
        return {}
    data: dict[str, str] = json.loads(entry.read_text())
    return data


def signature(item: dict[str, Any]) -> str:
    """`name(type,...)` of an ABI function, event or error entry."""
    return signature_text(item)


@functools.cache
def _error_abis() -> tuple[str, ...]:
    seen: dict[str, dict[str, Any]] = {}
    for artifact in all_artifacts():
        for item in artifact.abi:
            if item.get("type") == "error":
                seen.setdefault(signature_text(item), item)
    return tuple(json.dumps(seen[k], sort_keys=True) for k in sorted(seen))


def all_error_abis() -> list[dict[str, Any]]:
    """Every custom error of every contract, one entry per signature, for revert decoding."""
    return [json.loads(item) for item in _error_abis()]


# Reverts of the devnet's own contracts (stand-ins included) decode by name while the devnet
# package is in use; chain/revert.py itself reads only the published interfaces.
register_error_source(all_error_abis)
