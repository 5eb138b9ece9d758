"""The watch through `Ion`: an iterator of typed events (one frozen class per kind, see
ion_cli.flows.watch.events and each monitor's module; `EVENT_KINDS` lists them)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from ion_cli.api._core import IonCore

if TYPE_CHECKING:
    from ion_cli.flows.watch import WatchConfig, Watcher, WatchEvent, parse_duration

__all__ = ["WatchConfig", "WatchEvent", "Watcher", "Watching", "parse_duration"]


class Watching(IonCore):
    def watch(
        self,
        *,
        markets: Sequence[str] = (),
        addresses: Sequence[str] = (),
        lrts: Sequence[str] = (),
        restaking: Sequence[str] = (),
        min_health: Decimal = Decimal("1.2"),
        interval_s: float = 12.0,
        max_proof_age_s: int | None = 86_400,
        once: bool = False,
        beacon_urls: Sequence[str] = (),
        challenge: bool = False,
        trees: Sequence[str] = (),
    ) -> Iterator[WatchEvent]:
        """The events of a watch (slashings, balance drops, low health, liquidatable vaults,
        stale proofs, restaking changes, false risk submissions), as they come; `once` ends
        after one cycle. `challenge` sends the fraud proof of a false pending submission
        (its tree looked for in `trees`). Each event is an instance of its kind's frozen class
        (`event.kind`, `event.alert`)."""
        from ion_cli.flows.watch import WatchConfig

        config = WatchConfig(
            markets=tuple(markets),
            addresses=tuple(addresses),
            lrts=tuple(lrts),
            min_health=min_health,
            interval=interval_s,
            max_proof_age=max_proof_age_s,
            once=once,
            beacon_urls=tuple(beacon_urls),
            restaking=tuple(restaking),
            challenge=challenge,
            trees=tuple(trees),
        )
        return self.watcher(config).run()

    def watcher(self, config: WatchConfig) -> Watcher:
        """The watch itself (its state and outage flag beside the events: the CLI's status
        line)."""
        from ion_cli.flows.watch import Watcher

        return Watcher(self.session, config)


def __getattr__(name: str) -> object:
    """The watch's configuration types, for callers of `Ion.watcher` (loaded on use)."""
    if name in ("WatchConfig", "WatchEvent", "Watcher", "parse_duration"):
        from ion_cli.flows import watch

        return getattr(watch, name)
    raise AttributeError(name)
