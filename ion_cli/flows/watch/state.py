"""What the watch has seen, kept in the user state dir between runs: the last epoch and block,
the previous snapshot of each validator set, the alerts active or given, the reserve rates. It is
written atomically after each cycle, so a restart resumes where it stopped without repeating an
alert; one file per chain identity, network and watch configuration."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli.atomic import write_atomic

if TYPE_CHECKING:
    from ion_cli.flows.watch.config import WatchConfig

STATE_VERSION = 1


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
