"""The watch's restaking monitor (`ion watch --restaking SYMBOL`): each new block range, the LRT's
EigenLayer events since the last one looked at.

- `OperatorSlashed` of an operator the LRT delegates to: an alert naming the operator, the AVS,
  the operator set and the LRT's ETH lost (its stakers' withdrawable shares just before the
  slash x `wadSlashed`);
- `AllocationUpdated` of such an operator that raises its allocation to a set (a new magnitude
  above the one before): an alert with the LRT's ETH it makes slashable and the effect block;
- `BeaconChainSlashingFactorDecreased` for one of the LRT's stakers (pod owners): an alert.

None of these events index their fields: they are fetched by topic from the EigenLayer
contracts and filtered here. The first cycle starts at the head (history is `ion restaking`'s).
Each alert is keyed by its log and given once; the cursor is kept in a small state file beside
the watch's own.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ion_cli import restaking_math as rm
from ion_cli.amounts import format_amount
from ion_cli.atomic import write_atomic
from ion_cli.flows.watch.context import lrt_name
from ion_cli.flows.watch.events import WatchEvent
from ion_cli.flows.watch.monitor import Monitor, register

if TYPE_CHECKING:
    from ion_cli.adapters import RestakingStaker
    from ion_cli.flows.watch.context import WatchContext


@dataclass(frozen=True, kw_only=True)
class RestakingSlash(WatchEvent):
    kind: ClassVar[str] = "restaking_slash"
    alert: ClassVar[bool] = True

    lrt: str
    operator: str
    avs: str
    operator_set: int = field(metadata={"json": "set"})
    wad_slashed: str
    lrt_lost_wei: str
    lrt_lost_eth: str
    description: str
    block: int
    transaction_hash: str


@dataclass(frozen=True, kw_only=True)
class RestakingAllocation(WatchEvent):
    kind: ClassVar[str] = "restaking_allocation"
    alert: ClassVar[bool] = True

    lrt: str
    operator: str
    avs: str
    operator_set: int = field(metadata={"json": "set"})
    magnitude: str
    previous_magnitude: str
    effect_block: int
    lrt_slashable_added_wei: str
    block: int


@dataclass(frozen=True, kw_only=True)
class RestakingBeaconFactor(WatchEvent):
    kind: ClassVar[str] = "restaking_beacon_factor"
    alert: ClassVar[bool] = True

    lrt: str
    staker: str
    pod: str | None
    previous_factor: str
    factor: str
    block: int


@dataclass
class MonitorState:
    last_block: int = -1
    chain_genesis: str = ""
    given: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "last_block": self.last_block,
            "chain_genesis": self.chain_genesis,
            "given": self.given[-1000:],  # a bounded memory of alerts given
        }

    @classmethod
    def load(cls, path: Path) -> MonitorState:
        try:
            raw = json.loads(path.read_text())
            return cls(
                last_block=int(raw["last_block"]),
                chain_genesis=str(raw.get("chain_genesis", "")),
                given=[str(g) for g in raw.get("given", [])],
            )
        except (OSError, ValueError, KeyError, TypeError):
            return cls()


def _eth(wei: int) -> str:
    return format_amount(wei, 18)


@register
class RestakingMonitor(Monitor):
    name: ClassVar[str] = "restaking"
    order: ClassVar[int] = 100

    def __init__(self, watch: WatchContext) -> None:
        super().__init__(watch)
        self.session = watch.session
        self.symbols = [lrt_name(s) for s in watch.config.restaking]
        self.path = monitor_path(watch.path)  # its own state file, beside the watch's
        self.state = MonitorState.load(self.path)

    @classmethod
    def wanted(cls, watch: WatchContext) -> bool:
        return bool(watch.config.restaking)

    def describe(self) -> str | None:
        return f"restaking of {', '.join(self.symbols)}"

    def check(self) -> list[WatchEvent]:
        """One cycle: the events of the blocks since the last cycle (the state moves only when
        the whole cycle succeeded, so a failed read is retried, never skipped)."""
        reader = self.session.reader()
        head = reader.block("latest")["number"]
        genesis = reader.request("eth_getBlockByNumber", ["0x0", False], "reading the genesis")
        genesis_hash = str(genesis.get("hash", "")) if isinstance(genesis, dict) else ""
        old = self.state
        state = MonitorState(old.last_block, old.chain_genesis, list(old.given))
        if state.chain_genesis != genesis_hash or state.last_block > head:
            state = MonitorState(last_block=head, chain_genesis=genesis_hash)  # start here
        events: list[WatchEvent] = []
        if head > state.last_block:
            for symbol in self.symbols:
                events += self._symbol(symbol, state, state.last_block + 1, head)
            state.last_block = head
        self.state = state
        with contextlib.suppress(OSError):
            write_atomic(self.path, json.dumps(state.to_json()).encode())
        return events

    def _symbol(self, symbol: str, state: MonitorState, lo: int, hi: int) -> list[WatchEvent]:
        from ion_cli.chain.eigenlayer import (
            ALLOCATION_UPDATED,
            FACTOR_DECREASED,
            OPERATOR_SLASHED,
            decode_allocation_update,
            decode_factor_decrease,
            decode_slashes,
            topic,
        )
        from ion_cli.flows.restaking import (
            adapter_context,
            eigenlayer_reader,
            lrt_lost_to,
            restaking_source,
        )
        from ion_cli.plugins_registry import load

        adapter = load(symbol)
        ctx = adapter_context(self.session, hi)
        source = restaking_source(adapter, ctx)
        el = eigenlayer_reader(self.session, ctx)
        by_operator: dict[str, list[RestakingStaker]] = {}
        for s in source.stakers:
            if s.operator is not None:
                by_operator.setdefault(s.operator.lower(), []).append(s)
        stakers = {s.address.lower(): s for s in source.stakers}
        events: list[WatchEvent] = []

        def once(key: str, event: WatchEvent) -> None:
            if key not in state.given:
                state.given.append(key)
                events.append(event)

        am = el.el.allocation_manager
        for slash in decode_slashes(ctx.logs(am, [topic(OPERATOR_SLASHED)], lo, hi), el.strategy):
            mine = by_operator.get(slash.operator.lower())
            if not mine:
                continue
            lost = lrt_lost_to(el, mine, slash)
            key = f"restaking:{symbol}:slash:{slash.transaction_hash}:{slash.log_index}"
            once(key, self._slash_event(adapter.symbol, slash, lost, slash.block))
        for log in ctx.logs(am, [topic(ALLOCATION_UPDATED)], lo, hi):
            operator, avs, set_id, strategy, magnitude, effect = decode_allocation_update(log)
            mine = by_operator.get(operator.lower())
            if not mine or strategy.lower() != el.strategy.lower():
                continue
            past = el.at(log.block_number - 1)
            old = past.allocation_target(operator, avs, set_id)
            if magnitude <= old:
                continue  # a decrease, or a slash: not a rise in exposure
            shares = sum(past.withdrawable(s.address) for s in mine)
            added = rm.slashable(shares, magnitude - old, past.max_magnitude(operator))
            key = f"restaking:{symbol}:allocation:{log.transaction_hash}:{log.log_index}"
            once(
                key,
                RestakingAllocation(
                    message=f"{adapter.symbol}: operator {operator} raises its allocation to AVS "
                    f"{avs} set {set_id} from {old / 1e18:.4f} to {magnitude / 1e18:.4f} of its "
                    f"stake (+{_eth(added)} ETH of {adapter.symbol} slashable) from block {effect}",
                    lrt=adapter.symbol,
                    operator=operator,
                    avs=avs,
                    operator_set=set_id,
                    magnitude=str(magnitude),
                    previous_magnitude=str(old),
                    effect_block=effect,
                    lrt_slashable_added_wei=str(added),
                    block=log.block_number,
                ),
            )
        epm = el.el.eigen_pod_manager
        for log in ctx.logs(epm, [topic(FACTOR_DECREASED)], lo, hi):
            staker, prev, new = decode_factor_decrease(log)
            found = stakers.get(staker.lower())
            if found is None:
                continue
            key = f"restaking:{symbol}:beacon:{log.transaction_hash}:{log.log_index}"
            once(
                key,
                RestakingBeaconFactor(
                    message=f"{adapter.symbol}: the beacon-chain slashing factor of {found.kind} "
                    f"{staker} (pod {found.pod or '-'}) fell from {prev / 1e18:.6f} to "
                    f"{new / 1e18:.6f}",
                    lrt=adapter.symbol,
                    staker=staker,
                    pod=found.pod,
                    previous_factor=str(prev),
                    factor=str(new),
                    block=log.block_number,
                ),
            )
        return events

    @staticmethod
    def _slash_event(symbol: str, slash: Any, lost: int, block: int) -> WatchEvent:
        return RestakingSlash(
            message=f"{symbol}: AVS {slash.avs} slashed operator {slash.operator} in set "
            f"{slash.id} by {slash.wad_slashed / 1e18:.6f} of its stake: {_eth(lost)} ETH of "
            f"{symbol} lost ({slash.description})",
            lrt=symbol,
            operator=slash.operator,
            avs=slash.avs,
            operator_set=slash.id,
            wad_slashed=str(slash.wad_slashed),
            lrt_lost_wei=str(lost),
            lrt_lost_eth=_eth(lost),
            description=slash.description,
            block=block,
            transaction_hash=slash.transaction_hash,
        )


def monitor_path(watch_state: Path) -> Path:
    return watch_state.with_name(watch_state.stem + ".restaking.json")
