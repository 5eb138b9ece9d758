"""The pure parts of `ion watch`: durations, the event's environment for --exec, the state
file's round trip, outages reported once, and the risk-proof age alert's life cycle."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from ion_cli.durations import compact
from ion_cli.errors import NodeError, UsageError
from ion_cli.flows import watch as w
from ion_cli.flows.watch.context import WatchContext
from ion_cli.flows.watch.monitors.proof_age import ProofAgeMonitor
from ion_cli.flows.watch.monitors.validator_set import Slashing
from ion_cli.flows.watch.state import SetState, WatchState, load_state, save_state


def test_durations() -> None:
    assert w.parse_duration("12s", "--interval") == 12
    assert w.parse_duration("12", "--interval") == 12
    assert w.parse_duration("1d", "--max-proof-age") == 86_400
    assert w.parse_duration("0.5m", "--interval") == 30
    for bad in ("", "0", "-1s", "abc", "nan", "inf", "2y", "400d"):
        with pytest.raises(UsageError):
            w.parse_duration(bad, "--interval")
    assert compact(3725) == "1h2m5s" and compact(86_400) == "1d"


def test_the_event_environment_carries_the_json_line() -> None:
    event = Slashing(
        message="weETH: 1 validator slashed",
        lrt="weETH",
        epoch=7,
        validators=[3],
        estimated_loss_gwei=1,
        initial_penalty_gwei=1,
        correlation_penalty_gwei=0,
        estimated_loss_fraction=0.5,
        state_root="0x00",
    )
    env = event.environ()
    assert json.loads(env["ION_EVENT"]) == event.to_json()
    assert env["ION_EVENT_KIND"] == "slashing" and env["ION_EVENT_ALERT"] == "1"
    assert env["ION_EVENT_LRT"] == "weETH" and env["ION_EVENT_EPOCH"] == "7"


def test_state_round_trip(tmp_path: Path) -> None:
    state = WatchState(
        beacon_genesis="0xaa",
        last_epoch=12,
        last_block=99,
        sets={"weETH": SetState(ids=[1, 2], previous={1: (32, False), 2: (31, True)})},
        active={"chain:health:weETH:0x1"},
        given={"slashed:weETH:2"},
        rates={"weETH": 10**18},
    )
    path = tmp_path / "s.json"
    save_state(path, state)
    assert load_state(path) == state
    path.write_text("{broken")
    assert load_state(path) == WatchState()


def _context(**config: Any) -> WatchContext:
    session: Any = SimpleNamespace()
    return WatchContext(session=session, config=w.WatchConfig(**config), path=Path("unused"))


def _bare_watcher(**config: Any) -> w.Watcher:
    return w.Watcher.of(_context(**config))


def test_an_outage_is_reported_once_and_its_end_too() -> None:
    watcher = _bare_watcher(interval=1.0)

    def fail() -> list[w.WatchEvent]:
        raise NodeError("connection refused")

    assert [e.kind for e in watcher.guard("beacon node", fail)] == ["node_error"]
    assert watcher.guard("beacon node", fail) == [] and watcher.outage
    assert [e.kind for e in watcher.guard("beacon node", list)] == ["node_recovered"]
    assert watcher.guard("beacon node", list) == [] and not watcher.outage


@dataclass(frozen=True)
class Latest:
    accepted: bool
    slot: int
    when: int

    def age_seconds(self, now: int) -> int | None:
        return now - self.when if self.accepted else None


def test_the_proof_age_alert_fires_once_per_staleness(monkeypatch: pytest.MonkeyPatch) -> None:
    from ion_cli.zk import feed

    watch = _context(max_proof_age=3600)
    profile = SimpleNamespace(market=lambda symbol: SimpleNamespace(risk_feed="0xfeed"))
    watch.session = SimpleNamespace(profile=profile, reader=lambda: None)  # type: ignore[assignment]
    monitor = ProofAgeMonitor(watch)
    latest = [Latest(False, 0, 0)]
    monkeypatch.setattr(feed, "read_latest", lambda reader, address, block: latest[0])
    market = SimpleNamespace(symbol="weETH", block=1, timestamp=10_000)

    def kinds(now: int) -> list[tuple[str, bool]]:
        m = SimpleNamespace(**{**vars(market), "timestamp": now})
        return [(e.kind, e.alert) for e in monitor.on_market(m)]  # type: ignore[arg-type]

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

    assert [e.kind for e in watcher.guard("beacon node", half_done)] == ["node_error"]
    assert watcher.state.given == {"slashed:weETH:1"} and watcher.state.last_epoch == -1


# The JSON line of each kind, as the watch printed it before the events were typed: the keys
# beside kind, alert, time and message (scripts reading `ion watch --json` depend on them).
JSON_KEYS = {
    "started": {"lrts", "markets", "addresses", "resumed_epoch", "state_file"},
    "node_error": {"node", "error"},
    "node_recovered": set(),
    "state_set_aside": {"set_aside", "finalized_epoch"},
    "epoch": {"epoch", "slot", "state_root"},
    "slashing": {
        "lrt",
        "epoch",
        "validators",
        "estimated_loss_gwei",
        "initial_penalty_gwei",
        "correlation_penalty_gwei",
        "estimated_loss_fraction",
        "state_root",
    },
    "balance_drop": {"lrt", "epoch", "validators", "drop_gwei"},
    "reserve_rate": {"market", "block", "before", "after"},
    "health": {"market", "address", "block", "health", "min_health", "liquidatable"},
    "health_recovered": {"market", "address", "block", "health", "min_health", "liquidatable"},
    "liquidatable": {"market", "address", "block", "health", "liquidation"},
    "proof_none": {"market", "block", "feed"},
    "proof_age": {"market", "block", "feed", "age_seconds", "slot"},
    "proof_fresh": {"market", "block", "age_seconds"},
    "credential_set_changed": {
        "market",
        "block",
        "feed",
        "source",
        "count",
        "snapshotted",
        "current",
    },
    "restaking_slash": {
        "lrt",
        "operator",
        "avs",
        "set",
        "wad_slashed",
        "lrt_lost_wei",
        "lrt_lost_eth",
        "description",
        "block",
        "transaction_hash",
    },
    "restaking_allocation": {
        "lrt",
        "operator",
        "avs",
        "set",
        "magnitude",
        "previous_magnitude",
        "effect_block",
        "lrt_slashable_added_wei",
        "block",
    },
    "restaking_beacon_factor": {"lrt", "staker", "pod", "previous_factor", "factor", "block"},
    "false_submission": {
        "market",
        "feed",
        "submission",
        "slot",
        "deadline",
        "finding",
        "provable",
    },
    "false_submission_closed": {"market", "feed", "submission", "status"},
    "submission_challenged": {"market", "feed", "submission", "function", "tx_hash", "ok"},
}
ALERTS = {
    "false_submission",
    "slashing",
    "balance_drop",
    "health",
    "liquidatable",
    "proof_age",
    "restaking_slash",
    "restaking_allocation",
    "restaking_beacon_factor",
}


def test_every_kind_is_one_class_with_the_json_keys_it_always_had() -> None:
    import dataclasses

    from ion_cli.flows.watch.events import EVENT_KINDS
    from ion_cli.flows.watch.monitor import registered

    registered()  # imports every monitor module, and so defines their kinds
    # the watch's own kinds: others (the guard's, flows/guard/events.py) join the same registry
    # once imported, which another test in this worker may or may not have done
    watch_kinds = {
        kind: cls
        for kind, cls in EVENT_KINDS.items()
        if cls.__module__.startswith("ion_cli.flows.watch.")
    }
    assert set(watch_kinds) == set(JSON_KEYS)
    for kind, cls in watch_kinds.items():
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen, kind  # type: ignore[attr-defined]
        names = {f.metadata.get("json", f.name) for f in dataclasses.fields(cls)}
        assert names - {"message", "time"} == JSON_KEYS[kind], kind
        assert cls.alert == (kind in ALERTS), kind


def test_a_json_line_keeps_its_shape() -> None:
    from ion_cli.flows.watch.monitors.restaking import RestakingSlash

    event = RestakingSlash(
        message="m",
        time=5,
        lrt="ezETH",
        operator="0xop",
        avs="0xavs",
        operator_set=0,
        wad_slashed="1",
        lrt_lost_wei="2",
        lrt_lost_eth="0.000000000000000002",
        description="d",
        block=9,
        transaction_hash="0xtx",
    )
    line = event.to_json()
    assert list(line)[:4] == ["kind", "alert", "time", "message"]
    assert line["kind"] == "restaking_slash" and line["alert"] is True and line["set"] == 0
    assert event.environ()["ION_EVENT_LRT"] == "ezETH"
    assert event.environ()["ION_EVENT_BLOCK"] == "9"


def test_every_module_of_the_monitors_package_registers_its_monitor() -> None:
    """A new monitor is a new file: the registry finds it without any other edit."""
    import pkgutil

    from ion_cli.flows.watch import monitors
    from ion_cli.flows.watch.monitor import registered

    found = {cls.__module__.rsplit(".", 1)[1] for cls in registered()}
    files = {m.name for m in pkgutil.iter_modules(monitors.__path__)}
    assert found == files
    orders = [cls.order for cls in registered()]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)


def test_the_two_duration_forms() -> None:
    from ion_cli.durations import spaced

    assert spaced(3725) == "1 h 2 min" and spaced(65) == "1 min 5 s" and spaced(-3) == "0 s"
