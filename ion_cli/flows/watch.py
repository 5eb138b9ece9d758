"""`ion watch`: consensus-layer and position monitoring, as a stream of typed events.

`watch(session, config)` yields `WatchEvent`s; the command renders them (a live view for people,
one JSON line per event with --json) and runs --exec per alert. Each cycle:

- the beacon chain: when the finalized epoch moved past the last one evaluated, each watched
  LRT's validator set at the new finalized state is compared with the previous snapshot: a
  validator newly slashed is an alert (with the indices and the estimated loss of
  `ion_cli.zk.rule`: the initial penalty taken plus the correlation penalty still to come), and
  a fall of the set's balances beyond `BALANCE_DROP_ALERT_GWEI` (slashed validators aside) is
  another. The set is found once through its credentials (the credential index cache of
  `ion validators`), then read by index: no full-set scan per epoch; it is looked up again by
  credentials every `REFRESH_EPOCHS` for validators that joined.
- the chain head: when a new block arrived, the watched markets are read at one block: each
  watched vault's health against --min-health (an alert when it falls under, once, until it
  recovers), the reserve oracle's rate (an event when it changed), the age of the latest
  accepted risk proof of markets with a risk feed (an alert when older than --max-proof-age),
  and with --market and no --address, the vaults of the market that became liquidatable.

The beacon node's event stream (`/eth/v1/events`, `finalized_checkpoint` and `head`) wakes the
loop when the node offers it; otherwise the loop polls every --interval. A node that fails is
reported once (`node_error`), retried every cycle, and reported again when it answers
(`node_recovered`): never fatal. What the watch has seen (the last epoch and block, the previous
snapshot of each set, the alerts active or given) is kept in the user state dir, written
atomically after each cycle, so a restart resumes where it stopped without repeating an alert.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli import position_math as pm
from ion_cli.atomic import write_atomic
from ion_cli.errors import IonError, UsageError
from ion_cli.flows.figures import RAY, WAD, text
from ion_cli.flows.session import Session

if TYPE_CHECKING:
    from ion_cli.beacon.client import BeaconClient
    from ion_cli.beacon.snapshot import Snapshot, StateRef, Validator
    from ion_cli.flows.market_state import MarketState
    from ion_cli.zk.rule import NetworkContext

STATE_VERSION = 1
BALANCE_DROP_ALERT_GWEI = 10_000_000  # 0.01 ETH across a set in one evaluation
REFRESH_EPOCHS = 225  # about a day: look the set up by credentials again (new validators)
GWEI = 10**9

# What `ion watch --once` exits with when an alert fired (the README documents it).
EXIT_ALERT = 6


@dataclass(frozen=True)
class WatchConfig:
    markets: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    lrts: tuple[str, ...] = ()
    min_health: Decimal = Decimal("1.2")
    interval: float = 12.0
    max_proof_age: int | None = 86_400  # seconds; None: not checked
    once: bool = False
    beacon_urls: tuple[str, ...] = ()
    max_cycles: int | None = None  # stop after this many cycles (scripts, benchmarks)
    use_events: bool = True  # follow the beacon node's event stream when it offers one
    restaking: tuple[str, ...] = ()  # LRTs whose EigenLayer operators are watched (watch_restaking)


@dataclass(frozen=True)
class WatchEvent:
    """One thing the watch saw. `alert` events are the ones --exec runs for and --once counts."""

    kind: str
    message: str
    alert: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    time: int = field(default_factory=lambda: int(time.time()))

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
        for name in ("lrt", "market", "address", "epoch", "block"):
            if name in self.data and self.data[name] is not None:
                env[f"ION_EVENT_{name.upper()}"] = str(self.data[name])
        return env


# ---- state kept between runs -------------------------------------------------------------------


@dataclass
class SetState:
    """One LRT's validator set as last seen: index -> (balance Gwei, slashed)."""

    ids: list[int] = field(default_factory=list)
    previous: dict[int, tuple[int, bool]] = field(default_factory=dict)
    looked_up_epoch: int = -1

    def to_json(self) -> dict[str, Any]:
        return {
            "ids": self.ids,
            "looked_up_epoch": self.looked_up_epoch,
            # columns, not objects: a 3,000-validator set stays small on disk
            "previous": [[i, b, int(s)] for i, (b, s) in sorted(self.previous.items())],
        }

    @classmethod
    def from_json(cls, raw: Any) -> SetState:
        if not isinstance(raw, dict):
            return cls()
        ids = [int(i) for i in raw.get("ids", []) if isinstance(i, int)]
        previous = {
            int(row[0]): (int(row[1]), bool(row[2]))
            for row in raw.get("previous", [])
            if isinstance(row, list) and len(row) == 3
        }
        return cls(ids=ids, previous=previous, looked_up_epoch=int(raw.get("looked_up_epoch", -1)))


@dataclass
class WatchState:
    beacon_genesis: str = ""
    chain_genesis: str = ""
    last_epoch: int = -1
    last_block: int = -1
    sets: dict[str, SetState] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)  # conditions alerted and still true
    given: set[str] = field(default_factory=set)  # one-off alerts given (slashings)
    rates: dict[str, int] = field(default_factory=dict)  # reserve rate last seen per market

    def copy(self) -> WatchState:
        """A copy that a failed cycle can be rolled back to (the snapshots' rows are shared:
        they are immutable tuples)."""
        return WatchState(
            beacon_genesis=self.beacon_genesis,
            chain_genesis=self.chain_genesis,
            last_epoch=self.last_epoch,
            last_block=self.last_block,
            sets={
                k: SetState(list(v.ids), dict(v.previous), v.looked_up_epoch)
                for k, v in self.sets.items()
            },
            active=set(self.active),
            given=set(self.given),
            rates=dict(self.rates),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "beacon_genesis": self.beacon_genesis,
            "chain_genesis": self.chain_genesis,
            "last_epoch": self.last_epoch,
            "last_block": self.last_block,
            "sets": {k: v.to_json() for k, v in sorted(self.sets.items())},
            "active": sorted(self.active),
            "given": sorted(self.given),
            "rates": {k: str(v) for k, v in sorted(self.rates.items())},
        }

    @classmethod
    def from_json(cls, raw: Any) -> WatchState:
        if not isinstance(raw, dict) or raw.get("version") != STATE_VERSION:
            return cls()
        return cls(
            beacon_genesis=str(raw.get("beacon_genesis", "")),
            chain_genesis=str(raw.get("chain_genesis", "")),
            last_epoch=int(raw.get("last_epoch", -1)),
            last_block=int(raw.get("last_block", -1)),
            sets={str(k): SetState.from_json(v) for k, v in dict(raw.get("sets", {})).items()},
            active={str(k) for k in raw.get("active", [])},
            given={str(k) for k in raw.get("given", [])},
            rates={str(k): int(v) for k, v in dict(raw.get("rates", {})).items()},
        )


def state_path(
    chain_id: int, network: str, config: WatchConfig, lrts: list[str], genesis: str = ""
) -> Path:
    """One state file per chain identity (chain id and genesis hash: two devnets are both chain
    31337), network and watch configuration (markets, addresses, LRTs)."""
    from ion_cli.paths import state_dir

    what = json.dumps(
        [
            chain_id,
            *([genesis.lower()] if genesis else []),
            network,
            sorted(m.lower() for m in config.markets),
            sorted(a.lower() for a in config.addresses),
            sorted(s.lower() for s in lrts),
        ]
        # a restaking watch is another configuration (older state files keep their names)
        + ([sorted(s.lower() for s in config.restaking)] if config.restaking else [])
    )
    digest = hashlib.sha256(what.encode()).hexdigest()[:16]
    return state_dir() / "watch" / f"{network}-{digest}.json"


def load_state(path: Path) -> WatchState:
    try:
        return WatchState.from_json(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return WatchState()


def save_state(path: Path, state: WatchState) -> None:
    write_atomic(path, json.dumps(state.to_json(), separators=(",", ":")))


# ---- the event stream of the beacon node ---------------------------------------------------------


class EventStream:
    """Wakes the loop on the node's `finalized_checkpoint` and `head` events (a daemon thread
    reading the server-sent events); a node without the stream leaves the loop to its polling."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.wake = threading.Event()
        self.stopped = threading.Event()
        self.offered: bool | None = None  # None: not known yet
        self.connected = threading.Event()  # set while a stream is open
        self._thread = threading.Thread(target=self._run, name="ion-watch-events", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import httpx

        while not self.stopped.is_set():
            for url in self.urls:
                if self.stopped.is_set():
                    return
                try:
                    with (
                        httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0)) as client,
                        client.stream(
                            "GET",
                            f"{url.rstrip('/')}/eth/v1/events",
                            params={"topics": "finalized_checkpoint,head"},
                            headers={"Accept": "text/event-stream"},
                        ) as response,
                    ):
                        if response.status_code != 200:
                            self.offered = False
                            continue
                        self.offered = True
                        self.connected.set()
                        for line in response.iter_lines():
                            if self.stopped.is_set():
                                return
                            if line.startswith("event:"):
                                self.wake.set()
                except Exception:
                    pass  # the node is down or the stream broke: the loop polls meanwhile
                self.connected.clear()
            self.stopped.wait(5.0)

    def wait(self, seconds: float) -> None:
        self.wake.wait(seconds)
        self.wake.clear()

    def close(self) -> None:
        self.stopped.set()
        self.wake.set()


# ---- the watcher -------------------------------------------------------------------------------


class Watcher:
    def __init__(
        self,
        session: Session,
        config: WatchConfig,
        *,
        path: Path | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.session = session
        self.config = config
        self.min_health = int(config.min_health * RAY)
        if config.min_health <= 0:
            raise UsageError("--min-health must be greater than zero")
        if config.interval <= 0:
            raise UsageError("--interval must be greater than zero")
        self.markets = self._market_symbols()
        self.lrts = self._lrt_symbols()
        self.addresses = [session.address_of(a) for a in config.addresses]
        profile = session.profile
        self.path = path or state_path(
            profile.chain_id, profile.name, config, self.lrts, self._genesis()
        )
        self.state = load_state(self.path)
        self.sleep = sleep
        self.down: dict[str, str] = {}  # node -> the error last reported
        self._client: BeaconClient | None = None
        self._network: NetworkContext | None = None
        self._stream: EventStream | None = None
        self._credentials: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._restaking: Any = None
        if config.restaking:  # the restaking monitor: its own module and state file
            from ion_cli.flows.watch_restaking import RestakingMonitor, monitor_path

            symbols = [self._lrt_name(s) for s in config.restaking]
            self._restaking = RestakingMonitor(session, symbols, monitor_path(self.path))

    def _genesis(self) -> str:
        """The chain's genesis hash for the state file's key; "" when the node cannot be read
        now (the watch starts anyway and reports the outage; the state's own genesis fields
        then guard against another chain's state)."""
        try:
            block = self.session.reader().request(
                "eth_getBlockByNumber", ["0x0", False], "reading the genesis"
            )
        except Exception:
            return ""
        return str(block.get("hash", "")) if isinstance(block, dict) else ""

    # ---- what is watched

    def _market_symbols(self) -> list[str]:
        from ion_cli.flows.installed import available_markets, require_market

        if self.config.markets:
            return [require_market(self.session, m).symbol for m in self.config.markets]
        if self.config.addresses or not (self.config.lrts or self.config.restaking):
            return [m.symbol for m in available_markets(self.session)]
        return []

    def _lrt_name(self, symbol: str) -> str:
        from ion_cli.plugins_registry import load

        try:
            return load(symbol.lower()).symbol
        except IonError:
            raise
        except Exception:
            raise UsageError(f"unknown LRT {symbol!r}") from None

    def _lrt_symbols(self) -> list[str]:
        from ion_cli.plugins_registry import load

        if self.config.lrts:
            out = []
            for symbol in self.config.lrts:
                try:
                    out.append(load(symbol.lower()).symbol)
                except IonError:
                    raise
                except Exception:
                    raise UsageError(f"unknown LRT {symbol!r}") from None
            return list(dict.fromkeys(out))
        return list(self.markets)

    @property
    def keeps_vaults(self) -> bool:
        """--market and no --address: the market's vaults that became liquidatable."""
        return bool(self.config.markets) and not self.config.addresses

    # ---- the loop

    def run(self) -> Iterator[WatchEvent]:
        what = []
        if self.lrts:
            what.append(f"validators of {', '.join(self.lrts)}")
        if self.addresses:
            what.append(f"vaults of {', '.join(self.addresses)} in {', '.join(self.markets)}")
        if self.keeps_vaults:
            what.append(f"liquidatable vaults of {', '.join(self.markets)}")
        if self._restaking is not None:
            what.append(f"restaking of {', '.join(self._restaking.symbols)}")
        yield WatchEvent(
            "started",
            "watching " + ("; ".join(what) or "nothing"),
            data={
                "lrts": self.lrts,
                "markets": self.markets,
                "addresses": self.addresses,
                "resumed_epoch": self.state.last_epoch if self.state.last_epoch >= 0 else None,
                "state_file": str(self.path),
            },
        )
        cycles = 0
        try:
            while True:
                yield from self.cycle()
                cycles += 1
                if self.config.once or (
                    self.config.max_cycles is not None and cycles >= self.config.max_cycles
                ):
                    return
                self._wait()
        finally:
            self.close()

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def _wait(self) -> None:
        if self.sleep is not None:
            self.sleep(self.config.interval)
        elif self._stream is not None:
            self._stream.wait(self.config.interval)
        else:
            time.sleep(self.config.interval)

    def cycle(self) -> list[WatchEvent]:
        events: list[WatchEvent] = []
        if self.lrts:
            events += self._guard("beacon node", self._beacon)
        if self.markets:
            events += self._guard("chain node", self._chain)
        if self._restaking is not None:
            events += self._guard("chain node", self._restaking.check)
        with contextlib.suppress(OSError):
            save_state(self.path, self.state)
        return events

    def _set_aside(self, saved: str, finalized: int, beacon_genesis: str) -> WatchEvent:
        """The saved state is ahead of the chain (its epoch beyond the node's finalized one):
        it belongs to another chain and is never used to skip anything. The file is kept
        beside, renamed; the watch starts afresh on this chain."""
        aside = self.path.with_name(f"{self.path.stem}.ahead-{int(time.time())}.json")
        with contextlib.suppress(OSError):
            self.path.rename(aside)
        self.state = WatchState(beacon_genesis=beacon_genesis)
        return WatchEvent(
            "state_set_aside",
            f"the saved watch state ({saved}) is ahead of the chain (finalized epoch "
            f"{finalized}): set aside as {aside.name}; watching this chain afresh",
            data={"set_aside": str(aside), "finalized_epoch": finalized},
        )

    @property
    def outage(self) -> bool:
        return bool(self.down)

    def _guard(self, node: str, work: Callable[[], list[WatchEvent]]) -> list[WatchEvent]:
        """Run one part of a cycle; when it fails, its state changes are rolled back (an alert
        never counts as given unless it was yielded) and the outage is reported once."""
        before = self.state.copy()
        try:
            events = work()
        except IonError as exc:
            self.state = before
            message = " ".join(exc.message.split())
            if node in self.down:
                self.down[node] = message
                return []  # reported already; retried every cycle
            self.down[node] = message
            return [
                WatchEvent(
                    "node_error",
                    f"the {node} failed: {message} (retrying every {self.config.interval:g} s)",
                    data={"node": node, "error": message},
                )
            ]
        if node in self.down:
            del self.down[node]
            events.insert(0, WatchEvent("node_recovered", f"the {node} answers again"))
        return events

    # ---- the beacon chain

    def _beacon_client(self) -> BeaconClient:
        if self._client is None:
            from ion_cli.flows.validators import BeaconOptions, open_client, resolve_urls

            options = BeaconOptions(
                urls=list(self.config.beacon_urls), network=self.session.network
            )
            self._client = open_client(options)
            if self.config.use_events and not self.config.once:
                self._stream = EventStream(resolve_urls(options)[0])
        return self._client

    def _beacon(self) -> list[WatchEvent]:
        from ion_cli.beacon.fetch import resolve_state

        client = self._beacon_client()
        genesis = client.genesis().genesis_validators_root
        if self.state.beacon_genesis and self.state.beacon_genesis != genesis:
            self.state = WatchState(chain_genesis=self.state.chain_genesis)  # another chain
        self.state.beacon_genesis = genesis
        ref = resolve_state(client, "finalized")
        events: list[WatchEvent] = []
        if ref.epoch < self.state.last_epoch:  # another chain, or this one was reset
            events.append(self._set_aside(f"epoch {self.state.last_epoch}", ref.epoch, genesis))
        if ref.epoch <= self.state.last_epoch:
            return events
        for symbol in self.lrts:
            events += self._evaluate_set(client, symbol, ref)
        self.state.last_epoch = ref.epoch
        events.append(
            WatchEvent(
                "epoch",
                f"finalized epoch {ref.epoch} evaluated",
                data={"epoch": ref.epoch, "slot": ref.slot, "state_root": ref.state_root},
            )
        )
        return events

    def _token(self, symbol: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if symbol not in self._credentials:
            from ion_cli.flows.validators import token_validators

            token = token_validators(symbol, self.session.network, self.session.rpc_url)
            if not token.credentials and not token.ids:
                raise UsageError(
                    f"{symbol}: its adapter cannot enumerate the validators here ({token.method})"
                )
            self._credentials[symbol] = (token.credentials, token.ids)
        return self._credentials[symbol]

    def _read_set(self, client: BeaconClient, symbol: str, ref: StateRef) -> Snapshot:
        from ion_cli.beacon.fetch import snapshot_of_credentials
        from ion_cli.beacon.snapshot import Snapshot

        kept = self.state.sets.setdefault(symbol, SetState())
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
            from ion_cli.zk.rule import NetworkContext

            active = None
            if self.session.is_devnet:  # a full scan is cheap only there
                with contextlib.suppress(IonError):
                    ref = self._resolve_finalized()
                    active = _active_balance(self._beacon_client(), ref)
            self._network = NetworkContext(active_balance=active) if active else NetworkContext()
        return self._network

    def _resolve_finalized(self) -> StateRef:
        from ion_cli.beacon.fetch import resolve_state

        return resolve_state(self._beacon_client(), "finalized")

    def _evaluate_set(self, client: BeaconClient, symbol: str, ref: StateRef) -> list[WatchEvent]:
        from ion_cli.zk import rule

        snapshot = self._read_set(client, symbol, ref)
        kept = self.state.sets[symbol]
        previous = kept.previous
        epoch = ref.epoch
        events: list[WatchEvent] = []
        newly: list[Validator] = []
        for v in snapshot.validators:
            key = f"slashed:{symbol}:{v.index}"
            if not v.slashed or key in self.state.given:
                continue
            before = previous.get(v.index)
            if before is not None and before[1]:
                self.state.given.add(key)  # slashed before this watch alerted (old state)
                continue
            if before is None and not rule.is_live(v, epoch):
                continue  # a long-finished slashing: nothing left to lose
            newly.append(v)
            self.state.given.add(key)
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
                WatchEvent(
                    "balance_drop",
                    f"{symbol}: {dropped} validators lost {text(drop * GWEI, WAD)} ETH since "
                    "the previous finalized epoch evaluated",
                    alert=True,
                    data={
                        "lrt": symbol,
                        "epoch": epoch,
                        "validators": dropped,
                        "drop_gwei": drop,
                    },
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
        previous = self.state.sets[symbol].previous
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
        return WatchEvent(
            "slashing",
            f"{symbol}: {len(indices)} validator{'s' if len(indices) != 1 else ''} slashed "
            f"({shown}); estimated loss {text(total * GWEI, WAD)} ETH "
            f"({fraction:.4%} of the set's effective balance)",
            alert=True,
            data={
                "lrt": symbol,
                "epoch": ref.epoch,
                "validators": indices,
                "estimated_loss_gwei": total,
                "initial_penalty_gwei": taken,
                "correlation_penalty_gwei": part.correlation_pending,
                "estimated_loss_fraction": fraction,
                "state_root": ref.state_root,
            },
        )

    # ---- the chain

    def _chain(self) -> list[WatchEvent]:
        from ion_cli.flows.installed import require_market
        from ion_cli.flows.market_state import read_markets

        reader = self.session.reader()
        head = reader.block("latest")
        if head["number"] == self.state.last_block and not self.config.once:
            return []  # (--once evaluates the conditions again: they may still hold)
        genesis = reader.request("eth_getBlockByNumber", ["0x0", False], "reading the genesis")
        genesis_hash = str(genesis.get("hash", "")) if isinstance(genesis, dict) else ""
        if self.state.chain_genesis and genesis_hash != self.state.chain_genesis:
            self.state.rates.clear()
            self.state.active = {k for k in self.state.active if not k.startswith("chain:")}
        self.state.chain_genesis = genesis_hash
        markets = read_markets(
            reader,
            self.session.profile,
            [require_market(self.session, m) for m in self.markets],
        )
        events: list[WatchEvent] = []
        for market in markets:
            events += self._rate(market)
            events += self._proof_age(market)
            events += self._credential_set(market)
        for address in self.addresses:
            events += self._positions(markets, address)
        if self.keeps_vaults:
            for market in markets:
                events += self._liquidatable(market)
        self.state.last_block = markets[0].block if markets else head["number"]
        return events

    def _rate(self, market: MarketState) -> list[WatchEvent]:
        before = self.state.rates.get(market.symbol)
        self.state.rates[market.symbol] = market.reserve_rate
        if before is None or before == market.reserve_rate:
            return []
        change = Decimal(market.reserve_rate - before) / Decimal(before) if before else Decimal(0)
        return [
            WatchEvent(
                "reserve_rate",
                f"{market.symbol}: the reserve exchange rate moved from {text(before, WAD)} to "
                f"{text(market.reserve_rate, WAD)} ({change:+.4%})",
                data={
                    "market": market.symbol,
                    "block": market.block,
                    "before": text(before, WAD),
                    "after": text(market.reserve_rate, WAD),
                },
            )
        ]

    def _condition(
        self, key: str, holds: bool, alert: WatchEvent, cleared: WatchEvent | None
    ) -> list[WatchEvent]:
        """An alert when `holds` becomes true (once, until it is false again). With --once (cron)
        a condition is reported on every run while it holds: each run's exit code says whether
        something is wrong now, not whether it is new."""
        key = "chain:" + key
        if holds:
            if key in self.state.active and not self.config.once:
                return []
            self.state.active.add(key)
            return [alert]
        if key in self.state.active:
            self.state.active.discard(key)
            return [cleared] if cleared is not None else []
        return []

    def _positions(self, markets: list[MarketState], address: str) -> list[WatchEvent]:
        from ion_cli.flows.position import read_vaults

        events: list[WatchEvent] = []
        for market, vault in zip(markets, read_vaults(self.session, markets, address), strict=True):
            if market.liquidation_threshold is None:
                continue
            h = pm.health(
                vault.collateral,
                vault.normalized_debt,
                market.rate,
                market.reserve_rate,
                market.liquidation_threshold,
            )
            shown = text(h, RAY) if h is not None else None
            data = {
                "market": market.symbol,
                "address": address,
                "block": market.block,
                "health": shown,
                "min_health": format(self.config.min_health, "f"),
                "liquidatable": h is not None and h < RAY,
            }
            where = f"{market.symbol} vault of {address}"
            events += self._condition(
                f"health:{market.symbol}:{address.lower()}",
                h is not None and h < self.min_health,
                WatchEvent(
                    "health",
                    f"the {where} has health {Decimal(shown or 0):.4f}, under --min-health "
                    f"{self.config.min_health}"
                    + (" (liquidatable)" if data["liquidatable"] else ""),
                    alert=True,
                    data=data,
                ),
                WatchEvent(
                    "health_recovered",
                    f"the {where} is back above --min-health "
                    f"({'no debt' if shown is None else f'{Decimal(shown):.4f}'})",
                    data=data,
                ),
            )
        return events

    def _liquidatable(self, market: MarketState) -> list[WatchEvent]:
        from ion_cli.addresses import to_checksum
        from ion_cli.flows.vaults import read_vault_balances, update_index, vault_row

        if market.liquidation_threshold is None:
            return []
        reader = self.session.reader()
        index = update_index(
            reader, self.session.profile.chain_id, market.pool, market.ilk_index, market.block
        )
        events: list[WatchEvent] = []
        for owner, collateral, nd in read_vault_balances(
            reader, market, sorted(index.owners or ())
        ):
            row = vault_row(market, to_checksum(owner), collateral, nd)
            events += self._condition(
                f"liquidatable:{market.symbol}:{owner}",
                row.liquidatable,
                WatchEvent(
                    "liquidatable",
                    f"the {market.symbol} vault of {row.address} is liquidatable (health "
                    f"{Decimal(row.health or 0):.4f}; repay {row.liquidation['repay_amount']} "
                    f"{market.base_symbol}): `ion liquidate {market.symbol} {row.address}`",
                    alert=True,
                    data={
                        "market": market.symbol,
                        "address": row.address,
                        "block": market.block,
                        "health": row.health,
                        "liquidation": row.liquidation,
                    },
                ),
                None,
            )
        return events

    def _proof_age(self, market: MarketState) -> list[WatchEvent]:
        if self.config.max_proof_age is None:
            return []
        feed = getattr(self.session.profile.market(market.symbol), "risk_feed", None)
        if not feed:
            return []
        from ion_cli.zk.feed import read_latest

        latest = read_latest(self.session.reader(), feed, market.block)
        age = latest.age_seconds(market.timestamp)
        if age is None:
            # No proof yet: the oracle reads the protocol's rate alone. Said once, not an alert.
            return self._condition(
                f"proof_none:{market.symbol}",
                True,
                WatchEvent(
                    "proof_none",
                    f"{market.symbol}: its risk feed has accepted no proof yet",
                    data={"market": market.symbol, "block": market.block, "feed": feed},
                ),
                None,
            )
        self.state.active.discard(f"chain:proof_none:{market.symbol}")
        limit = self.config.max_proof_age
        return self._condition(
            f"proof_age:{market.symbol}",
            age > limit,
            WatchEvent(
                "proof_age",
                f"{market.symbol}: the latest accepted risk proof (slot {latest.slot}) is "
                f"{_duration(age)} old, over --max-proof-age {_duration(limit)}",
                alert=True,
                data={
                    "market": market.symbol,
                    "block": market.block,
                    "feed": feed,
                    "age_seconds": age,
                    "slot": latest.slot,
                },
            ),
            WatchEvent(
                "proof_fresh",
                f"{market.symbol}: a new risk proof was accepted (slot {latest.slot}, "
                f"{_duration(age)} old)",
                data={"market": market.symbol, "block": market.block, "age_seconds": age},
            ),
        )

    def _credential_set(self, market: MarketState) -> list[WatchEvent]:
        """An event when the LRT's credential set (read by its risk feed from the LRT's
        contracts or its registry) is no longer the one the latest accepted proof snapshotted."""
        feed = getattr(self.session.profile.market(market.symbol), "risk_feed", None)
        if not feed:
            return []
        from ion_cli.abi.keccak import keccak256
        from ion_cli.errors import IonError
        from ion_cli.zk.feed import read_credentials, read_latest

        try:
            latest = read_latest(self.session.reader(), feed, market.block)
            now = read_credentials(self.session.reader(), feed, market.block)
        except IonError:
            return []  # a feed without credential sources (an older deployment)
        if not latest.accepted:
            return []
        packed = b"".join(bytes.fromhex(c[2:]) for c in now["credentials"])
        current = "0x" + keccak256(packed).hex()
        return self._condition(
            f"credentials:{market.symbol}",
            current != latest.credentials_hash,
            WatchEvent(
                "credential_set_changed",
                f"{market.symbol}: its credential set ({now['source']}, {now['count']} "
                f"credentials) changed since the latest accepted proof (slot {latest.slot}); "
                "the next proof is judged against the new set",
                data={
                    "market": market.symbol,
                    "block": market.block,
                    "feed": feed,
                    "source": now["source"],
                    "count": now["count"],
                    "snapshotted": latest.credentials_hash,
                    "current": current,
                },
            ),
            None,
        )


def _active_balance(client: BeaconClient, ref: StateRef) -> int | None:
    """The network's total active effective balance (a full scan: the devnet's set is small)."""
    epoch = ref.epoch
    answer = client.scan(ref.state_root, lambda v: v.activation_epoch <= epoch < v.exit_epoch)
    return sum(v.effective_balance for v in answer.validators) or None


def _duration(seconds: int) -> str:
    """3725 -> "1h2m5s", 86400 -> "1d"."""
    parts = []
    for size, unit in ((86_400, "d"), (3600, "h"), (60, "m"), (1, "s")):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


def parse_duration(value: str, what: str) -> float:
    """12, 12s, 5m, 2h, 1d -> seconds."""
    raw = value.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
    scale = 1
    if raw and raw[-1] in units:
        scale = units[raw[-1]]
        raw = raw[:-1]
    try:
        if not raw.isascii():  # Decimal() takes any Unicode digit
            raise ValueError(raw)
        number = Decimal(raw)
    except Exception:
        raise UsageError(f"{what}: {value!r} is not a duration (12s, 5m, 2h, 1d)") from None
    if not number.is_finite() or number <= 0 or number * scale > 365 * 86_400:
        raise UsageError(f"{what}: {value!r} must be a positive duration of at most a year")
    return float(number * scale)


def watch(
    session: Session, config: WatchConfig, *, path: Path | None = None
) -> Iterator[WatchEvent]:
    """The events of a watch (see the module docstring); ends after one cycle with `once`."""
    return Watcher(session, config, path=path).run()
