"""The guard core without a chain: the store (ids, per account, atomic episodes, daily sums),
the spec round trip, the position triggers' options, and a level trigger's episodes (fires once
when its condition starts to hold, re-arms only after a block beyond the margin)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ion_cli.errors import UsageError
from ion_cli.flows.figures import RAY, WAD
from ion_cli.flows.guard import Bounds, GuardSpec, GuardStore, trigger_class
from ion_cli.flows.guard.model import ActionSpec
from ion_cli.guard_results import Episode

ME = "0x" + "ab" * 20
OTHER = "0x" + "cd" * 20


def _spec(address: str = ME, health: str = "1.3", to: str = "1.6") -> GuardSpec:
    trigger, action = trigger_class("repay_below").build(health, to)
    return GuardSpec("weETH", address, trigger, action, Bounds(max_per_day=5 * WAD))


def test_ids_are_per_chain_never_reused_and_guards_listed_per_account(tmp_path: Path) -> None:
    with GuardStore(tmp_path / "g.sqlite3", "31337-aa") as store:
        first = store.add(_spec())
        second = store.add(_spec(OTHER))
        assert (first.id, second.id) == (1, 2)
        assert [g.id for g in store.guards(ME)] == [1]
        assert [g.id for g in store.guards()] == [1, 2]
        store.remove(1, ME)
        assert store.guards(ME) == []
        assert store.add(_spec()).id == 3  # never reused
        with pytest.raises(UsageError):
            store.remove(2, ME)  # another account's
        with pytest.raises(UsageError):
            store.remove(99, ME)
    # what was stored reads back equal, in another connection
    with GuardStore(tmp_path / "g.sqlite3", "31337-aa") as again:
        (guard,) = again.guards(ME)
        assert guard.spec == _spec()
        assert guard.bounds.max_per_day == 5 * WAD and guard.action.health == 16 * RAY // 10


def test_episodes_and_the_daily_sum_use_chain_time(tmp_path: Path) -> None:
    with GuardStore(tmp_path / "g.sqlite3", "c") as store:
        gid = store.add(_spec()).id
        e = store.save_episode(
            Episode(gid, "repay_below#1", "acting", 10, 1000, amount=2 * WAD, acted_time=1000)
        )
        store.update_episode(e, state="done")
        store.save_episode(Episode(gid, "repay_below#2", "pending", 20, 2000))
        assert store.spent_since(gid, 1000 - 86_400) == 2 * WAD
        assert store.spent_since(gid, 1000) == 0
        assert [x.key for x in store.open_episodes(gid)] == ["repay_below#2"]
        assert store.last_action_time(gid) == 1000
        store.log(gid, "repay_below#1", "guard_acted", "acted", amount="2")
        (line,) = store.history([gid])
        assert line.kind == "guard_acted" and line.amount == "2"


def test_a_missing_store_reads_empty_and_creates_nothing(tmp_path: Path) -> None:
    store = GuardStore(tmp_path / "none" / "g.sqlite3", "c")
    assert store.guards() == [] and store.history() == [] and store.memory(1) == {}
    assert not (tmp_path / "none").exists()


@pytest.mark.parametrize(
    ("kind", "value", "to", "message"),
    [
        ("repay_below", "1.3", None, "needs --to"),
        ("repay_below", "1.3", "1.2", "must be above"),
        ("repay_below", "abc", "1.6", "not a health"),
        ("repay_below", "1e3", "1.6", "not a health"),
        ("repay_below", "-1", "1.6", "not a health"),
        ("boost_above", "2", "2.5", "must be under"),
        ("close_below_rate", "1.0", "2x", "takes no --to"),
        ("close_below_rate", "0", None, "above 0"),
        ("take_profit", "1.1", "1.6", "a leverage"),
    ],
)
def test_trigger_options_are_checked(kind: str, value: str, to: str | None, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        trigger_class(kind).build(value, to)


def test_targets_may_be_a_health_or_a_leverage() -> None:
    _, by_health = trigger_class("repay_below").build("1.3", "1.6")
    _, by_leverage = trigger_class("repay_below").build("1.3", "2x")
    assert by_health == ActionSpec("deleverage", health=16 * RAY // 10)
    assert by_leverage == ActionSpec("deleverage", leverage=2 * RAY)
    assert trigger_class("take_profit").build("1.2", None)[1].kind == "close"


@dataclass
class _View:
    block: int
    health: int | None
    timestamp: int = 0
    has_debt: bool = True
    market: Any = None


def test_a_level_trigger_fires_once_per_episode_and_rearms_past_the_margin(
    tmp_path: Path,
) -> None:
    from ion_cli.flows.guard.triggers import Level

    with GuardStore(tmp_path / "g.sqlite3", "c") as store:
        guard = store.add(_spec())
    trigger = trigger_class("repay_below")(guard)

    def measure(view: Any) -> Level | None:
        h = view.health
        return Level(holds=h < 13 * RAY // 10, beyond=h >= 13 * RAY // 10 * 102 // 100, reason="")

    trigger.measure = measure  # type: ignore[method-assign]
    memory: dict[str, Any] = {}
    seen = []
    for block, health in [(1, 1.4), (2, 1.2), (3, 1.1), (4, 1.31), (5, 1.2), (6, 1.4), (7, 1.2)]:
        firings = trigger.on_block(_View(block, int(health * RAY)), memory)  # type: ignore[arg-type]
        seen += [(block, f.episode) for f in firings]
    # 1.31 is above the trigger but within the 2% margin: no re-arm, no new episode at 5
    assert seen == [(2, "repay_below#1"), (7, "repay_below#2")]


def test_a_price_that_moved_beyond_the_slippage_bound_since_the_trigger_is_named(
    tmp_path: Path,
) -> None:
    from types import SimpleNamespace

    from ion_cli.flows.guard.act import _moved

    with GuardStore(tmp_path / "g.sqlite3", "c") as store:
        guard = store.add(_spec())  # --max-slippage 0.5%
    then = {"reserve_rate": str(WAD), "price": str(WAD)}
    episode = Episode(guard.id, "repay_below#1", "pending", detail=then)

    def view(rate: int, price: int) -> Any:
        return SimpleNamespace(market=SimpleNamespace(reserve_rate=rate, price=price))

    assert _moved(guard, episode, view(WAD * 1004 // 1000, WAD)) is None  # within 0.5%
    moved = _moved(guard, episode, view(WAD, WAD * 990 // 1000))
    assert moved is not None and "price moved -1.00%" in moved
    assert _moved(guard, episode, view(WAD * 994 // 1000, WAD)) is not None


def test_a_triggers_notices_are_reported_once(tmp_path: Path) -> None:
    from ion_cli.flows.guard.runner import _Guarded
    from ion_cli.flows.guard.triggers import Trigger

    with GuardStore(tmp_path / "g.sqlite3", "c") as store:
        guard = store.add(_spec())
        guarded = _Guarded(store, [guard], acting=None)  # type: ignore[arg-type]
        memory: dict[str, Any] = {"armed": True}
        Trigger.notify(memory, "a false pending score was checked and ignored")
        (event,) = guarded.record([], guard, memory, {})
        assert event.kind == "guard_notice" and "ignored" in event.message
        assert store.memory(guard.id) == {"armed": True}  # said once: not kept
