"""What every monitor of one watch shares: the session and configuration, what is watched (the
markets, LRTs and vault owners, resolved once), the state kept between runs, the conditions'
life cycle, and the beacon node's client (opened on first use, with its event stream)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ion_cli.errors import IonError, UsageError
from ion_cli.flows.figures import RAY
from ion_cli.flows.watch.config import WatchConfig
from ion_cli.flows.watch.state import WatchState, load_state, state_path

if TYPE_CHECKING:
    from ion_cli.beacon.client import BeaconClient
    from ion_cli.beacon.event_stream import EventStream
    from ion_cli.flows.session import Session
    from ion_cli.flows.watch.events import WatchEvent


@dataclass
class WatchContext:
    session: Session
    config: WatchConfig
    path: Path
    state: WatchState = field(default_factory=WatchState)
    markets: list[str] = field(default_factory=list)
    lrts: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    stream: EventStream | None = None
    _client: BeaconClient | None = None

    @classmethod
    def open(cls, session: Session, config: WatchConfig, path: Path | None = None) -> WatchContext:
        """Check the configuration, resolve what it names and load the saved state."""
        if config.min_health <= 0:
            raise UsageError("`min_health` must be greater than zero", params=("min_health",))
        if config.interval <= 0:
            raise UsageError("`interval_s` must be greater than zero", params=("interval_s",))
        markets = _market_symbols(session, config)
        lrts = _lrt_symbols(config, markets)
        addresses = [session.address_of(a) for a in config.addresses]
        profile = session.profile
        path = path or state_path(profile.chain_id, profile.name, config, lrts, _genesis(session))
        return cls(
            session=session,
            config=config,
            path=path,
            state=load_state(path),
            markets=markets,
            lrts=lrts,
            addresses=addresses,
        )

    @property
    def min_health(self) -> int:
        """--min-health in RAY, as the health figures are."""
        return int(self.config.min_health * RAY)

    def condition(
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

    def beacon_client(self) -> BeaconClient:
        if self._client is None:
            from ion_cli.beacon.event_stream import EventStream
            from ion_cli.flows.validators import BeaconOptions, open_client, resolve_urls

            options = BeaconOptions(
                urls=list(self.config.beacon_urls), network=self.session.network
            )
            self._client = open_client(options)
            if self.config.use_events and not self.config.once:
                self.stream = EventStream(resolve_urls(options)[0])
        return self._client

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        if self._client is not None:
            self._client.close()
            self._client = None


def lrt_name(symbol: str) -> str:
    """The LRT's symbol as its adapter spells it; a usage error for an unknown one."""
    from ion_cli.plugins_registry import load

    try:
        return load(symbol.lower()).symbol
    except IonError:
        raise
    except Exception:
        raise UsageError(f"unknown LRT {symbol!r}") from None


def _genesis(session: Session) -> str:
    """The chain's genesis hash for the state file's key; "" when the node cannot be read
    now (the watch starts anyway and reports the outage; the state's own genesis fields
    then guard against another chain's state)."""
    try:
        block = session.reader().request(
            "eth_getBlockByNumber", ["0x0", False], "reading the genesis"
        )
    except Exception:
        return ""
    return str(block.get("hash", "")) if isinstance(block, dict) else ""


def _market_symbols(session: Session, config: WatchConfig) -> list[str]:
    from ion_cli.flows.installed import available_markets, require_market

    if config.markets:
        return [require_market(session, m).symbol for m in config.markets]
    if config.addresses or not (config.lrts or config.restaking):
        return [m.symbol for m in available_markets(session)]
    return []


def _lrt_symbols(config: WatchConfig, markets: list[str]) -> list[str]:
    if config.lrts:
        return list(dict.fromkeys(lrt_name(symbol) for symbol in config.lrts))
    return list(markets)
