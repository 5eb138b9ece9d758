"""`ion watch` on the devnet: time is moved with `ion devnet advance`, never waited for.

- a slashing injected with `ion devnet slash` gives exactly one alert naming the LRT, the
  validator indices and the estimated loss; a later run (the state file resumes it) does not
  repeat it; --exec receives the event in its environment; --once exits 6 on an alert, 0
  without;
- a reserve-rate move that puts a vault under --min-health: a condition, so --once (cron)
  reports it and exits 6 on every run while it holds, and 0 once the vault is repaired;
- a beacon server restart in the middle of a watch is reported once, survived, and the
  slashing after it alerted once.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli import consensus_rules as cr
from ion_cli.cli import app
from ion_cli.devnet import params
from ion_cli.testing.devnet import DevnetHandle, Protocol

pytestmark = pytest.mark.integration
RAY, WAD = params.RAY, params.WAD


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("ION_BEACON_URL", raising=False)
    return tmp_path / "cache"


def ion(*args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def watch(*args: str, code: int) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, ["watch", "--once", "--json", *args])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    return [json.loads(line) for line in result.stdout.splitlines()]


def alerts(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["alert"]]


def test_a_slashing_alerts_once_with_indices_and_loss(devnet: DevnetHandle, tmp_path: Path) -> None:
    first = watch("--lrt", "weETH", code=0)
    assert first[0]["kind"] == "started"
    assert any(e["kind"] == "epoch" for e in first) and not alerts(first)

    slashed = ion("devnet", "slash", "--lrt", "weETH", "--count", "2")["validators"]
    indices = sorted(int(v["index"]) for v in slashed)
    ion("devnet", "advance", "--epochs", "3")
    sink = tmp_path / "exec.jsonl"
    script = "import os, sys; open(sys.argv[1], 'a').write(os.environ['ION_EVENT'] + '\\n')"
    exec_line = f'{sys.executable} -c "{script}" {sink}'
    second = watch("--lrt", "weETH", "--exec", exec_line, code=6)
    (alert,) = alerts(second)
    assert alert["kind"] == "slashing" and alert["lrt"] == "weETH"
    assert alert["validators"] == indices
    assert "weETH" in alert["message"] and all(str(i) in alert["message"] for i in indices)
    # the initial penalty (effective balance / 4096 each) is part of the estimated loss
    shown = ion("validators", "show", *map(str, indices))["validators"]
    initial = sum(
        int(v["effective_balance_gwei"]) // cr.MIN_SLASHING_PENALTY_QUOTIENT_ELECTRA for v in shown
    )
    assert alert["initial_penalty_gwei"] == initial
    assert alert["estimated_loss_gwei"] == initial + alert["correlation_penalty_gwei"] > initial
    (received,) = [json.loads(line) for line in sink.read_text().splitlines()]
    assert received == alert

    # resumed from the state file: the slashing is not alerted again
    ion("devnet", "advance", "--epochs", "1")
    third = watch("--lrt", "weETH", code=0)
    assert not alerts(third)
    resumed = third[0]["resumed_epoch"]
    assert resumed is not None and resumed >= max(e["epoch"] for e in second if "epoch" in e)


def _open_vault(p: Protocol, collateral: int, fraction: Decimal) -> None:
    m = p.market("weETH")
    p.send(p.dev, m.collateral_token, "DevToken", "approve", m.gem_join, collateral)
    p.send(p.dev, m.gem_join, "GemJoin", "join", p.dev, collateral)
    p.send(p.dev, m.pool, "IonPool", "depositCollateral", 0, p.dev, p.dev, collateral, [])
    spot = int(p.call(m.spot_oracle, "SpotOracle", "getSpot"))
    rate = int(p.call(m.pool, "IonPool", "rate", 0))
    nd = int(collateral * spot // RAY * fraction) * RAY // rate
    p.send(p.dev, m.pool, "IonPool", "borrow", 0, p.dev, p.dev, nd, [])


def _set_reserve_rate(p: Protocol, oracle: str, rate: int) -> None:
    value = int(p.call(oracle, "WeEthWstEthReserveOracle", "currentExchangeRate"))
    for slot in range(64):
        if int.from_bytes(p.w3.eth.get_storage_at(oracle, slot), "big") == value:
            word = "0x" + rate.to_bytes(32, "big").hex()
            p.w3.provider.make_request("anvil_setStorageAt", [oracle, hex(slot), word])
            p.w3.provider.make_request("evm_mine", [])
            return
    raise AssertionError("currentExchangeRate not found")


def test_a_rate_move_under_min_health_alerts_once(devnet: DevnetHandle, protocol: Protocol) -> None:
    p, m = protocol, protocol.market("weETH")
    _open_vault(p, 20 * WAD, Decimal("0.5"))
    args = ("--market", "weETH", "--address", p.dev, "--min-health", "1.2", "--lrt", "weETH")
    before = watch(*args, code=0)
    assert not alerts(before)
    rate = int(p.call(m.reserve_oracle, "WeEthWstEthReserveOracle", "currentExchangeRate"))
    position = ion("position", "weETH")
    health = Decimal(position["health"])
    # a fall that takes the health to about 1.1: under 1.2, not liquidatable
    _set_reserve_rate(p, m.reserve_oracle, int(rate * Decimal("1.1") / health))
    after = watch(*args, code=6)
    (alert,) = alerts(after)
    assert alert["kind"] == "health" and alert["market"] == "weETH"
    assert alert["address"] == p.dev and Decimal(alert["health"]) < Decimal("1.2")
    assert alert["liquidatable"] is False
    assert any(e["kind"] == "reserve_rate" for e in after)
    # a condition, not an event: every cron run says so while it holds
    (again,) = alerts(watch(*args, code=6))
    assert again["kind"] == "health"
    _set_reserve_rate(p, m.reserve_oracle, rate)
    assert not alerts(watch(*args, code=0))


def test_a_beacon_server_restart_mid_watch_is_survived(
    devnet: DevnetHandle, devnet_session: DevnetHandle
) -> None:
    from ion_cli.config import load_config
    from ion_cli.devnet import beacon
    from ion_cli.flows.session import Session
    from ion_cli.flows.watch import WatchConfig, Watcher

    assert devnet.beacon_url is not None
    port = int(devnet.beacon_url.rsplit(":", 1)[1].split("/")[0])
    steps: list[str] = []

    def restart_server() -> None:
        beacon.stop(devnet.deployment_dir)
        steps.append("stopped")

    def start_server_and_slash() -> None:
        info = beacon.start(devnet.deployment_dir, devnet.rpc_url, port=port)
        devnet_session.beacon_pid = info.pid
        steps.append("restarted")
        slashed = ion("devnet", "slash", "--lrt", "weETH", "--count", "1")["validators"]
        steps.append(f"slashed {slashed[0]['index']}")
        ion("devnet", "advance", "--epochs", "3")

    def advance() -> None:
        ion("devnet", "advance", "--epochs", "2")

    script = [restart_server, lambda: None, start_server_and_slash, advance, advance]

    def sleep(_: float) -> None:
        script.pop(0)()

    config = WatchConfig(lrts=("weETH",), interval=0.01, max_cycles=6, use_events=False)
    watcher = Watcher(Session(config=load_config()), config, sleep=sleep)
    events = list(watcher.run())
    kinds = [e.kind for e in events]
    assert kinds.count("node_error") == 1, kinds
    assert kinds.count("node_recovered") == 1, kinds
    assert kinds.index("node_error") < kinds.index("node_recovered") < kinds.index("slashing")
    (slashing,) = [e for e in events if e.alert]
    assert slashing.kind == "slashing"
    assert [f"slashed {i}" for i in slashing.data["validators"]] == [steps[-1]]
    assert not watcher.outage


def test_once_exits_4_when_a_node_cannot_be_read(devnet: DevnetHandle) -> None:
    events = watch("--lrt", "weETH", "--beacon-url", "http://127.0.0.1:9", code=4)
    (error,) = [e for e in events if e["kind"] == "node_error"]
    assert error["node"] == "beacon node" and not alerts(events)


def test_a_keeper_watch_alerts_when_a_vault_becomes_liquidatable(
    devnet: DevnetHandle, protocol: Protocol
) -> None:
    p, m = protocol, protocol.market("weETH")
    _open_vault(p, 20 * WAD, Decimal("0.99"))
    args = ("--market", "weETH", "--lrt", "weETH")
    assert not alerts(watch(*args, code=0))
    rate = int(p.call(m.reserve_oracle, "WeEthWstEthReserveOracle", "currentExchangeRate"))
    _set_reserve_rate(p, m.reserve_oracle, rate * 9 // 10)
    (alert,) = alerts(watch(*args, code=6))
    assert alert["kind"] == "liquidatable" and alert["address"] == p.dev
    assert alert["liquidation"]["outcome"] in ("partial", "dust")
    assert f"ion liquidate weETH {p.dev}" in alert["message"]


def test_once_exits_6_on_every_run_while_a_vault_is_liquidatable_and_0_after_repair(
    devnet: DevnetHandle, protocol: Protocol
) -> None:
    """Cron runs `ion watch --once`: the exit code says whether something is wrong now. Issue
    17: the second run exited 0 with the vault still liquidatable."""
    p, m = protocol, protocol.market("weETH")
    _open_vault(p, 20 * WAD, Decimal("0.99"))
    args = ("--market", "weETH")
    rate = int(p.call(m.reserve_oracle, "WeEthWstEthReserveOracle", "currentExchangeRate"))
    _set_reserve_rate(p, m.reserve_oracle, rate * 9 // 10)
    for _ in range(3):  # the same block each time, and new blocks in between do not matter
        (alert,) = alerts(watch(*args, code=6))
        assert alert["kind"] == "liquidatable" and alert["address"] == p.dev
    _set_reserve_rate(p, m.reserve_oracle, rate)  # repaired: the rate is back
    assert not alerts(watch(*args, code=0))
    assert not alerts(watch(*args, code=0))


@pytest.mark.parametrize(
    "args",
    [
        ("watch", "--once", "--interval", "0"),
        ("watch", "--once", "--interval", "soon"),
        ("watch", "--once", "--min-health", "abc"),
        ("watch", "--once", "--min-health", "-1"),
        ("watch", "--once", "--exec", ""),
        ("watch", "--once", "--exec", "'unclosed"),
        ("watch", "--once", "--max-proof-age", "1y"),
        ("watch", "--once", "--lrt", "nope"),
        ("watch", "--once", "--market", "nope"),
        ("vaults", "nope"),
        ("liquidate", "weETH", "0x123", "--yes"),
        ("liquidate", "nope", "0x" + "11" * 20, "--yes"),
        ("liquidate", "weETH", "0x" + "11" * 20, "--max-repay", "-1", "--yes"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(devnet: DevnetHandle, args: tuple[str, ...]) -> None:
    nonce = devnet.w3.eth.get_transaction_count(devnet.dev)
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 2, (args, result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert devnet.w3.eth.get_transaction_count(devnet.dev) == nonce


def test_the_event_stream_wakes_the_watch(devnet: DevnetHandle) -> None:
    from ion_cli.beacon.event_stream import EventStream

    assert devnet.beacon_url is not None
    stream = EventStream([devnet.beacon_url])
    try:
        assert stream.connected.wait(60), "the stream did not open"
        stream.wake.clear()
        ion("devnet", "advance", "--epochs", "1")
        # a generous bound on the wait for the node's event, not a timing measurement
        assert stream.wake.wait(60), "no event from the node's stream"
        assert stream.offered is True
    finally:
        stream.close()


def test_a_state_ahead_of_the_chain_is_set_aside_and_a_slashing_still_alerts(
    devnet: DevnetHandle,
) -> None:
    """After a devnet reset (or on another chain), the saved state's epoch is beyond the node's
    finalized epoch: it is set aside with a warning, never used to skip epochs, and a slashing
    on this chain alerts (issue 16)."""
    first = watch("--lrt", "weETH", code=0)
    path = Path(first[0]["state_file"])
    saved = json.loads(path.read_text())
    saved["last_epoch"] += 1000  # the old chain had run far ahead before the reset
    path.write_text(json.dumps(saved))
    ion("devnet", "slash", "--lrt", "weETH", "--count", "1")
    ion("devnet", "advance", "--epochs", "3")
    events = watch("--lrt", "weETH", code=6)
    (aside,) = [e for e in events if e["kind"] == "state_set_aside"]
    assert Path(aside["set_aside"]).exists() and "ahead of the chain" in aside["message"]
    assert [e["kind"] for e in alerts(events)] == ["slashing"]
