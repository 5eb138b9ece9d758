"""Each watched LRT's validator set at every newly finalized epoch, against the previous snapshot.

A validator newly slashed is an alert (with the indices and the estimated loss of
`ion_cli.zk.rule`: the initial penalty taken plus the correlation penalty still to come), and a
fall of the set's balances beyond `BALANCE_DROP_ALERT_GWEI` (slashed validators aside) is
another. The set is found once through its credentials (the credential index cache of
`ion validators`), then read by index: no full-set scan per epoch; it is looked up again by
credentials every `REFRESH_EPOCHS` for validators that joined.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ion_cli.errors import IonError, UsageError
from ion_cli.flows.figures import WAD, text
from ion_cli.flows.watch.events import WatchEvent
from ion_cli.flows.watch.monitor import EpochMonitor, register
from ion_cli.flows.watch.state import SetState

if TYPE_CHECKING:
    from ion_cli.beacon.client import BeaconClient
    from ion_cli.beacon.snapshot import Snapshot, StateRef, Validator
    from ion_cli.flows.watch.context import WatchContext
    from ion_cli.zk.rule import NetworkContext

BALANCE_DROP_ALERT_GWEI = 10_000_000  # 0.01 ETH across a set in one evaluation
REFRESH_EPOCHS = 225  # about a day: look the set up by credentials again (new validators)
GWEI = 10**9


@dataclass(frozen=True, kw_only=True)
class Slashing(WatchEvent):
    kind: ClassVar[str] = "slashing"
    alert: ClassVar[bool] = True

    lrt: str
    epoch: int
    validators: list[int]
    estimated_loss_gwei: int
    initial_penalty_gwei: int
    correlation_penalty_gwei: int
    estimated_loss_fraction: float
    state_root: str


@dataclass(frozen=True, kw_only=True)
class BalanceDrop(WatchEvent):
    kind: ClassVar[str] = "balance_drop"
    alert: ClassVar[bool] = True

    lrt: str
    epoch: int
    validators: int  # how many lost balance
    drop_gwei: int


@register
class ValidatorSetMonitor(EpochMonitor):
    name: ClassVar[str] = "validator_set"
    order: ClassVar[int] = 10

    def __init__(self, watch: WatchContext) -> None:
        super().__init__(watch)
        self._network: NetworkContext | None = None
        self._credentials: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}

    @classmethod
    def wanted(cls, watch: WatchContext) -> bool:
        return bool(watch.lrts)

    def describe(self) -> str | None:
        return f"validators of {', '.join(self.watch.lrts)}"

    def on_epoch(self, client: BeaconClient, ref: StateRef) -> list[WatchEvent]:
        events: list[WatchEvent] = []
        for symbol in self.watch.lrts:
            events += self._evaluate_set(client, symbol, ref)
        return events

    def _token(self, symbol: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if symbol not in self._credentials:
            from ion_cli.flows.validators import token_validators

            session = self.watch.session
            token = token_validators(symbol, session.network, session.rpc_url)
            if not token.credentials and not token.ids:
                raise UsageError(
                    f"{symbol}: its adapter cannot enumerate the validators here ({token.method})"
                )
            self._credentials[symbol] = (token.credentials, token.ids)
        return self._credentials[symbol]

    def _read_set(self, client: BeaconClient, symbol: str, ref: StateRef) -> Snapshot:
        from ion_cli.beacon.fetch import snapshot_of_credentials
        from ion_cli.beacon.snapshot import Snapshot

        kept = self.watch.state.sets.setdefault(symbol, SetState())
        if kept.ids and 0 <= ref.epoch - kept.looked_up_epoch < REFRESH_EPOCHS:
            # the known set, by index, at this state (no scan)
            answer = client.validators(ref.state_root, [str(i) for i in kept.ids])
            return Snapshot(state=ref, validators=tuple(answer.validators), source=client.source)
        credentials, ids = self._token(symbol)
        snapshot = snapshot_of_credentials(client, credentials, ref.state_root, ids=ids)
        kept.ids = [v.index for v in snapshot.validators]
        kept.looked_up_epoch = ref.epoch
        return Snapshot(state=ref, validators=snapshot.validators, source=snapshot.source)

    def _network_context(self) -> NetworkContext:
        if self._network is None:
            from ion_cli.beacon.fetch import resolve_state
            from ion_cli.zk.rule import NetworkContext

            active = None
            if self.watch.session.is_devnet:  # a full scan is cheap only there
                with contextlib.suppress(IonError):
                    client = self.watch.beacon_client()
                    active = _active_balance(client, resolve_state(client, "finalized"))
            self._network = NetworkContext(active_balance=active) if active else NetworkContext()
        return self._network

    def _evaluate_set(self, client: BeaconClient, symbol: str, ref: StateRef) -> list[WatchEvent]:
        from ion_cli.zk import rule

        state = self.watch.state
        snapshot = self._read_set(client, symbol, ref)
        kept = state.sets[symbol]
        previous = kept.previous
        epoch = ref.epoch
        events: list[WatchEvent] = []
        newly: list[Validator] = []
        for v in snapshot.validators:
            key = f"slashed:{symbol}:{v.index}"
            if not v.slashed or key in state.given:
                continue
            before = previous.get(v.index)
            if before is not None and before[1]:
                state.given.add(key)  # slashed before this watch alerted (old state)
                continue
            if before is None and not rule.is_live(v, epoch):
                continue  # a long-finished slashing: nothing left to lose
            newly.append(v)
            state.given.add(key)
        if newly:
            events.append(self._slashing_event(symbol, snapshot, newly, ref))
        drop = 0
        dropped = 0
        for v in snapshot.validators:
            before = previous.get(v.index)
            if before is None or v.slashed or before[1] or not rule.is_live(v, epoch):
                continue
            if v.balance < before[0]:
                drop += before[0] - v.balance
                dropped += 1
        if drop > BALANCE_DROP_ALERT_GWEI:
            events.append(
                BalanceDrop(
                    message=f"{symbol}: {dropped} validators lost {text(drop * GWEI, WAD)} ETH "
                    "since the previous finalized epoch evaluated",
                    lrt=symbol,
                    epoch=epoch,
                    validators=dropped,
                    drop_gwei=drop,
                )
            )
        kept.previous = {v.index: (v.balance, v.slashed) for v in snapshot.validators}
        return events

    def _slashing_event(
        self, symbol: str, snapshot: Snapshot, newly: list[Validator], ref: StateRef
    ) -> WatchEvent:
        from ion_cli import consensus_rules as cr
        from ion_cli.beacon.snapshot import Snapshot
        from ion_cli.zk import rule

        network = self._network_context()
        ids = {v.index for v in newly}
        others = sum(
            v.effective_balance
            for v in snapshot.validators
            if v.slashed and v.index not in ids and rule.is_live(v, ref.epoch)
        )
        context = rule.NetworkContext(
            active_balance=network.active_balance,
            other_slashed=network.other_slashed + others,
        )
        part = rule.loss(Snapshot(state=ref, validators=tuple(newly)), context)
        # What the slashing took: the balance fall since the previous snapshot where there is
        # one (the balance may sit above the effective balance), else the rule's initial penalty.
        previous = self.watch.state.sets[symbol].previous
        taken = 0
        for v in newly:
            before = previous.get(v.index)
            taken += (
                max(0, before[0] - v.balance)
                if before is not None
                else cr.initial_slashing_penalty(v.effective_balance)
            )
        total = taken + part.correlation_pending
        set_balance = sum(
            v.effective_balance for v in snapshot.validators if rule.is_live(v, ref.epoch)
        )
        fraction = total / set_balance if set_balance else 0.0
        indices = sorted(ids)
        shown = ", ".join(str(i) for i in indices[:10]) + (" ..." if len(indices) > 10 else "")
        return Slashing(
            message=f"{symbol}: {len(indices)} validator{'s' if len(indices) != 1 else ''} "
            f"slashed ({shown}); estimated loss {text(total * GWEI, WAD)} ETH "
            f"({fraction:.4%} of the set's effective balance)",
            lrt=symbol,
            epoch=ref.epoch,
            validators=indices,
            estimated_loss_gwei=total,
            initial_penalty_gwei=taken,
            correlation_penalty_gwei=part.correlation_pending,
            estimated_loss_fraction=fraction,
            state_root=ref.state_root,
        )


def _active_balance(client: BeaconClient, ref: StateRef) -> int | None:
    """The network's total active effective balance (a full scan: the devnet's set is small)."""
    epoch = ref.epoch
    answer = client.scan(ref.state_root, lambda v: v.activation_epoch <= epoch < v.exit_epoch)
    return sum(v.effective_balance for v in answer.validators) or None
