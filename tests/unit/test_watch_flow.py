"""The pure parts of `ion watch`: durations, the event's environment for --exec, the state
file's round trip, outages reported once, and the risk-proof age alert's life cycle."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from ion_cli.errors import NodeError, UsageError
from ion_cli.flows import watch as w


def test_durations() -> None:
    assert w.parse_duration("12s", "--interval") == 12
    assert w.parse_duration("12", "--interval") == 12
    assert w.parse_duration("1d", "--max-proof-age") == 86_400
    assert w.parse_duration("0.5m", "--interval") == 30
    for bad in ("", "0", "-1s", "abc", "nan", "inf", "2y", "400d"):
        with pytest.raises(UsageError):
            w.parse_duration(bad, "--interval")
    assert w._duration(3725) == "1h2m5s" and w._duration(86_400) == "1d"


def test_the_event_environment_carries_the_json_line() -> None:
    event = w.WatchEvent(
        "slashing", "weETH: 1 validator slashed", alert=True, data={"lrt": "weETH", "epoch": 7}
    )
    env = event.environ()
    assert json.loads(env["ION_EVENT"]) == event.to_json()
    assert env["ION_EVENT_KIND"] == "slashing" and env["ION_EVENT_ALERT"] == "1"
    assert env["ION_EVENT_LRT"] == "weETH" and env["ION_EVENT_EPOCH"] == "7"


def test_state_round_trip(tmp_path: Path) -> None:
    state = w.WatchState(
        beacon_genesis="0xaa",
        last_epoch=12,
        last_block=99,
        sets={"weETH": w.SetState(ids=[1, 2], previous={1: (32, False), 2: (31, True)})},
        active={"chain:health:weETH:0x1"},
        given={"slashed:weETH:2"},
        rates={"weETH": 10**18},
    )
    path = tmp_path / "s.json"
    w.save_state(path, state)
    assert w.load_state(path) == state
    path.write_text("{broken")
    assert w.load_state(path) == w.WatchState()


def _bare_watcher(**config: Any) -> w.Watcher:
    watcher = w.Watcher.__new__(w.Watcher)
    watcher.config = w.WatchConfig(**config)
    watcher.state = w.WatchState()
    watcher.down = {}
    return watcher


def test_an_outage_is_reported_once_and_its_end_too() -> None:
    watcher = _bare_watcher(interval=1.0)

    def fail() -> list[w.WatchEvent]:
        raise NodeError("connection refused")

    assert [e.kind for e in watcher._guard("beacon node", fail)] == ["node_error"]
    assert watcher._guard("beacon node", fail) == [] and watcher.outage
    assert [e.kind for e in watcher._guard("beacon node", list)] == ["node_recovered"]
    assert watcher._guard("beacon node", list) == [] and not watcher.outage


@dataclass(frozen=True)
class Latest:
    accepted: bool
    slot: int
    when: int

    def age_seconds(self, now: int) -> int | None:
        return now - self.when if self.accepted else None


def test_the_proof_age_alert_fires_once_per_staleness(monkeypatch: pytest.MonkeyPatch) -> None:
    from ion_cli.zk import feed

    watcher = _bare_watcher(max_proof_age=3600)
    profile = SimpleNamespace(market=lambda symbol: SimpleNamespace(risk_feed="0xfeed"))
    watcher.session = SimpleNamespace(profile=profile, reader=lambda: None)  # type: ignore[assignment]
    latest = [Latest(False, 0, 0)]
    monkeypatch.setattr(feed, "read_latest", lambda reader, address, block: latest[0])
    market = SimpleNamespace(symbol="weETH", block=1, timestamp=10_000)

    def kinds(now: int) -> list[tuple[str, bool]]:
        m = SimpleNamespace(**{**vars(market), "timestamp": now})
        return [(e.kind, e.alert) for e in watcher._proof_age(m)]  # type: ignore[arg-type]

    assert kinds(10_000) == [("proof_none", False)]
    assert kinds(10_001) == []
    latest[0] = Latest(True, 5, 10_000)
    assert kinds(10_100) == []
    assert kinds(10_000 + 3601) == [("proof_age", True)]
    assert kinds(10_000 + 7200) == []  # still stale: not repeated
    latest[0] = Latest(True, 6, 17_000)
    assert kinds(17_100) == [("proof_fresh", False)]
    assert kinds(17_000 + 3601) == [("proof_age", True)]


def test_a_failed_part_of_a_cycle_leaves_the_state_as_it_was() -> None:
    watcher = _bare_watcher(interval=1.0)
    watcher.state.given.add("slashed:weETH:1")

    def half_done() -> list[w.WatchEvent]:
        watcher.state.given.add("slashed:weETH:2")  # an alert decided, then the node failed
        watcher.state.last_epoch = 99
        raise NodeError("connection reset")

    assert [e.kind for e in watcher._guard("beacon node", half_done)] == ["node_error"]
    assert watcher.state.given == {"slashed:weETH:1"} and watcher.state.last_epoch == -1
