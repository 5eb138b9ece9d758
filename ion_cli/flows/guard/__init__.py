"""Guards: automatic protection of a vault (issue 26). A guard is a trigger, an action and
bounds, kept per chain identity and account; `ion guard run` evaluates every guard on each new
block (position triggers) and each newly finalized epoch (consensus-layer triggers) through the
watch's feeds, and acts once per episode with a plan built by the same flows as the commands,
simulated, checked against its bounds and sent under the transaction journal.

- `model.py`: Guard, TriggerSpec, ActionSpec, Bounds;
- `store.py`: the SQLite store (guards, trigger memory, episodes, history);
- `triggers.py`: the trigger interface and registry (a new trigger is a new `triggers_*.py`
  file, or a module of a `consensus/` subpackage); `triggers_position.py`: the position ones.
"""

from ion_cli.flows.guard.model import ActionSpec, Bounds, Guard, GuardSpec, TriggerSpec
from ion_cli.flows.guard.store import GuardStore
from ion_cli.flows.guard.triggers import (
    BlockView,
    EpochView,
    Firing,
    Level,
    LevelTrigger,
    Trigger,
    register,
    registered,
    trigger_class,
)

__all__ = [
    "ActionSpec",
    "BlockView",
    "Bounds",
    "EpochView",
    "Firing",
    "Guard",
    "GuardSpec",
    "GuardStore",
    "Level",
    "LevelTrigger",
    "Trigger",
    "TriggerSpec",
    "register",
    "registered",
    "trigger_class",
]
