"""`ion watch`: consensus-layer, position and restaking monitoring, as a stream of typed events.

`watch(session, config)` yields `WatchEvent`s (one frozen dataclass per kind, `events.py` and
each monitor's module); the command renders them (a live view for people, one JSON line per
event with --json) and runs --exec per alert. The package:

- `config.py`: what is watched (`WatchConfig`) and the option durations;
- `state.py`: what the watch has seen, kept between runs in the user state dir;
- `context.py`: what the monitors of one watch share (resolved names, state, beacon client);
- `monitor.py`: the monitor shapes and their registry;
- `feeds.py`: the two clocks (the finalized epoch, the chain head) the monitors run on;
- `watcher.py`: the loop, each part guarded so a failing node is reported, never fatal;
- `monitors/`: one concern a module (validator sets, reserve rate, health, liquidatable
  vaults, proof age, credential set, restaking); a new monitor is a new file there.

The beacon node's event stream that wakes the loop is I/O: `ion_cli.beacon.event_stream`.
"""

from ion_cli.flows.watch.config import EXIT_ALERT, WatchConfig, parse_duration
from ion_cli.flows.watch.events import WatchEvent
from ion_cli.flows.watch.watcher import Watcher, watch

__all__ = ["EXIT_ALERT", "WatchConfig", "WatchEvent", "Watcher", "parse_duration", "watch"]
