"""What the installed plugins' metadata says, read without importing a plugin (standard library
only): the `ion.adapters` entry points, ION_ADAPTERS, and the package data a plugin ships by
convention next to its adapter (`<package>/abi`: published interfaces; `<package>/artifacts`:
compiled contracts). A leaf module: the ABI loader and the devnet's artifact loader find the
plugins' files here without depending on the adapter API.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

ENTRY_POINT_GROUP = "ion.adapters"
ENV_VAR = "ION_ADAPTERS"


def enabled_names(environ: dict[str, str] | None = None) -> set[str] | None:
    """The names ION_ADAPTERS allows (lower-cased), or None when it is not set."""
    raw = (environ if environ is not None else os.environ).get(ENV_VAR)
    if raw is None:
        return None
    return {part.strip().lower() for part in raw.split(",") if part.strip()}


@dataclass(frozen=True)
class _Dist:
    name: str
    version: str


@dataclass(frozen=True)
class _EntryPoint:
    """What the registry uses of an importlib.metadata.EntryPoint."""

    name: str
    value: str
    dist: _Dist | None

    def load(self) -> Any:
        import importlib

        module, _, attrs = self.value.partition(":")
        obj: Any = importlib.import_module(module.strip())
        for attr in filter(None, attrs.strip().split(".")):
            obj = getattr(obj, attr)
        return obj


def scanned_entry_points() -> list[_EntryPoint] | None:
    """None when sys.path holds something a directory scan cannot read (a zip)."""
    found: list[_EntryPoint] = []
    for entry in sys.path:
        if entry.endswith((".zip", ".egg", ".whl")) and os.path.isfile(entry):
            return None
        for dist in _dist_folders(entry):
            points = _entry_points_in(os.path.join(dist, "entry_points.txt"))
            if not points:
                continue
            meta = _dist_of(dist)
            found.extend(_EntryPoint(name, value, meta) for name, value in points)
    return found


def _dist_folders(entry: str) -> list[str]:
    """The .dist-info / .egg-info folders of one sys.path entry (none if it cannot be listed)."""
    try:
        with os.scandir(entry or ".") as listing:
            return [d.path for d in listing if d.name.endswith((".dist-info", ".egg-info"))]
    except OSError:
        return []


def _entry_points_in(path: str) -> list[tuple[str, str]]:
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    points: list[tuple[str, str]] = []
    in_group = False
    for raw in lines:
        line = raw.strip()
        if line.startswith("["):
            in_group = line == f"[{ENTRY_POINT_GROUP}]"
        elif in_group and "=" in line and not line.startswith(("#", ";")):
            name, value = line.split("=", 1)
            points.append((name.strip(), value.strip()))
    return points


def _dist_of(folder: str) -> _Dist | None:
    fields: dict[str, str] = {}
    for file in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(folder, file), encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        break  # the headers end at the first blank line
                    key, _, value = line.partition(":")
                    if key in ("Name", "Version"):
                        fields.setdefault(key, value.strip())
        except OSError:
            continue
        break
    if "Name" not in fields:
        return None
    return _Dist(fields["Name"], fields.get("Version", ""))


def fast_market_symbols(paths: Iterable[str] | None = None) -> list[str]:
    """The markets' spellings as the entry points write them (see `fast_entry_point_names`)."""
    allowed = enabled_names()
    found: dict[str, str] = {}
    for entry in sys.path if paths is None else paths:
        for dist in _dist_folders(entry):
            for name, _ in _entry_points_in(os.path.join(dist, "entry_points.txt")):
                if found.get(name.lower(), name.lower()) == name.lower():
                    found[name.lower()] = name  # a spelt symbol over an all-lower-case name
    return sorted(v for k, v in found.items() if allowed is None or k in allowed)


def fast_entry_point_names(paths: Iterable[str] | None = None) -> list[str]:
    """Entry-point names of `ion.adapters`, read straight from the `entry_points.txt` files of
    the distributions on sys.path, filtered by ION_ADAPTERS.

    For TAB completion only: importing importlib.metadata costs about 55 ms (email, zipfile,
    csv...), a third of the completion budget, while this scan costs a few. Zipped eggs and
    other exotic installs are not seen here; `Registry.discover` remains the reference.
    """
    allowed = enabled_names()
    names: set[str] = set()
    for entry in sys.path if paths is None else paths:
        for dist in _dist_folders(entry):
            points = _entry_points_in(os.path.join(dist, "entry_points.txt"))
            names.update(name.lower() for name, _ in points)
    if allowed is not None:
        names &= allowed
    return sorted(names)


def plugin_dirs(kind: str) -> list[Any]:
    """`<package>/<kind>` of every enabled adapter's top-level package that has one (`abi`,
    `artifacts`), by the entry points' values; the packages are located, not imported."""
    import importlib.util
    from pathlib import Path

    allowed = enabled_names()
    found: list[Any] = []
    for point in scanned_entry_points() or []:
        if allowed is not None and point.name.strip().lower() not in allowed:
            continue
        package = point.value.split(":", 1)[0].strip().split(".", 1)[0]
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            continue
        for location in (spec.submodule_search_locations or []) if spec else []:
            folder = Path(location) / kind
            if folder.is_dir() and folder not in found:
                found.append(folder)
    return found
