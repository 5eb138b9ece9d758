"""The cycle loop shared by `ion watch` and `ion guard run`: cycle, stop after one (`--once`) or
`max_cycles`, else wait for the next block or epoch (the beacon event stream when there is one,
else the poll interval), and close whatever happens."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ion_cli.flows.watch.context import WatchContext
    from ion_cli.flows.watch.events import WatchEvent


class CycleConfig(Protocol):
    """What the loop reads of a run's configuration (WatchConfig, GuardRunConfig)."""

    @property
    def once(self) -> bool: ...
    @property
    def max_cycles(self) -> int | None: ...
    @property
    def interval(self) -> float: ...


def run_cycles(
    cycle: Callable[[], list[WatchEvent]],
    config: CycleConfig,
    wait: Callable[[], None],
    close: Callable[[], None],
) -> Iterator[WatchEvent]:
    cycles = 0
    try:
        while True:
            yield from cycle()
            cycles += 1
            if config.once or (config.max_cycles is not None and cycles >= config.max_cycles):
                return
            wait()
    finally:
        close()


def wait_between_cycles(
    config: CycleConfig, watch: WatchContext, sleep: Callable[[float], None] | None
) -> None:
    """`sleep` (tests pass one) for the interval, else the event stream's wait, else a sleep."""
    if sleep is not None:
        sleep(config.interval)
    elif watch.stream is not None:
        watch.stream.wait(config.interval)
    else:
        time.sleep(config.interval)
