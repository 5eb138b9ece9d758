"""The trigger interface: what makes a guard act, as a registered class per trigger kind.

A trigger class reads its own options (`build`: the value of its `ion guard add` option and
`--to`, into a `TriggerSpec` and the guard's default `ActionSpec`) and, for one guard, turns what
it sees into `Firing`s: each names an **episode** (`Firing.episode`), and the engine acts at most
once per episode, ever (episodes are kept in the store: a restart never acts again for one).

- `clock = "block"`: `on_block(view, memory)` at each new chain head, `view` a `BlockView` (the
  guard's market and vault read at that block); position triggers (triggers_position.py).
- `clock = "epoch"`: `on_epoch(view, memory)` at each newly finalized epoch of the watch's
  beacon feed, `view` an `EpochView` (the beacon client, the finalized state it pinned, the
  watch context; `view.position()` reads the vault at the chain head when the trigger needs it);
  consensus-layer triggers.

`memory` is the trigger's own JSON-able dict for this guard, saved with the episodes after each
evaluation (atomically, in the store): what a trigger must remember between blocks and runs.
`arm(session)` gives its first value when the guard is added (a baseline; default {}).
`notify(memory, message)` leaves a line for the run to report without acting (a `guard_notice`
event, e.g. a false pending score that was checked and ignored); each is reported once.

Level triggers (`LevelTrigger`, e.g. --repay-below) fire when their condition starts to hold
and re-arm only once the vault has been beyond the trigger by `REARM_MARGIN` (2% of the trigger
level) at a block after the firing: their episodes are `<kind>#<n>`. Event triggers fire once
per event: their episode key names the event (`slashing:<lrt>:<epoch>:<validators>`); the same
key again is never acted on twice.

`still_holds(view)` is asked right before acting (on the block the action is built at): a
condition that no longer holds makes the episode moot, nothing is sent.

A trigger class registers itself with `@register`; `trigger_class(kind)` finds it. The modules
`ion_cli/flows/guard/triggers_*.py` and the package `ion_cli/flows/guard/consensus/` (if present)
are imported when a class is looked up: a new trigger is a new file there, nothing else names it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from ion_cli.errors import UsageError
from ion_cli.flows.figures import RAY

if TYPE_CHECKING:
    from ion_cli.beacon.client import BeaconClient
    from ion_cli.beacon.snapshot import StateRef
    from ion_cli.chain.market_state import MarketState, VaultState
    from ion_cli.flows.guard.model import ActionSpec, Guard, TriggerSpec
    from ion_cli.flows.session import Session
    from ion_cli.flows.watch.context import WatchContext

Clock = Literal["block", "epoch"]
REARM_MARGIN = RAY // 50  # 2% of the trigger level (documented in the README)


@dataclass(frozen=True)
class Firing:
    """A trigger fired: the episode it opens, why, and where it was seen."""

    guard_id: int
    episode: str
    reason: str
    block: int | None = None
    chain_time: int | None = None  # the block's timestamp (or the epoch's start)
    epoch: int | None = None
    figures: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class BlockView:
    """One guard's market and vault, read at one block."""

    guard: Guard
    market: MarketState
    vault: VaultState
    session: Session

    @property
    def block(self) -> int:
        return self.market.block

    @property
    def timestamp(self) -> int:
        return self.market.timestamp

    @property
    def health(self) -> int | None:
        """The Liquidation contract's health (RAY); None without debt or threshold."""
        from ion_cli import position_math as pm

        m, v = self.market, self.vault
        if m.liquidation_threshold is None:
            return None
        return pm.health(
            v.collateral, v.normalized_debt, m.rate, m.reserve_rate, m.liquidation_threshold
        )

    @property
    def leverage(self) -> int | None:
        from ion_cli import position_math as pm

        m, v = self.market, self.vault
        return pm.leverage(v.collateral, v.normalized_debt, m.rate, m.reserve_rate)

    @property
    def has_debt(self) -> bool:
        return self.vault.normalized_debt > 0


@dataclass(frozen=True)
class EpochView:
    """What a consensus-layer trigger sees at a newly finalized epoch."""

    guard: Guard
    client: BeaconClient
    ref: StateRef  # the finalized state the feed pinned (epoch, slot, state root)
    watch: WatchContext
    position: Callable[[], BlockView]  # the guard's vault read at the chain head (on demand)

    @property
    def epoch(self) -> int:
        return self.ref.epoch


class Trigger:
    """One trigger kind (see the module docstring)."""

    kind: ClassVar[str] = ""
    clock: ClassVar[Clock] = "block"
    option: ClassVar[str] = ""  # the `ion guard add` option that makes it ("--repay-below")

    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    @property
    def params(self) -> Mapping[str, str]:
        return self.guard.trigger.params

    @classmethod
    def build(cls, value: str, to: str | None) -> tuple[TriggerSpec, ActionSpec]:
        """The spec and default action from the option's value and --to (usage errors name
        the option)."""
        raise NotImplementedError

    def describe(self) -> str:
        return self.kind

    def arm(self, session: Session) -> dict[str, Any]:
        """The trigger's first memory, recorded when the guard is added (`ion guard add`): a
        baseline (e.g. the LRT's validators' balances now), so what happens between the add
        and the first run counts. Default: nothing (armed at the first evaluation)."""
        return {}

    def on_block(self, view: BlockView, memory: dict[str, Any]) -> list[Firing]:
        return []

    def on_epoch(self, view: EpochView, memory: dict[str, Any]) -> list[Firing]:
        return []

    def still_holds(self, view: BlockView) -> bool:
        return True

    @staticmethod
    def notify(memory: dict[str, Any], message: str) -> None:
        """Report `message` once (a `guard_notice` event), without acting."""
        memory.setdefault(NOTICES, []).append(str(message))


NOTICES = "_notices"  # the memory key the engine empties into guard_notice events


@dataclass(frozen=True)
class Level:
    """A level trigger's reading at one block: whether its condition holds, whether the vault
    is beyond the trigger by the re-arm margin, what was seen."""

    holds: bool
    beyond: bool
    reason: str
    figures: Mapping[str, str | None] = field(default_factory=dict)


class LevelTrigger(Trigger):
    """Fires when `measure` starts to hold; re-arms after a block beyond the margin."""

    def measure(self, view: BlockView) -> Level | None:
        """None: the trigger does not apply now (e.g. no debt): neither fires nor re-arms."""
        raise NotImplementedError

    def on_block(self, view: BlockView, memory: dict[str, Any]) -> list[Firing]:
        level = self.measure(view)
        if level is None:
            return []
        armed = bool(memory.get("armed", True))
        if armed and level.holds:
            count = int(memory.get("episode", 0)) + 1
            memory.update(armed=False, episode=count, fired_block=view.block)
            return [
                Firing(
                    guard_id=self.guard.id,
                    episode=f"{self.kind}#{count}",
                    reason=level.reason,
                    block=view.block,
                    chain_time=view.timestamp,
                    figures=dict(level.figures),
                )
            ]
        if not armed and level.beyond and view.block > int(memory.get("fired_block", -1)):
            memory["armed"] = True
        return []

    def still_holds(self, view: BlockView) -> bool:
        level = self.measure(view)
        return level is not None and level.holds


_REGISTERED: dict[str, type[Trigger]] = {}
T = TypeVar("T", bound=type[Trigger])


def register(cls: T) -> T:
    """Class decorator: the trigger kind `cls.kind` is made by `cls`."""
    if not cls.kind:
        raise TypeError(f"{cls.__qualname__}: a trigger needs a kind")
    known = _REGISTERED.get(cls.kind)
    if known is not None and known.__qualname__ != cls.__qualname__:
        raise TypeError(f"two guard triggers of kind {cls.kind!r}")
    _REGISTERED[cls.kind] = cls
    return cls


def registered() -> dict[str, type[Trigger]]:
    """Every trigger class by kind (the trigger modules are imported first)."""
    _load()
    return dict(sorted(_REGISTERED.items()))


def trigger_class(kind: str) -> type[Trigger]:
    known = registered()
    if kind not in known:
        raise UsageError(f"unknown guard trigger {kind!r} (one of {', '.join(known)})")
    return known[kind]


def make(guard: Guard) -> Trigger:
    return trigger_class(guard.trigger.kind)(guard)


_LOADED = False


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    from pathlib import Path

    # the package's folder, read without importing the package (its __init__ imports this)
    package = __name__.rpartition(".")[0]
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name.startswith("triggers_"):
            importlib.import_module(f"{package}.{module.name}")
        elif module.name == "consensus" and module.ispkg:
            sub = importlib.import_module(f"{package}.consensus")
            for inner in pkgutil.iter_modules(sub.__path__):
                if not inner.name.startswith("_"):
                    importlib.import_module(f"{sub.__name__}.{inner.name}")
    _LOADED = True
