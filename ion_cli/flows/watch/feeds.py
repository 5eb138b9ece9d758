"""The two clocks the monitors run on: the beacon chain's finalized epoch and the chain's head.

`BeaconFeed` evaluates each finalized epoch once: it checks that the node is the chain the
state was saved on (a state ahead of the chain is set aside), runs the epoch monitors at the
pinned state and says which epoch it evaluated. `ChainFeed` reads the watched markets once per
new block and runs the block monitors on them (with --once, the head is evaluated again: a
condition may still hold).
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, ClassVar

from ion_cli.flows.watch.events import EpochEvaluated, StateSetAside, WatchEvent
from ion_cli.flows.watch.monitor import BEACON_NODE, BlockMonitor, EpochMonitor, Monitor
from ion_cli.flows.watch.state import WatchState

if TYPE_CHECKING:
    from ion_cli.flows.watch.context import WatchContext


class BeaconFeed(Monitor):
    name: ClassVar[str] = "beacon"
    node: ClassVar[str] = BEACON_NODE

    def __init__(self, watch: WatchContext, monitors: list[EpochMonitor]) -> None:
        super().__init__(watch)
        self.monitors = monitors

    def check(self) -> list[WatchEvent]:
        from ion_cli.beacon.fetch import resolve_state

        watch = self.watch
        client = watch.beacon_client()
        genesis = client.genesis().genesis_validators_root
        if watch.state.beacon_genesis and watch.state.beacon_genesis != genesis:
            watch.state = WatchState(chain_genesis=watch.state.chain_genesis)  # another chain
        watch.state.beacon_genesis = genesis
        ref = resolve_state(client, "finalized")
        events: list[WatchEvent] = []
        if ref.epoch < watch.state.last_epoch:  # another chain, or this one was reset
            events.append(self._set_aside(f"epoch {watch.state.last_epoch}", ref.epoch, genesis))
        if ref.epoch <= watch.state.last_epoch:
            return events
        for monitor in self.monitors:
            events += monitor.on_epoch(client, ref)
        watch.state.last_epoch = ref.epoch
        events.append(
            EpochEvaluated(
                message=f"finalized epoch {ref.epoch} evaluated",
                epoch=ref.epoch,
                slot=ref.slot,
                state_root=ref.state_root,
            )
        )
        return events

    def _set_aside(self, saved: str, finalized: int, beacon_genesis: str) -> WatchEvent:
        """The saved state is ahead of the chain (its epoch beyond the node's finalized one):
        it belongs to another chain and is never used to skip anything. The file is kept
        beside, renamed; the watch starts afresh on this chain."""
        path = self.watch.path
        aside = path.with_name(f"{path.stem}.ahead-{int(time.time())}.json")
        with contextlib.suppress(OSError):
            path.rename(aside)
        self.watch.state = WatchState(beacon_genesis=beacon_genesis)
        return StateSetAside(
            message=f"the saved watch state ({saved}) is ahead of the chain (finalized epoch "
            f"{finalized}): set aside as {aside.name}; watching this chain afresh",
            set_aside=str(aside),
            finalized_epoch=finalized,
        )


class ChainFeed(Monitor):
    name: ClassVar[str] = "chain"

    def __init__(self, watch: WatchContext, monitors: list[BlockMonitor]) -> None:
        super().__init__(watch)
        self.monitors = monitors

    def check(self) -> list[WatchEvent]:
        from ion_cli.chain.market_state import read_markets
        from ion_cli.flows.installed import require_market

        watch = self.watch
        state = watch.state
        reader = watch.session.reader()
        head = reader.block("latest")
        if head["number"] == state.last_block and not watch.config.once:
            return []  # (--once evaluates the conditions again: they may still hold)
        genesis = reader.request("eth_getBlockByNumber", ["0x0", False], "reading the genesis")
        genesis_hash = str(genesis.get("hash", "")) if isinstance(genesis, dict) else ""
        if state.chain_genesis and genesis_hash != state.chain_genesis:
            state.active = {k for k in state.active if not k.startswith("chain:")}
            for monitor in self.monitors:
                monitor.reset()
        state.chain_genesis = genesis_hash
        markets = read_markets(
            reader,
            watch.session.profile,
            [require_market(watch.session, m) for m in watch.markets],
        )
        events: list[WatchEvent] = []
        for market in markets:
            for monitor in self.monitors:
                events += monitor.on_market(market)
        for monitor in self.monitors:
            events += monitor.on_block(markets)
        watch.state.last_block = markets[0].block if markets else head["number"]
        return events
