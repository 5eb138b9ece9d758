"""The watch's monitors: one concern each, registered, found by the watcher.

A monitor has one of three shapes:
- `EpochMonitor`: called at each newly finalized epoch the beacon feed evaluates (`on_epoch`);
- `BlockMonitor`: called at each new chain head, with the watched markets read at that block
  (`on_market` for each market, then `on_block` with all of them);
- `Monitor` itself: runs its own cycle (`check`), e.g. one following a range of logs.

A monitor class is registered with `@register`. The watcher imports every module of
`ion_cli.flows.watch.monitors` before it builds its monitors, so a new monitor is a new file
there: nothing else names it. `wanted` says whether this watch's configuration asks for it;
`order` places its events (and its part of the "started" line) among the others'.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, ClassVar, TypeVar

if TYPE_CHECKING:
    from ion_cli.beacon.client import BeaconClient
    from ion_cli.beacon.snapshot import StateRef
    from ion_cli.chain.market_state import MarketState
    from ion_cli.flows.watch.context import WatchContext
    from ion_cli.flows.watch.events import WatchEvent

BEACON_NODE = "beacon node"
CHAIN_NODE = "chain node"


class Monitor:
    name: ClassVar[str] = ""
    order: ClassVar[int] = 100
    node: ClassVar[str] = CHAIN_NODE  # the node it reads: whose outage its failure is

    def __init__(self, watch: WatchContext) -> None:
        self.watch = watch

    @classmethod
    def wanted(cls, watch: WatchContext) -> bool:
        return True

    def describe(self) -> str | None:
        """What it watches, for the "started" line (None: nothing worth a mention)."""
        return None

    def check(self) -> list[WatchEvent]:
        """One cycle of a monitor that runs its own (the feeds call the other shapes)."""
        raise NotImplementedError

    def close(self) -> None:
        return None


class EpochMonitor(Monitor):
    node: ClassVar[str] = BEACON_NODE

    def on_epoch(self, client: BeaconClient, ref: StateRef) -> list[WatchEvent]:
        raise NotImplementedError


class BlockMonitor(Monitor):
    def on_market(self, market: MarketState) -> list[WatchEvent]:
        return []

    def on_block(self, markets: list[MarketState]) -> list[WatchEvent]:
        return []

    def reset(self) -> None:
        """The chain is another one (its genesis changed): forget what was seen on the old."""
        return None


_REGISTERED: dict[str, type[Monitor]] = {}
M = TypeVar("M", bound=type[Monitor])


def register(cls: M) -> M:
    """Class decorator: the watcher builds this monitor when its configuration wants it."""
    if not cls.name:
        raise TypeError(f"{cls.__qualname__}: a monitor needs a name")
    known = _REGISTERED.get(cls.name)
    if known is not None and known.__qualname__ != cls.__qualname__:
        raise TypeError(f"two watch monitors named {cls.name!r}")
    _REGISTERED[cls.name] = cls
    return cls


def registered() -> list[type[Monitor]]:
    """Every monitor class, in `order` (the monitors package's modules are imported first)."""
    from ion_cli.flows.watch import monitors

    for module in pkgutil.iter_modules(monitors.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{monitors.__name__}.{module.name}")
    return sorted(_REGISTERED.values(), key=lambda cls: (cls.order, cls.name))
