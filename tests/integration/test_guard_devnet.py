"""`ion guard` on the devnet (issue 26): a reserve-rate fall below --repay-below repays to the
target in one plan, once per episode (a rerun and a restart act no more; the trigger re-arms
past its margin and a second fall is a second episode); the daily bound stops a second action;
--dry-run sends and keeps nothing. Time is moved with storage writes and mined blocks (and
`ion devnet advance`), never waited for. ezETH: its handler deleverages in one transaction."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.testing.devnet import DevnetHandle, Protocol, module_state

pytestmark = pytest.mark.integration
MARKET = "ezETH"
WAD = 10**18


def current_rate(w3: Any, oracle: str) -> int:
    """The reserve oracle's `currentExchangeRate()` (the published interface's view)."""
    selector = bytes(w3.keccak(text="currentExchangeRate()"))[:4]
    return int.from_bytes(bytes(w3.eth.call({"to": oracle, "data": "0x" + selector.hex()})), "big")


def valid(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` keeps the output contract and follows its documented schema (ion_cli/schemas/)."""
    from ion_cli.testing.json_documents import check_document

    return check_document(doc)


def ion(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    if not result.stdout.strip().startswith("{"):
        return None
    doc = json.loads(result.stdout)
    return valid(doc) if args[0] == "guard" else doc


def guard_run(*args: str, code: int) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, ["guard", "run", "--once", "--json", *args])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    events = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert all(valid(e)["schema"] == "ion.guard.run/1" for e in events)
    return events


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [e["kind"] for e in events if e["kind"] != "guard_started"]


def nonce(p: Protocol) -> int:
    return int(p.w3.eth.get_transaction_count(p.dev))


def set_reserve_rate(p: Protocol, rate: int) -> None:
    """The market's reserve oracle answers `rate` (its storage word), in a new block."""
    oracle = p.market(MARKET).reserve_oracle
    value = reserve_rate(p)
    for slot in range(64):
        if int.from_bytes(p.w3.eth.get_storage_at(oracle, slot), "big") == value:
            word = "0x" + rate.to_bytes(32, "big").hex()
            p.w3.provider.make_request("anvil_setStorageAt", [oracle, hex(slot), word])
            p.w3.provider.make_request("evm_mine", [])
            return
    raise AssertionError("currentExchangeRate not found")


def reserve_rate(p: Protocol) -> int:
    oracle = p.market(MARKET).reserve_oracle
    return current_rate(p.w3, oracle)


def health(p: Protocol) -> Decimal:
    return Decimal(ion("position", MARKET)["health"])


def fall_to(p: Protocol, target: Decimal) -> None:
    """Lower the reserve rate until the vault's health is about `target` (health is
    proportional to the rate)."""
    set_reserve_rate(p, int(reserve_rate(p) * target / health(p)))


@pytest.fixture(scope="module")
def _levered_once(
    devnet_session: DevnetHandle, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """A 3x vault, made once for the module (each test starts from it and is reverted)."""
    with module_state(devnet_session, tmp_path_factory.mktemp("guard") / "home"):
        ion("leverage", MARKET, "--deposit", "10", "--to", "3x", "--yes")
        yield


@pytest.fixture
def levered(_levered_once: None, devnet: DevnetHandle) -> Protocol:
    return Protocol(devnet)


def test_a_fall_below_repay_below_repays_to_the_target_once_per_episode(
    levered: Protocol,
) -> None:
    p = levered
    start = health(p)
    ion("guard", "add", MARKET, "--repay-below", str(start - Decimal("0.1")), "--to", "1.6")
    assert kinds(guard_run(code=0)) == []  # above the trigger: nothing
    fall_to(p, start - Decimal("0.2"))
    before = nonce(p)
    events = guard_run(code=6)
    assert kinds(events) == ["guard_fired", "guard_acted"]
    acted = events[-1]
    assert acted["episode"] == "repay_below#1" and acted["plan_id"]
    after = health(p)
    assert Decimal("1.58") < after < Decimal("1.62")  # to the target, in one plan:
    (plan,) = {e["plan_id"] for e in events if e.get("plan_id")}
    assert nonce(p) - before == len(acted["tx_hashes"])
    # the same episode is never acted on again: a rerun (a restart) sends nothing
    assert kinds(guard_run(code=0)) == []
    assert nonce(p) - before == len(acted["tx_hashes"])
    # re-armed (the vault is far above the trigger), a second fall is a second episode
    fall_to(p, start - Decimal("0.2"))
    second = guard_run(code=6)
    assert kinds(second) == ["guard_fired", "guard_acted"]
    assert second[-1]["episode"] == "repay_below#2"
    history = ion("guard", "history")["history"]
    assert [h["kind"] for h in history] == ["guard_acted", "guard_acted"]
    assert history[0]["plan_id"] == plan


def test_the_daily_bound_stops_a_second_action(levered: Protocol, tmp_path: Path) -> None:
    p = levered
    start = health(p)
    level = str(start - Decimal("0.1"))
    fall_to(p, start - Decimal("0.2"))
    # what one action moves, from a dry run of an unbounded guard (a dry run keeps nothing)
    probe = ion("guard", "add", MARKET, "--repay-below", level, "--to", "1.6")["id"]
    (would,) = [e for e in guard_run("--dry-run", code=0) if e["kind"] == "guard_dry_run"]
    ion("guard", "remove", str(probe))
    first = Decimal(would["amount"])
    bound = str(first + Decimal("0.5"))  # room for the first action, not for a second
    ion("guard", "add", MARKET, "--repay-below", level, "--to", "1.6", "--max-per-day", bound)
    assert kinds(guard_run(code=6)) == ["guard_fired", "guard_acted"]
    fall_to(p, start - Decimal("0.2"))
    before = nonce(p)
    sink = tmp_path / "exec.jsonl"
    script = "import os, sys; open(sys.argv[1], 'a').write(os.environ['ION_EVENT'] + '\\n')"
    events = guard_run("--exec", f'{sys.executable} -c "{script}" {sink}', code=6)
    assert kinds(events) == ["guard_fired", "guard_refused"]
    assert events[-1]["reason"] == "max_per_day" and events[-1]["retry_at"] is not None
    (received,) = [json.loads(line) for line in sink.read_text().splitlines()]
    assert received == events[-1]  # --exec ran for the alert, the event in its environment
    assert nonce(p) == before  # nothing sent
    assert kinds(guard_run(code=0)) == []  # still refused: said once, nothing sent
    assert nonce(p) == before


def test_dry_run_sends_and_keeps_nothing(levered: Protocol) -> None:
    p = levered
    start = health(p)
    level = str(start - Decimal("0.1"))
    assert (
        ion("guard", "add", MARKET, "--repay-below", level, "--to", "1.6", "--dry-run")["id"] == 0
    )
    assert ion("guard", "list")["guards"] == []  # checked, not stored
    ion("guard", "add", MARKET, "--repay-below", level, "--to", "1.6")
    fall_to(p, start - Decimal("0.2"))
    before = nonce(p)
    for _ in range(2):  # and again: the dry run recorded no episode
        events = guard_run("--dry-run", code=0)
        assert kinds(events) == ["guard_fired", "guard_dry_run"]
        assert events[-1]["plan"]["calls"]
    assert nonce(p) == before
    assert ion("guard", "history")["history"] == []
    assert kinds(guard_run(code=6)) == ["guard_fired", "guard_acted"]  # a real run acts


def test_the_band_example_is_two_guards_and_returns_on_a_quiet_devnet(levered: Protocol) -> None:
    from ion_cli.api import Ion
    from ion_cli.examples.keep_leverage_band import Band, run, wait_for_next_block

    api = Ion()
    band = Band(MARKET, Decimal("1.8"), Decimal("2.2"), Decimal("2"))

    def quiet(ion: Ion, after: int) -> int:  # nothing mines blocks: it must come back anyway
        return wait_for_next_block(ion, after, timeout=0.2, poll=0.05)

    report = run(api, band, blocks=3, wait=quiet)
    assert [a.action for a in report.actions] == ["deleverage", "none", "none"]
    assert abs(Decimal(str(report.actions[0].leverage_after)) - 2) < Decimal("0.01")
    assert {g.trigger.kind for g in api.guards.list()} == {"repay_below", "boost_above"}
    run(api, band, blocks=1, wait=quiet)
    assert len(api.guards.list()) == 2  # a rerun finds the band's guards


def test_the_api_yields_typed_frozen_events(levered: Protocol) -> None:
    import dataclasses

    from ion_cli.api import Ion
    from ion_cli.flows.guard.events import GuardFired, GuardRunStarted, GuardWouldAct

    p, api = levered, Ion()
    start = health(p)
    guard = api.guards.add(MARKET, repay_below=start - Decimal("0.1"), to="1.6", max_per_day=50)
    assert api.guards.list() == [guard]
    fall_to(p, start - Decimal("0.2"))
    events = list(api.guard_run(once=True, dry_run=True))
    assert [type(e) for e in events] == [GuardRunStarted, GuardFired, GuardWouldAct]
    with pytest.raises(dataclasses.FrozenInstanceError):
        events[1].episode = "x"  # type: ignore[misc]
    assert api.guards.history() == []
    assert api.guards.remove(guard.id).id == guard.id and api.guards.list() == []


def test_a_running_guard_run_follows_adds_and_removals(levered: Protocol) -> None:
    from ion_cli.api import Ion
    from ion_cli.api.guards import GuardRunConfig

    p, api = levered, Ion()
    start = health(p)
    level = start - Decimal("0.1")
    first = api.guards.add(MARKET, repay_below=level, to="1.6")
    runner = api.guard_runner(GuardRunConfig(interval=0.01, max_cycles=2, use_events=False))
    added: list[int] = []

    def between_cycles(_: float) -> None:  # `ion guard remove` and `add` while it runs
        api.guards.remove(first.id)
        added.append(api.guards.add(MARKET, repay_below=level, to="1.7").id)
        fall_to(p, start - Decimal("0.2"))

    runner.sleep = between_cycles
    acted = [e for e in runner.run() if e.kind == "guard_acted"]
    assert [e.data["guard"] for e in acted] == added  # the removed guard never acted


def test_the_cooldown_waits_by_the_chains_clock(levered: Protocol) -> None:
    p = levered
    start = health(p)
    level = str(start - Decimal("0.1"))
    ion("guard", "add", MARKET, "--repay-below", level, "--to", "1.6", "--cooldown", "1h")
    fall_to(p, start - Decimal("0.2"))
    assert kinds(guard_run(code=6)) == ["guard_fired", "guard_acted"]
    fall_to(p, start - Decimal("0.2"))
    refused = guard_run(code=6)
    assert kinds(refused) == ["guard_fired", "guard_refused"]
    assert refused[-1]["reason"] == "cooldown"
    ion("devnet", "advance", "--epochs", "10")  # 3,840 s of chain time: past the hour
    assert kinds(guard_run(code=6)) == ["guard_acted"]
