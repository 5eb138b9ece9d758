"""The watch's loop: build the monitors the configuration asks for, run a cycle, wait, again.

Each cycle runs the beacon feed (the epoch monitors), the chain feed (the block monitors) and
the monitors that keep their own cycle, each part guarded: a node that fails is reported once
(`node_error`), its part's state changes are rolled back (an alert never counts as given unless
it was yielded), it is retried every cycle and reported again when it answers
(`node_recovered`): never fatal. The state is saved after each cycle. The beacon node's event
stream wakes the loop when the node offers it; otherwise it polls every --interval.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from ion_cli.errors import IonError
from ion_cli.flows.session import Session
from ion_cli.flows.watch.config import WatchConfig
from ion_cli.flows.watch.context import WatchContext
from ion_cli.flows.watch.events import NodeFailed, NodeRecovered, Started, WatchEvent
from ion_cli.flows.watch.feeds import BeaconFeed, ChainFeed
from ion_cli.flows.watch.loop import run_cycles, wait_between_cycles
from ion_cli.flows.watch.monitor import BlockMonitor, EpochMonitor, Monitor, registered
from ion_cli.flows.watch.state import WatchState, save_state


class Watcher:
    def __init__(
        self,
        session: Session,
        config: WatchConfig,
        *,
        path: Path | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.watch = WatchContext.open(session, config, path)
        self.sleep = sleep
        self.down: dict[str, str] = {}  # node -> the error last reported
        self.monitors = [cls(self.watch) for cls in registered() if cls.wanted(self.watch)]
        epochs = [m for m in self.monitors if isinstance(m, EpochMonitor)]
        blocks = [m for m in self.monitors if isinstance(m, BlockMonitor)]
        self.parts: list[Monitor] = [
            *([BeaconFeed(self.watch, epochs)] if epochs else []),
            *([ChainFeed(self.watch, blocks)] if blocks else []),
            *(m for m in self.monitors if not isinstance(m, EpochMonitor | BlockMonitor)),
        ]

    @classmethod
    def of(cls, watch: WatchContext, sleep: Callable[[float], None] | None = None) -> Watcher:
        """A watcher over a context built by hand (tests)."""
        watcher = cls.__new__(cls)
        watcher.watch = watch
        watcher.sleep = sleep
        watcher.down = {}
        watcher.monitors = []
        watcher.parts = []
        return watcher

    @property
    def config(self) -> WatchConfig:
        return self.watch.config

    @property
    def state(self) -> WatchState:
        return self.watch.state

    @property
    def path(self) -> Path:
        return self.watch.path

    @property
    def outage(self) -> bool:
        return bool(self.down)

    def run(self) -> Iterator[WatchEvent]:
        watch = self.watch
        what = [d for d in (m.describe() for m in self.monitors) if d]
        yield Started(
            message="watching " + ("; ".join(what) or "nothing"),
            lrts=watch.lrts,
            markets=watch.markets,
            addresses=watch.addresses,
            resumed_epoch=watch.state.last_epoch if watch.state.last_epoch >= 0 else None,
            state_file=str(watch.path),
        )
        yield from run_cycles(self.cycle, self.config, self._wait, self.close)

    def close(self) -> None:
        for monitor in self.monitors:
            monitor.close()
        self.watch.close()

    def _wait(self) -> None:
        wait_between_cycles(self.config, self.watch, self.sleep)

    def cycle(self) -> list[WatchEvent]:
        events: list[WatchEvent] = []
        for part in self.parts:
            events += self.guard(part.node, part.check)
        with contextlib.suppress(OSError):
            save_state(self.watch.path, self.watch.state)
        return events

    def guard(self, node: str, work: Callable[[], list[WatchEvent]]) -> list[WatchEvent]:
        """Run one part of a cycle; when it fails, its state changes are rolled back (an alert
        never counts as given unless it was yielded) and the outage is reported once."""
        before = self.watch.state.copy()
        try:
            events = work()
        except IonError as exc:
            self.watch.state = before
            message = " ".join(exc.message.split())
            if node in self.down:
                self.down[node] = message
                return []  # reported already; retried every cycle
            self.down[node] = message
            return [
                NodeFailed(
                    message=f"the {node} failed: {message} "
                    f"(retrying every {self.config.interval:g} s)",
                    node=node,
                    error=message,
                )
            ]
        if node in self.down:
            del self.down[node]
            events.insert(0, NodeRecovered(message=f"the {node} answers again"))
        return events


def watch(
    session: Session, config: WatchConfig, *, path: Path | None = None
) -> Iterator[WatchEvent]:
    """The events of a watch (see the package docstring); ends after one cycle with `once`."""
    return Watcher(session, config, path=path).run()
