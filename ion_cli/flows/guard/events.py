"""What `ion guard run` reports, as typed events: one frozen class per kind, subclasses of the
watch's `WatchEvent` (so the same JSON line, `--exec` environment and EVENT_KINDS registry).

Alerts (what --exec runs for and `--once` exits 6 on): an action taken, refused, failed or given
up. Refusals name a `reason` code: `execution_behind`, `beacon_syncing`, `beacon_optimistic`,
`beacon_unavailable`, `nodes_disagree`, `price_moved`, `max_per_action`, `max_per_day`,
`cooldown`, `health_target`. A `guard_notice` is what a trigger saw and did not act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ion_cli.flows.watch.events import WatchEvent


@dataclass(frozen=True, kw_only=True)
class GuardRunStarted(WatchEvent):
    kind: ClassVar[str] = "guard_started"

    guards: list[int]
    dry_run: bool
    chain: str


@dataclass(frozen=True, kw_only=True)
class _GuardEvent(WatchEvent):
    guard: int
    market: str
    address: str
    episode: str
    block: int | None = None


@dataclass(frozen=True, kw_only=True)
class GuardFired(_GuardEvent):
    """A trigger fired: a new episode (acted on once, at most)."""

    kind: ClassVar[str] = "guard_fired"

    reason: str
    figures: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class GuardActed(_GuardEvent):
    kind: ClassVar[str] = "guard_acted"
    alert: ClassVar[bool] = True

    action: str
    amount: str | None  # base asset moved (debt repaid or added)
    plan_id: str | None
    tx_hashes: list[str]
    health_after: str | None
    finished: bool = False  # an earlier, interrupted run's plan was finished (or found done)


@dataclass(frozen=True, kw_only=True)
class GuardWouldAct(_GuardEvent):
    """--dry-run: the plan was built and simulated; nothing was sent or recorded."""

    kind: ClassVar[str] = "guard_dry_run"

    action: str
    amount: str | None
    health_after: str | None
    plan: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class GuardRefused(_GuardEvent):
    kind: ClassVar[str] = "guard_refused"
    alert: ClassVar[bool] = True

    reason: str
    retry_at: int | None = None  # chain time it is tried again (None: never, for this episode)


@dataclass(frozen=True, kw_only=True)
class GuardFailed(_GuardEvent):
    kind: ClassVar[str] = "guard_failed"
    alert: ClassVar[bool] = True

    error: str
    attempts: int
    retry_at: int | None


@dataclass(frozen=True, kw_only=True)
class GuardNotice(WatchEvent):
    """Something a trigger saw and did not act on (e.g. a false pending score, ignored)."""

    kind: ClassVar[str] = "guard_notice"

    guard: int
    market: str
    address: str


@dataclass(frozen=True, kw_only=True)
class GuardMoot(_GuardEvent):
    """The condition no longer held when the guard came to act: nothing sent."""

    kind: ClassVar[str] = "guard_moot"
