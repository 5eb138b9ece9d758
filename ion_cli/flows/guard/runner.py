"""`ion guard run`: the account's guards, evaluated through the watch's feeds and acted on.

Each cycle first re-reads the account's guards (one added or removed by `ion guard add` or
`remove` while the run goes on counts from that cycle), then runs, each part guarded as in the
watch (a failing node is reported once as `node_error`, retried every cycle, never fatal):
1. the watch's beacon feed, when a guard has a consensus-layer trigger: at each newly finalized
   epoch, `GuardEpochMonitor` hands every such trigger an `EpochView`;
2. the watch's chain feed: at each new head, `GuardBlockMonitor` hands every position trigger a
   `BlockView` of its vault;
3. `GuardActions`: every open episode (new, refused, backing off, or left `acting` by a killed
   run) is acted on (act.py), new block or not: a restart finishes what a kill interrupted.

A firing opens an episode in the store (with the trigger's memory, in one transaction); an
episode key seen before is never opened again. The watch's own state (last epoch and block) is
kept in `<state>/guard/`, one file per chain identity and account. `--dry-run` works on a copy
of the store in memory and keeps no state: what it shows leaves no trace, so a later real run
acts as if it had not run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ion_cli.errors import IonError
from ion_cli.flows.guard.act import Acting, act, read_view
from ion_cli.flows.guard.events import GuardFired, GuardNotice, GuardRunStarted
from ion_cli.flows.guard.model import Guard
from ion_cli.flows.guard.store import GuardStore
from ion_cli.flows.guard.triggers import (
    NOTICES,
    BlockView,
    EpochView,
    Firing,
    Trigger,
    make,
)
from ion_cli.flows.watch.config import WatchConfig
from ion_cli.flows.watch.context import WatchContext
from ion_cli.flows.watch.events import WatchEvent
from ion_cli.flows.watch.feeds import BeaconFeed, ChainFeed
from ion_cli.flows.watch.loop import run_cycles, wait_between_cycles
from ion_cli.flows.watch.monitor import BlockMonitor, EpochMonitor, Monitor
from ion_cli.flows.watch.state import save_state
from ion_cli.flows.watch.watcher import Watcher
from ion_cli.guard_results import Episode

if TYPE_CHECKING:
    from ion_cli.beacon.client import BeaconClient
    from ion_cli.beacon.snapshot import StateRef
    from ion_cli.chain.market_state import MarketState
    from ion_cli.flows.session import Session
    from ion_cli.flows.writes import WriteOptions


@dataclass(frozen=True)
class GuardRunConfig:
    once: bool = False
    interval: float = 12.0
    beacon_urls: tuple[str, ...] = ()
    cross_check: tuple[str, ...] = ()  # other execution nodes' RPC URLs
    max_cycles: int | None = None  # stop after this many cycles (scripts, benchmarks)
    use_events: bool = True  # wake on the beacon node's event stream when it offers one
    guard_ids: tuple[int, ...] = ()  # only these guards (default: all of the account's)


class _Guarded:
    """The guards of this run, their triggers and the store, shared by the three parts."""

    def __init__(self, store: GuardStore, guards: list[Guard], acting: Acting) -> None:
        self.store = store
        self.acting = acting
        self.triggers: dict[int, Trigger] = {}
        self.guards: dict[int, Guard] = {}
        self.set_guards(guards)

    def set_guards(self, guards: list[Guard]) -> None:
        """The guards of the run, by id (a trigger kept for a guard still there)."""
        self.triggers = {g.id: self.triggers.get(g.id) or make(g) for g in guards}
        self.guards = {g.id: g for g in guards}

    def evaluate(self, guard: Guard, view: BlockView) -> list[WatchEvent]:
        """A block trigger's reading of `view`, its memory and new episodes recorded."""
        memory = self.store.memory(guard.id)
        firings = self.triggers[guard.id].on_block(view, memory)
        market = view.market
        prices = {"reserve_rate": str(market.reserve_rate), "price": str(market.price)}
        return self.record(firings, guard, memory, prices)

    def record(
        self, firings: list[Firing], guard: Guard, memory: dict[str, Any], prices: dict[str, str]
    ) -> list[WatchEvent]:
        """The trigger's memory and the new episodes, in one transaction."""
        events: list[WatchEvent] = [
            GuardNotice(
                message=f"guard {guard.id} ({guard.market}): {line}",
                guard=guard.id,
                market=guard.market,
                address=guard.address,
            )
            for line in memory.pop(NOTICES, None) or []
        ]
        with self.store.transaction():
            self.store.save_memory(guard.id, memory)
            for firing in firings:
                if self.store.episode(guard.id, firing.episode) is not None:
                    continue  # opened before (a restart, the same event again): never twice
                self.store.save_episode(
                    Episode(
                        guard_id=guard.id,
                        key=firing.episode,
                        state="pending",
                        fired_block=firing.block,
                        fired_time=firing.chain_time,
                        detail={**prices, "figures": dict(firing.figures)},
                    )
                )
                events.append(
                    GuardFired(
                        message=f"guard {guard.id} ({guard.market}, "
                        f"{self.triggers[guard.id].describe()}): {firing.reason}",
                        guard=guard.id,
                        market=guard.market,
                        address=guard.address,
                        episode=firing.episode,
                        block=firing.block,
                        reason=firing.reason,
                        figures=dict(firing.figures),
                    )
                )
        return events


class GuardBlockMonitor(BlockMonitor):
    name: ClassVar[str] = "guard_block"

    def __init__(self, watch: WatchContext, guarded: _Guarded) -> None:
        super().__init__(watch)
        self.guarded = guarded

    def on_block(self, markets: list[MarketState]) -> list[WatchEvent]:
        from ion_cli.chain.market_state import read_vaults

        session = self.watch.session
        by_symbol = {m.symbol: m for m in markets}
        events: list[WatchEvent] = []
        for guard in self.guarded.guards.values():
            trigger = self.guarded.triggers[guard.id]
            market = by_symbol.get(guard.market)
            if trigger.clock != "block" or market is None:
                continue
            (vault,) = read_vaults(session.reader(), session.profile, [market], guard.address)
            view = BlockView(guard=guard, market=market, vault=vault, session=session)
            events += self.guarded.evaluate(guard, view)
        return events


class GuardEpochMonitor(EpochMonitor):
    name: ClassVar[str] = "guard_epoch"

    def __init__(self, watch: WatchContext, guarded: _Guarded) -> None:
        super().__init__(watch)
        self.guarded = guarded

    def on_epoch(self, client: BeaconClient, ref: StateRef) -> list[WatchEvent]:
        events: list[WatchEvent] = []
        session = self.watch.session
        for guard in self.guarded.guards.values():
            trigger = self.guarded.triggers[guard.id]
            if trigger.clock != "epoch":
                continue
            seen: list[BlockView] = []

            def position(guard: Guard = guard, seen: list[BlockView] = seen) -> BlockView:
                if not seen:
                    seen.append(read_view(session, guard))
                return seen[0]

            view = EpochView(
                guard=guard, client=client, ref=ref, watch=self.watch, position=position
            )
            memory = self.guarded.store.memory(guard.id)
            firings = trigger.on_epoch(view, memory)
            prices = {}
            if firings:  # the figures the price check compares with, at the firing
                now = position()
                prices = {
                    "reserve_rate": str(now.market.reserve_rate),
                    "price": str(now.market.price),
                }
                firings = [f if f.block is not None else _at(f, now) for f in firings]
            events += self.guarded.record(firings, guard, memory, prices)
        return events


def _at(firing: Firing, view: BlockView) -> Firing:
    from dataclasses import replace

    return replace(firing, block=view.block, chain_time=view.timestamp)


class GuardActions(Monitor):
    name: ClassVar[str] = "guard_actions"

    def __init__(self, watch: WatchContext, guarded: _Guarded) -> None:
        super().__init__(watch)
        self.guarded = guarded

    def check(self) -> list[WatchEvent]:
        events: list[WatchEvent] = []
        store = self.guarded.store
        for guard in self.guarded.guards.values():
            trigger = self.guarded.triggers[guard.id]
            for episode in store.open_episodes(guard.id):
                done = act(self.guarded.acting, guard, trigger, episode)
                events += done
                if trigger.clock == "block" and any(e.kind == "guard_acted" for e in done):
                    # the vault after the action is a block seen: a level trigger re-arms on it
                    # (it cannot fire again: it fired and is not armed)
                    events += self.guarded.evaluate(guard, read_view(self.watch.session, guard))
        return events


class GuardRunner:
    """One `ion guard run` (see the module docstring)."""

    def __init__(
        self,
        session: Session,
        config: GuardRunConfig,
        options: WriteOptions,
        *,
        explicit_network: bool,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        from ion_cli.flows.guard.manage import open_store

        self.config = config
        self.sleep = sleep
        self.dry_run = options.dry_run
        store = open_store(session)
        self.chain = store.chain
        if self.dry_run:
            store = store.scratch()
        self.account = session.account().address.lower()
        guards = [
            g
            for g in store.guards(self.account)
            if not config.guard_ids or g.id in config.guard_ids
        ]
        missing = set(config.guard_ids) - {g.id for g in guards}
        if missing:
            from ion_cli.errors import UsageError

            raise UsageError(
                f"no guard {min(missing)} of {self.account} on this chain (ion guard list)"
            )
        self.store = store
        markets = tuple(dict.fromkeys(g.market for g in guards))
        watch_config = WatchConfig(
            markets=markets,
            addresses=(self.account,),
            once=config.once,
            interval=config.interval,
            beacon_urls=config.beacon_urls,
            use_events=config.use_events,
            max_proof_age=None,
        )
        self.watch = WatchContext.open(session, watch_config, self._state_path())
        acting = Acting(
            session=session,
            store=store,
            options=options,
            explicit_network=explicit_network,
            beacon=self._beacon,
            cross_check=[_reader(url) for url in config.cross_check],
        )
        self.guarded = _Guarded(store, guards, acting)
        self.watcher = Watcher.of(self.watch, sleep)
        self.parts: list[Monitor] = []
        self._build_parts()

    def _build_parts(self) -> None:
        """The feeds the guards' clocks need, over their markets."""
        triggers = self.guarded.triggers.values()
        self.watch.markets = list(dict.fromkeys(g.market for g in self.guarded.guards.values()))
        epochs = any(t.clock == "epoch" for t in triggers)
        blocks = any(t.clock == "block" for t in triggers)
        self.parts = [
            *(
                [BeaconFeed(self.watch, [GuardEpochMonitor(self.watch, self.guarded)])]
                if epochs
                else []
            ),
            *(
                [ChainFeed(self.watch, [GuardBlockMonitor(self.watch, self.guarded)])]
                if blocks
                else []
            ),
            GuardActions(self.watch, self.guarded),
        ]

    def _refresh(self) -> None:
        """A guard added or removed while the run goes on (`ion guard add`, `remove`) is
        taken into account at the next cycle: a removed guard never acts again."""
        ids = self.config.guard_ids
        guards = [g for g in self.store.guards(self.account) if not ids or g.id in ids]
        if [g.id for g in guards] == list(self.guarded.guards):
            return
        self.guarded.set_guards(guards)
        self._build_parts()

    def _state_path(self) -> Path:
        from ion_cli.paths import state_dir

        return state_dir() / "guard" / f"{self.chain}-{self.account}.json"

    def _beacon(self) -> BeaconClient | None:
        try:
            return self.watch.beacon_client()
        except IonError:
            return None

    @property
    def outage(self) -> bool:
        return self.watcher.outage

    def run(self) -> Iterator[WatchEvent]:
        ids = sorted(self.guarded.guards)
        yield GuardRunStarted(
            message=f"guarding {len(ids)} guard(s) of {self.account}"
            + (" (dry run: nothing is sent or recorded)" if self.dry_run else ""),
            guards=ids,
            dry_run=self.dry_run,
            chain=self.chain,
        )
        yield from run_cycles(self.cycle, self.config, self._wait, self.close)

    def cycle(self) -> list[WatchEvent]:
        events: list[WatchEvent] = []
        self._refresh()
        for part in self.parts:
            events += self.watcher.guard(part.node, part.check)
        if not self.dry_run:
            with contextlib.suppress(OSError):
                save_state(self.watch.path, self.watch.state)
        return events

    def _wait(self) -> None:
        wait_between_cycles(self.config, self.watch, self.sleep)

    def close(self) -> None:
        self.watch.close()
        self.store.close()


def _reader(url: str) -> Any:
    from ion_cli.chain.rpc import Reader
    from ion_cli.inputs import check_url

    return Reader(check_url(url, "--cross-check"))


__all__ = ["GuardRunConfig", "GuardRunner"]
