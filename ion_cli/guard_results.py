"""The typed results of `ion guard` that are not events: a guard's episode (one firing of its
trigger and what became of it) and one line of its history. Frozen; JSON through
ion_cli.json_contract (`guard.history`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# What became of an episode (a firing of a guard's trigger):
# pending: fired, not acted yet (refused for stale data or a daily bound: tried again);
# acting: its plan is being sent under the journal (a killed run finishes it, never re-sends);
# done: acted; failed: the action failed, retried after a back-off; gave_up: failed too often;
# refused: the action is beyond a bound it can never pass (--max-per-action); moot: the
# condition no longer held when the guard came to act; dry_run: shown, nothing sent.
EPISODE_STATES = ("pending", "acting", "done", "failed", "gave_up", "refused", "moot", "dry_run")
OPEN_STATES = ("pending", "acting", "failed")


@dataclass(frozen=True)
class Episode:
    guard_id: int
    key: str  # the trigger's episode key ("repay_below#3", "slashing:weETH:1234:...")
    state: str
    fired_block: int | None = None
    fired_time: int | None = None  # chain time (block timestamp) of the firing
    attempts: int = 0
    retry_at: int = 0  # chain time before which it is not tried again (back-off, daily bound)
    amount: int | None = None  # WAD of base asset the action moves (planned, then done)
    acted_time: int | None = None  # chain time of the action (counts in the daily bound)
    intent: str = ""  # the journal intent its plan runs under (finish, never repeat)
    detail: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def open(self) -> bool:
        return self.state in OPEN_STATES

    def to_json(self) -> dict[str, Any]:
        from ion_cli.flows.figures import WAD, text

        return {
            "guard": self.guard_id,
            "episode": self.key,
            "state": self.state,
            "fired_block": self.fired_block,
            "fired_time": self.fired_time,
            "attempts": self.attempts,
            "retry_at": self.retry_at,
            "amount": text(self.amount, WAD),
            "acted_time": self.acted_time,
        }


@dataclass(frozen=True)
class HistoryEntry:
    """One thing a guard did or refused: `kind` is the event's kind (guard_acted,
    guard_refused, guard_failed, ...)."""

    seq: int
    guard_id: int
    episode: str
    kind: str
    message: str
    block: int | None = None
    chain_time: int | None = None
    amount: str | None = None  # base asset, decimal string
    plan_id: str | None = None
    tx_hashes: tuple[str, ...] = ()
    time: int = 0  # wall clock Unix seconds (when it was written)

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "guard": self.guard_id,
            "episode": self.episode,
            "kind": self.kind,
            "message": self.message,
            "block": self.block,
            "chain_time": self.chain_time,
            "amount": self.amount,
            "plan_id": self.plan_id,
            "tx_hashes": list(self.tx_hashes),
            "time": self.time,
        }
