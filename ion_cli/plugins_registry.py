"""Finding the per-token adapters: entry points in the group `ion.adapters`.

Listing reads package metadata only (name, distribution, version) and never imports an adapter,
so `ion --help` and TAB completion stay fast however many plugins are installed. Loading imports
one adapter when a command needs it. A plugin that fails to import, lacks part of the API or
declares another API version is reported once on stderr and skipped; the rest keeps working.
`ION_ADAPTERS=weeth,ezeth` limits both listing and loading (empty: no adapters at all).
Nothing is cached on disk.

A market's canonical spelling comes from its entry-point name, which an adapter writes as its
symbol (`myETH = "my_adapter:adapter"`); matching is case-insensitive. An all-lower-case name
(older plugins) is spelt as the loaded adapter's own `symbol`. v1 adapters load through the
shim of ion_cli.adapter_api.shim (DeprecationWarning).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from ion_cli.adapters import (
    API_VERSION,
    ENTRY_POINT_GROUP,
    SUPPORTED_VERSIONS,
    ContractFiles,
    LrtAdapter,
    missing_members,
)
from ion_cli.errors import IonError, UsageError
from ion_cli.plugin_metadata import (  # re-exported: the registry's public names
    ENV_VAR as ENV_VAR,
)
from ion_cli.plugin_metadata import (
    _Dist as _Dist,
)
from ion_cli.plugin_metadata import (
    _dist_folders as _dist_folders,
)
from ion_cli.plugin_metadata import (
    _dist_of as _dist_of,
)
from ion_cli.plugin_metadata import (
    _entry_points_in as _entry_points_in,
)
from ion_cli.plugin_metadata import (
    _EntryPoint as _EntryPoint,
)
from ion_cli.plugin_metadata import (
    enabled_names as enabled_names,
)
from ion_cli.plugin_metadata import (
    fast_entry_point_names as fast_entry_point_names,
)
from ion_cli.plugin_metadata import (
    fast_market_symbols as fast_market_symbols,
)
from ion_cli.plugin_metadata import (
    scanned_entry_points as scanned_entry_points,
)

if TYPE_CHECKING:
    # Imported lazily at run time: it costs about 55 ms (see fast_entry_point_names).
    from importlib import metadata


class PluginError(IonError):
    """An adapter could not be loaded or is not usable."""


@dataclass(frozen=True)
class PluginInfo:
    """What the metadata says about one adapter, before anything is imported."""

    name: str  # the entry-point name, lower-cased: the key markets are matched by
    value: str  # "module:attribute"
    distribution: str | None
    version: str | None
    # the entry-point name as written: the symbol, in newer plugins
    spelling: str = field(default="", compare=False)

    @property
    def module(self) -> str:
        return self.value.split(":", 1)[0].strip()


@dataclass(frozen=True)
class LoadResult:
    info: PluginInfo
    adapter: LrtAdapter | None
    error: str | None

    @property
    def status(self) -> str:
        return "ok" if self.error is None else f"error: {self.error}"

    @property
    def api_version(self) -> int | None:
        # the version the adapter declares: a v1 adapter served through the shim still says 1
        declared = getattr(self.adapter, "unwrap", self.adapter)
        version = getattr(declared, "api_version", None) if self.adapter else None
        return version if isinstance(version, int) else None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _stderr_warning(message: str) -> None:
    sys.stderr.write(f"warning: {message}\n")
    sys.stderr.flush()


EntryPointSource = Callable[[], Iterable["metadata.EntryPoint"]]


_scanned_entry_points = scanned_entry_points  # the name tests and older callers use


def _installed_entry_points() -> Iterable[metadata.EntryPoint]:
    """The `ion.adapters` entry points of the distributions on sys.path, read straight from
    their `entry_points.txt` and `METADATA` files: importing importlib.metadata (email,
    zipfile, csv) cost more than a write's own work. Zipped eggs and other exotic installs
    fall back to importlib.metadata."""
    scanned = scanned_entry_points()
    if scanned is not None:
        return cast("Iterable[metadata.EntryPoint]", scanned)
    from importlib import metadata

    return metadata.entry_points(group=ENTRY_POINT_GROUP)


@dataclass
class Registry:
    """Discovery and loading with per-process memory of what was loaded and what was reported.

    `source` and `warn` are injectable so tests can register fake plugins without touching the
    interpreter's metadata.
    """

    source: EntryPointSource = _installed_entry_points
    warn: Callable[[str], None] = _stderr_warning
    _warned: set[str] = field(default_factory=set)
    _results: dict[str, LoadResult] = field(default_factory=dict)
    _entry_points: dict[str, metadata.EntryPoint] = field(default_factory=dict)
    # The scan of installed metadata, read once per registry (a dry run asked 7 times: 700
    # files opened); `reset()` (a new registry) reads again.
    _scanned: list[metadata.EntryPoint] | None = None

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.warn(message)

    def discover(self) -> list[PluginInfo]:
        """Adapters named by installed metadata (filtered by ION_ADAPTERS), sorted by name."""
        allowed = enabled_names()
        found: dict[str, tuple[PluginInfo, Any]] = {}
        if self._scanned is None:
            self._scanned = list(self.source())
        for ep in self._scanned:
            name = ep.name.strip().lower()
            if allowed is not None and name not in allowed:
                continue
            dist = getattr(ep, "dist", None)
            info = PluginInfo(
                name=name,
                value=ep.value,
                distribution=dist.name if dist is not None else None,
                version=dist.version if dist is not None else None,
                spelling=ep.name.strip(),
            )
            if name in found:
                first = found[name][0]
                # The same distribution seen twice on sys.path is harmless; two providers are not.
                if (first.distribution, first.value) != (info.distribution, info.value):
                    self._warn_once(
                        f"dup:{name}:{info.distribution}",
                        f"adapter '{name}' from {info.distribution} ignored: "
                        f"{first.distribution} already provides it",
                    )
                continue
            found[name] = (info, ep)
        self._entry_points = {n: ep for n, (_, ep) in found.items()}
        return sorted((info for info, _ in found.values()), key=lambda i: i.name)

    def _load(self, info: PluginInfo) -> LoadResult:
        cached = self._results.get(info.name)
        if cached is not None:
            return cached
        ep = self._entry_points.get(info.name)
        if ep is None:
            from importlib import metadata

            ep = metadata.EntryPoint(name=info.name, value=info.value, group=ENTRY_POINT_GROUP)
        try:
            obj = ep.load()
            if isinstance(obj, type):  # a class: the adapter is its instance
                obj = obj()
            error = _validate(obj)
            if error is None and getattr(obj, "api_version", None) == 1:
                from ion_cli.adapter_api.shim import from_v1

                obj = from_v1(obj, info.name)
        except Exception as exc:  # a plugin's bug must not become ours
            obj, error = None, f"import failed: {type(exc).__name__}: {_one_line(str(exc))}"
        result = LoadResult(info, None if error else cast(LrtAdapter, obj), error)
        self._results[info.name] = result
        return result

    def load_results(self) -> list[LoadResult]:
        """Load every enabled adapter; broken ones carry their error (no warning printed)."""
        return [self._load(info) for info in self.discover()]

    def adapters(self) -> dict[str, LrtAdapter]:
        """Every usable adapter by entry-point name; each broken one is warned about once."""
        usable: dict[str, LrtAdapter] = {}
        for result in self.load_results():
            if result.adapter is not None:
                usable[result.info.name] = result.adapter
            else:
                self._warn_once(
                    f"load:{result.info.name}",
                    f"adapter '{result.info.name}' skipped: {result.error}",
                )
        return usable

    def load(self, name: str) -> LrtAdapter:
        """Import one adapter by entry-point name or symbol (case-insensitive)."""
        key = name.strip().lower()
        infos = {i.name: i for i in self.discover()}
        info = infos.get(key)
        if info is None:
            known = ", ".join(self.symbol(n) for n in infos) or "none installed"
            raise UsageError(f"unknown market {name!r} (adapters: {known})")
        result = self._load(info)
        if result.adapter is None:
            raise PluginError(f"adapter '{key}' is broken: {result.error}")
        return result.adapter

    def symbol(self, name: str) -> str:
        """Canonical symbol for an entry-point name, without importing: the loaded adapter's own
        symbol, else the entry point's spelling when it is not all lower case, else `name`."""
        key = name.lower()
        loaded = self._results.get(key)
        if loaded is not None and loaded.adapter is not None:
            return str(loaded.adapter.symbol)
        if not self._entry_points:
            self.discover()
        ep = self._entry_points.get(key)
        spelling = str(getattr(ep, "name", "")).strip()
        return spelling if spelling and spelling != spelling.lower() else name

    def contract_files(self) -> list[tuple[str, ContractFiles]]:
        """(symbol, ContractFiles) of every usable adapter that ships contracts of its own."""
        found = []
        for adapter in self.adapters().values():
            files = getattr(adapter, "contracts", None)
            if isinstance(files, ContractFiles):
                found.append((str(adapter.symbol), files))
        return found

    def market_symbols(self) -> list[str]:
        """The MARKET values the core accepts, from metadata only."""
        return [self.symbol(info.name) for info in self.discover()]


def _validate(obj: object) -> str | None:
    """Why `obj` cannot serve as an adapter of this API version, or None if it can."""
    version = getattr(obj, "api_version", None)
    if version not in SUPPORTED_VERSIONS:
        known = " and ".join(str(v) for v in sorted(SUPPORTED_VERSIONS))
        return f"declares API version {version!r}, ion speaks {known} ({API_VERSION} is current)"
    missing = missing_members(obj, int(version or API_VERSION))
    if missing:
        return f"incomplete adapter: missing {', '.join(missing)}"
    return None


def offline_problems(name: str, adapter: LrtAdapter) -> list[str]:
    """Cheap checks with no chain: declarations, mainnet addresses checksummed, withdrawal info.

    Used by `ion plugins check` and the conformance kit. Checksums come from ion_cli.addresses.
    """
    from ion_cli.adapters import AdapterContext, TokenAddresses, WithdrawalInfo

    problems: list[str] = []
    symbol = getattr(adapter, "symbol", None)
    if not isinstance(symbol, str) or not symbol:
        problems.append("symbol must be a non-empty string")
    elif symbol.lower() != name.lower():
        problems.append(f"symbol {symbol!r} does not match the entry-point name {name!r}")
    if not isinstance(getattr(adapter, "name", None), str) or not adapter.name:
        problems.append("name must be a non-empty string")
    decimals = getattr(adapter, "decimals", None)
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 77:
        problems.append(f"decimals must be an int in 0..77, got {decimals!r}")
    try:
        addrs = adapter.addresses(AdapterContext.offline())
    except Exception as exc:
        problems.append(f"addresses(mainnet) failed: {type(exc).__name__}: {_one_line(str(exc))}")
    else:
        if not isinstance(addrs, TokenAddresses):
            problems.append("addresses() must return TokenAddresses")
        else:
            problems += _address_problems(addrs)
    try:
        if not isinstance(adapter.withdrawal(), WithdrawalInfo):
            problems.append("withdrawal() must return WithdrawalInfo")
    except Exception as exc:
        problems.append(f"withdrawal() failed: {type(exc).__name__}: {_one_line(str(exc))}")
    from ion_cli.adapter_api.checks import fact_problems

    return problems + fact_problems(adapter)


def _address_problems(addrs: Any) -> list[str]:
    from ion_cli.addresses import is_checksummed

    problems: list[str] = []
    entries = [("token", addrs.token), *addrs.contracts.items()]
    for key, address in entries:
        if address is None:
            if key not in addrs.unsure:
                problems.append(f"mainnet {key} address missing and not marked unsure")
        elif not is_checksummed(address):
            problems.append(f"mainnet {key} address {address} is not checksummed")
    unknown = set(addrs.unsure) - {key for key, _ in entries}
    if unknown:
        problems.append(f"unsure names unknown fields: {', '.join(sorted(unknown))}")
    return problems


_default: Registry | None = None


def registry() -> Registry:
    """The process-wide registry (one per process so each broken plugin is reported once)."""
    global _default
    if _default is None:
        _default = Registry()
    return _default


def reset() -> None:
    """Forget what was loaded and reported (tests that register fake plugins call this)."""
    global _default
    _default = None


def discover() -> list[PluginInfo]:
    return registry().discover()


def load(name: str) -> LrtAdapter:
    return registry().load(name)


def adapters() -> dict[str, LrtAdapter]:
    return registry().adapters()


def market_symbol(name: str) -> str:
    return registry().symbol(name)


def installed_adapter(name: str) -> LrtAdapter | None:
    """The usable adapter of market `name`, or None (not installed, not enabled, or broken:
    reported once by `adapters()`)."""
    return registry().adapters().get(name.strip().lower())


def contract_files() -> list[tuple[str, ContractFiles]]:
    return registry().contract_files()
