"""The consensus-layer triggers on the guard's interface, without a chain: their options, the
slashing trigger's baseline and episodes across epochs, the score trigger acting on a final or a
judged-sound pending score and never on a false one, the AVS trigger once per slash."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest

from ion_cli.beacon.snapshot import StateRef, Validator
from ion_cli.errors import UsageError
from ion_cli.flows.figures import RAY, WAD
from ion_cli.flows.guard import Bounds, EpochView, Guard, GuardSpec, registered, trigger_class
from ion_cli.flows.guard.consensus import pending as pd
from ion_cli.flows.guard.consensus import readers
from ion_cli.flows.guard.consensus.avs import AvsSlash
from ion_cli.flows.guard.consensus.implied import OracleView
from ion_cli.flows.guard.triggers import BlockView
from ion_cli.zk.rule import slash_validator

ME = "0x" + "ab" * 20
FEED = "0x" + "fe" * 20
ETH = 10**9
FAR = 2**64 - 1


def guard(option: str, value: str, to: str = "1.5x", market: str = "weETH") -> Guard:
    kinds = {t.option: t for t in registered().values()}
    trigger, action = kinds[option].build(value, to)
    return Guard(1, "31337-aa", GuardSpec(market, ME, trigger, action, Bounds()), 0)


def test_the_options_users_type() -> None:
    g = guard("--deleverage-on-slashing", "1%", "1.5x")
    assert g.trigger.kind == "slashing" and g.trigger.params == {"share": "0.01"}
    assert g.action.kind == "deleverage" and g.action.leverage == 15 * RAY // 10
    assert guard("--deleverage-on-slashing", "0.5 %", "1.8").action.health == 18 * RAY // 10
    avs = guard("--deleverage-on-avs-slashing", "0%", "2x")
    assert avs.trigger.kind == "avs_slashing" and avs.trigger.params == {"share": "0"}
    score = guard("--deleverage-on-score", "1.2", "1.5x")
    assert score.trigger.kind == "score" and score.trigger.params == {"health": "1.2"}
    for kind in ("slashing", "avs_slashing", "score"):
        assert trigger_class(kind).option.startswith("--deleverage-on-")
    assert trigger_class("slashing").clock == "epoch"


@pytest.mark.parametrize(
    ("option", "value", "to", "says"),
    [
        ("--deleverage-on-slashing", "1%", None, "needs --to"),
        ("--deleverage-on-slashing", "0%", "1.5x", "above 0%"),
        ("--deleverage-on-slashing", "2", "1.5x", "above 100%"),
        ("--deleverage-on-slashing", "1%", "fast", "--to"),
        ("--deleverage-on-score", "1.2", "1.1", "above H"),
        ("--deleverage-on-avs-slashing", "x", "2x", "--deleverage-on-avs-slashing"),
    ],
)
def test_bad_options_are_one_line_errors(
    option: str, value: str, to: str | None, says: str
) -> None:
    with pytest.raises(UsageError) as info:
        guard(option, value, to)  # type: ignore[arg-type]
    assert says in info.value.message and "\n" not in info.value.message


# ---- the slashing trigger across epochs --------------------------------------------------------


def validator(index: int) -> Validator:
    return Validator(
        index, "0x" + f"{index:096x}", "0x01" + "00" * 31, 32 * ETH, 32 * ETH, False,
        0, 0, FAR, FAR, "active_ongoing",
    )  # fmt: skip


class FakeSet:
    symbol = "weETH"

    def __init__(self) -> None:
        self.now = [validator(i) for i in range(200)]

    def read(self, client: Any, ref: StateRef) -> tuple[Validator, ...]:
        return tuple(self.now)


def view_at(g: Guard, epoch: int, debt: bool = True) -> EpochView:
    ref = StateRef(epoch * 32, f"0x{epoch:064x}", "0x" + "00" * 32, True, False)
    vault = SimpleNamespace(has_debt=debt)
    return EpochView(g, client=None, ref=ref, watch=None, position=lambda: vault)  # type: ignore[arg-type]


def test_a_slashing_above_the_share_fires_once_and_the_next_is_measured_afresh() -> None:
    g = guard("--deleverage-on-slashing", "1%")
    trigger = trigger_class("slashing")(g)
    lrt = FakeSet()
    trigger._set = lrt  # type: ignore[attr-defined]
    memory: dict[str, Any] = {}
    assert trigger.on_epoch(view_at(g, 10), memory) == []  # armed here
    assert memory["baseline"]["epoch"] == 10
    # 1 validator of 200 (0.5%): under 1%, nothing
    lrt.now[0] = slash_validator(lrt.now[0], 11)
    assert trigger.on_epoch(view_at(g, 11), memory) == []
    # 10 of 200 slashed since the baseline (5%): fires, once
    for i in range(1, 10):
        lrt.now[i] = slash_validator(lrt.now[i], 12)
    (firing,) = trigger.on_epoch(view_at(g, 12), memory)
    assert firing.figures["share"] == "0.05" and firing.figures["slashed"] == "10"
    assert firing.episode.startswith("slashing:weETH:10:") and firing.epoch == 12
    assert "above --deleverage-on-slashing 1%" in firing.reason
    # the next epochs see the same slashing: not again (measured from the new baseline)
    assert trigger.on_epoch(view_at(g, 13), memory) == []
    assert memory["baseline"]["epoch"] == 12
    # a new slashing of 2% later: a new episode
    for i in range(100, 104):
        lrt.now[i] = slash_validator(lrt.now[i], 20)
    (again,) = trigger.on_epoch(view_at(g, 20), memory)
    assert again.episode != firing.episode and again.figures["share"] == "0.02105263"
    # an epoch not after the baseline is not measured
    assert trigger.on_epoch(view_at(g, 20), memory) == []


def test_a_slashing_while_the_vault_has_no_debt_is_used_up_silently() -> None:
    g = guard("--deleverage-on-slashing", "1%")
    trigger = trigger_class("slashing")(g)
    lrt = FakeSet()
    trigger._set = lrt  # type: ignore[attr-defined]
    memory: dict[str, Any] = {}
    trigger.on_epoch(view_at(g, 10), memory)
    for i in range(10):
        lrt.now[i] = slash_validator(lrt.now[i], 11)
    assert trigger.on_epoch(view_at(g, 11, debt=False), memory) == []
    assert memory["passed"]["why"] == "no debt" and memory["baseline"]["epoch"] == 11
    assert trigger.on_epoch(view_at(g, 12), memory) == []  # not later, once levered


def test_arming_records_the_baseline_at_add(monkeypatch: pytest.MonkeyPatch) -> None:
    g = guard("--deleverage-on-slashing", "1%")
    lrt = FakeSet()
    closed: list[bool] = []
    client = SimpleNamespace(close=lambda: closed.append(True))
    ref = StateRef(320, "0x" + "aa" * 32, "0x" + "00" * 32, True, False)
    monkeypatch.setattr(readers, "LrtSet", lambda session, symbol: lrt)
    monkeypatch.setattr(readers, "open_beacon", lambda session: client)
    monkeypatch.setattr(readers, "finalized", lambda c: ref)
    memory = trigger_class("slashing")(g).arm(SimpleNamespace())  # type: ignore[arg-type]
    assert memory["baseline"]["epoch"] == 10 and memory["baseline"]["runs"] == [
        [0, 200, 32 * ETH, 0, 0]
    ]
    assert closed == [True]


# ---- the score trigger -------------------------------------------------------------------------


def block_view(g: Guard, block: int = 100) -> BlockView:
    market = SimpleNamespace(
        block=block, timestamp=1000 + block, rate=RAY, reserve_rate=WAD,
        liquidation_threshold=9 * RAY // 10,
    )  # fmt: skip
    vault = SimpleNamespace(collateral=10 * WAD, normalized_debt=75 * WAD // 10)  # health 1.2
    return BlockView(g, market, vault, session=SimpleNamespace())  # type: ignore[arg-type]


def score_world(
    monkeypatch: pytest.MonkeyPatch,
    final: pd.Score | None,
    waiting: list[pd.Score],
    verdicts: dict[int, pd.Verdict],
) -> list[int]:
    judged: list[int] = []
    oracle = OracleView(WAD, WAD, (WAD,), (FEED, "", ""), 1)
    monkeypatch.setattr(readers, "scores", lambda session, market: (final, list(waiting)))
    monkeypatch.setattr(readers, "oracle_view", lambda session, market: oracle)
    monkeypatch.setattr(readers, "feed_base_rate", lambda session, feed: WAD)

    def judge(session: Any, market: str, trees: Any = ()) -> Any:
        def verdict(s: pd.Score) -> tuple[pd.Verdict, str]:
            judged.append(s.submission)
            return verdicts[s.submission], "why"

        return verdict

    monkeypatch.setattr(readers, "judge", judge)
    return judged


def test_a_false_pending_score_never_makes_it_act(monkeypatch: pytest.MonkeyPatch) -> None:
    g = guard("--deleverage-on-score", "1.15")
    lie = pd.Score(FEED, pd.PENDING, 2, 300, WAD // 10)  # a 10% haircut: health 1.08
    judged = score_world(monkeypatch, None, [lie], {2: "false"})
    trigger = trigger_class("score")(g)
    memory: dict[str, Any] = {}
    assert trigger.on_block(block_view(g), memory) == []
    assert trigger.on_block(block_view(g, 101), memory) == []
    assert judged == [2]  # judged once: the verdict is kept
    assert "pending risk score 2" in memory["ignored"][lie.key]
    from ion_cli.flows.guard.triggers import NOTICES

    (notice,) = memory[NOTICES]  # said once (the engine empties it into a guard_notice)
    assert "is false (why): not acted on" in notice


def test_a_sound_pending_or_a_final_score_makes_it_act_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    g = guard("--deleverage-on-score", "1.15")
    sound = pd.Score(FEED, pd.PENDING, 3, 300, WAD // 10)
    harmless = pd.Score(FEED, pd.PENDING, 4, 310, WAD // 100)  # 1%: health 1.188
    judged = score_world(monkeypatch, None, [sound, harmless], {3: "sound", 4: "sound"})
    trigger = trigger_class("score")(g)
    memory: dict[str, Any] = {}
    (firing,) = trigger.on_block(block_view(g), memory)
    assert firing.episode == sound.key and firing.figures["implied_health"] == "1.08"
    assert "(judged sound)" in firing.reason and judged == [3]
    assert trigger.on_block(block_view(g, 101), memory) == []  # once per score
    # the same score final later: the same episode, not again
    score_world(monkeypatch, replace(sound, kind=pd.FINAL), [], {})
    assert trigger.on_block(block_view(g, 102), memory) == []
    # a new final score that implies worse: acts (no judge needed)
    worse = pd.Score(FEED, pd.FINAL, 5, 400, WAD // 5)
    judged = score_world(monkeypatch, worse, [], {})
    (second,) = trigger.on_block(block_view(g, 103), memory)
    assert second.episode == worse.key and judged == []


def test_without_debt_the_score_trigger_reads_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    g = guard("--deleverage-on-score", "1.15")
    monkeypatch.setattr(readers, "scores", lambda *a: pytest.fail("read"))
    view = block_view(g)
    empty = replace(view, vault=SimpleNamespace(collateral=WAD, normalized_debt=0))
    assert trigger_class("score")(g).on_block(empty, {}) == []


# ---- the AVS trigger ---------------------------------------------------------------------------


def test_an_avs_slash_fires_once_per_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    g = guard("--deleverage-on-avs-slashing", "0.5%", market="ezETH")
    slash = AvsSlash("ezETH", "0xop", "0xavs", 0, WAD // 50, 45 * WAD, 4960 * WAD, 105, "0xt", 1)
    small = replace(slash, lost_wei=WAD, log_index=2)  # 0.02%: under 0.5%
    ranges: list[tuple[int, int]] = []

    def slashes(session: Any, symbol: str, lo: int, hi: int) -> list[AvsSlash]:
        ranges.append((lo, hi))
        return [s for s in (slash, small) if lo <= s.block <= hi]

    monkeypatch.setattr(readers, "avs_slashes", slashes)
    trigger = trigger_class("avs_slashing")(g)
    memory = {"last_block": 100}
    (firing,) = trigger.on_block(block_view(g, 110), memory)
    assert firing.episode == slash.key and firing.figures["share"] == "0.00907258"
    assert trigger.on_block(block_view(g, 110), memory) == []  # the same head: nothing read
    assert trigger.on_block(block_view(g, 111), memory) == []
    assert ranges == [(101, 110), (111, 111)]
    # a chain reset (the head behind what was seen): followed from the new head
    assert trigger.on_block(block_view(g, 50), memory) == [] and memory["last_block"] == 50


# ---- the judge: `ion challenge`'s verdict in the guard's words ---------------------------------


def test_the_judge_maps_the_challenge_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    from ion_cli.errors import IonError
    from ion_cli.flows import challenge as ch

    answers: dict[int, Any] = {
        1: SimpleNamespace(sound=True, why="the state's"),
        2: SimpleNamespace(sound=False, why="leaf 3 hides a slashing"),
        3: ch.ChallengeUnprovable("submission 3 is false, but its tree is not at hand"),
        4: IonError("the beacon node did not answer"),
    }

    def judge(session: Any, market: str, sub: int, trees: Any, progress: Any) -> Any:
        answer = answers[sub]
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(ch, "judge", judge)
    verdict = readers.judge(SimpleNamespace(), "weETH")  # type: ignore[arg-type]
    got = {i: verdict(pd.Score(FEED, pd.PENDING, i, 1, 0))[0] for i in answers}
    assert got == {1: "sound", 2: "false", 3: "false", 4: "unjudged"}
