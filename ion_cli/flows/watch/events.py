"""What the watch saw, as typed events: one frozen dataclass per kind.

Each kind is a subclass of `WatchEvent` with a class-level `kind` and `alert` (an alert is what
--exec runs for and --once counts) and its own fields. The JSON line of an event keeps the shape
the watch has always printed: `kind`, `alert`, `time`, `message` and the kind's fields, under
their JSON names (a field's `metadata={"json": NAME}` renames it, for keys that are Python
builtins). The watch's own kinds are here; a monitor's kinds live in the monitor's module, and
every subclass is listed in `EVENT_KINDS` as it is defined.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

# kind -> class, filled as each kind is defined (the watch's and every monitor's)
EVENT_KINDS: dict[str, type[WatchEvent]] = {}

# the fields every event has, before the kind's own
_COMMON = ("message", "time")


@dataclass(frozen=True, kw_only=True)
class WatchEvent:
    """One thing the watch saw (a base: every event is an instance of a kind's subclass)."""

    kind: ClassVar[str] = ""
    alert: ClassVar[bool] = False

    message: str
    time: int = field(default_factory=lambda: int(time.time()))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            if cls.kind in EVENT_KINDS and EVENT_KINDS[cls.kind].__qualname__ != cls.__qualname__:
                raise TypeError(f"two watch event classes of kind {cls.kind!r}")
            EVENT_KINDS[cls.kind] = cls

    @property
    def data(self) -> dict[str, Any]:
        """The kind's own fields under their JSON names."""
        return {
            f.metadata.get("json", f.name): getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in _COMMON
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "alert": self.alert,
            "time": self.time,
            "message": self.message,
            **self.data,
        }

    def environ(self) -> dict[str, str]:
        """The event for a child process: ION_EVENT (the JSON line) and a few plain fields."""
        env = {
            "ION_EVENT": json.dumps(self.to_json(), sort_keys=True),
            "ION_EVENT_KIND": self.kind,
            "ION_EVENT_ALERT": "1" if self.alert else "0",
            "ION_EVENT_MESSAGE": self.message,
        }
        data = self.data
        for name in ("lrt", "market", "address", "epoch", "block"):
            if data.get(name) is not None:
                env[f"ION_EVENT_{name.upper()}"] = str(data[name])
        return env


# ---- the watch's own kinds (its life cycle and its nodes) ----------------------------------------


@dataclass(frozen=True, kw_only=True)
class Started(WatchEvent):
    kind: ClassVar[str] = "started"

    lrts: list[str]
    markets: list[str]
    addresses: list[str]
    resumed_epoch: int | None
    state_file: str


@dataclass(frozen=True, kw_only=True)
class NodeFailed(WatchEvent):
    """A node failed; said once per outage (the part of the cycle is retried every cycle)."""

    kind: ClassVar[str] = "node_error"

    node: str
    error: str


@dataclass(frozen=True, kw_only=True)
class NodeRecovered(WatchEvent):
    kind: ClassVar[str] = "node_recovered"


@dataclass(frozen=True, kw_only=True)
class StateSetAside(WatchEvent):
    kind: ClassVar[str] = "state_set_aside"

    set_aside: str
    finalized_epoch: int


@dataclass(frozen=True, kw_only=True)
class EpochEvaluated(WatchEvent):
    kind: ClassVar[str] = "epoch"

    epoch: int
    slot: int
    state_root: str
