"""The consensus-layer guard triggers' pure parts: the slashing share against a baseline, the
health a score implies, which score may be acted on (a pending one only once judged sound), an
AVS slash's share, and the share option's form."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ion_cli import consensus_rules as cr
from ion_cli import position_math as pm
from ion_cli.beacon.snapshot import Validator
from ion_cli.errors import UsageError
from ion_cli.flows.guard.consensus import implied, slashing
from ion_cli.flows.guard.consensus import pending as pd
from ion_cli.flows.guard.consensus.avs import AvsSlash
from ion_cli.flows.guard.consensus.shares import parse_share, percent, ratio

FAR = cr.FAR_FUTURE_EPOCH
ETH = 10**9  # Gwei
WAD = 10**18
RAY = 10**27


def validator(
    index: int, eb: int = 32 * ETH, balance: int | None = None, **kw: object
) -> Validator:
    fields: dict[str, object] = dict(
        index=index,
        pubkey="0x" + f"{index:096x}",
        withdrawal_credentials="0x01" + "00" * 11 + "ab" * 20,
        effective_balance=eb,
        balance=eb if balance is None else balance,
        slashed=False,
        activation_eligibility_epoch=0,
        activation_epoch=0,
        exit_epoch=FAR,
        withdrawable_epoch=FAR,
        status="active_ongoing",
    )
    fields.update(kw)
    return Validator(**fields)  # type: ignore[arg-type]


def slashed(v: Validator, epoch: int) -> Validator:
    from ion_cli.zk.rule import slash_validator

    return slash_validator(v, epoch)


SET = [validator(i) for i in range(100)]


# ---- the slashing share ------------------------------------------------------------------------


def test_five_percent_slashed_is_five_percent_and_fires_above_one() -> None:
    base = slashing.baseline("weETH", 10, "0xaa", SET)
    now = [slashed(v, 12) if v.index < 5 else v for v in SET]
    signal = slashing.measure(base, 12, now)
    assert signal.slashed == (0, 1, 2, 3, 4)
    assert signal.slashed_gwei == 5 * 32 * ETH and signal.lost_gwei == 0
    assert signal.share == Fraction(5, 100)
    assert signal.initial_penalty_gwei == 5 * cr.initial_slashing_penalty(32 * ETH)
    assert signal.above(Fraction(1, 100)) and not signal.above(Fraction(5, 100))
    assert signal.key == base.key and "weETH" in slashing.describe(signal)


def test_nothing_changed_is_nothing() -> None:
    base = slashing.baseline("weETH", 10, "0xaa", SET)
    signal = slashing.measure(base, 20, SET)
    assert signal.share == 0 and signal.slashed == () and not signal.above(Fraction(0))


def test_already_slashed_at_the_baseline_is_not_new() -> None:
    start = [slashed(v, 3) if v.index == 7 else v for v in SET]
    base = slashing.baseline("weETH", 10, "0xaa", start)
    assert slashing.measure(base, 11, start).share == 0
    # ...and the denominator leaves it out (nothing left at stake)
    assert base.effective_balance == 99 * 32 * ETH


def test_a_leak_counts_rewards_and_sweeps_do_not() -> None:
    base = slashing.baseline("weETH", 10, "0xaa", SET)
    # every validator leaks 0.5 ETH; one gains; the sweep of an excess is no loss
    now = [replace(v, balance=v.balance - ETH // 2) for v in SET[:50]]
    now += [replace(SET[50], balance=33 * ETH), *SET[51:]]
    signal = slashing.measure(base, 15, now)
    assert signal.lost_gwei == 50 * ETH // 2 and signal.slashed == ()
    assert signal.share == Fraction(25, 3200)
    # a validator above its effective balance at the baseline, swept back to it: no loss
    rich = [replace(v, balance=32 * ETH + ETH // 10) for v in SET]
    base2 = slashing.baseline("weETH", 10, "0xaa", rich)
    assert slashing.measure(base2, 11, SET).share == 0


def test_an_ordinary_exit_is_no_loss() -> None:
    base = slashing.baseline("weETH", 10, "0xaa", SET)
    gone = replace(
        SET[0], balance=0, exit_epoch=11, withdrawable_epoch=12, status="withdrawal_done"
    )
    assert slashing.measure(base, 13, [gone, *SET[1:]]).share == 0


def test_a_validator_that_joined_and_was_slashed_counts() -> None:
    base = slashing.baseline("weETH", 10, "0xaa", SET)
    newcomer = slashed(validator(500), 12)
    signal = slashing.measure(base, 12, [*SET, newcomer])
    assert signal.slashed == (500,) and signal.slashed_gwei == 32 * ETH


def test_the_baseline_round_trips_and_names_itself() -> None:
    base = slashing.baseline("weETH", 10, "0xaa", [slashed(SET[0], 2), *SET[1:]])
    again = slashing.Baseline.from_json(base.to_json())
    assert again == base and again.key == base.key
    assert slashing.baseline("weETH", 11, "0xaa", SET).key != base.key
    with pytest.raises(ValueError):
        slashing.Baseline.from_json({"lrt": "x", "epoch": 1, "state_root": "0x", "runs": [[1]]})
    # thousands of alike validators are a few runs on disk
    many = slashing.baseline("weETH", 10, "0xaa", [validator(i) for i in range(5000)])
    assert len(many.to_json()["runs"]) == 1
    assert slashing.Baseline.from_json(many.to_json()) == many


@given(
    st.lists(st.integers(16, 2048), min_size=1, max_size=40),
    st.sets(st.integers(0, 39)),
    st.lists(st.integers(0, 3 * ETH), min_size=40, max_size=40),
)
def test_the_share_is_a_sum_of_parts_within_bounds(
    ebs: list[int], hit: set[int], leaks: list[int]
) -> None:
    start = [validator(i, eb * ETH) for i, eb in enumerate(ebs)]
    base = slashing.baseline("X", 5, "0x01", start)
    assert slashing.Baseline.from_json(base.to_json()) == base  # the runs on disk are exact
    now = []
    for v in start:
        if v.index in hit:
            now.append(slashed(v, 6))
        else:
            now.append(replace(v, balance=max(0, v.balance - leaks[v.index])))
    signal = slashing.measure(base, 6, now)
    expected_slashed = sum(v.effective_balance for v in start if v.index in hit)
    expected_lost = sum(min(leaks[v.index], v.balance) for v in start if v.index not in hit)
    assert signal.slashed_gwei == expected_slashed
    assert signal.lost_gwei == expected_lost
    assert 0 <= signal.share <= 1
    # monotone: slashing one more validator never lowers the share
    rest = [v for v in start if v.index not in hit]
    if rest:
        more = [
            slashed(v, 6) if v.index == rest[0].index else n
            for v, n in zip(start, now, strict=True)
        ]
        assert slashing.measure(base, 6, more).share >= signal.share


# ---- the implied health ------------------------------------------------------------------------

FEED = "0x" + "fe" * 20
ORACLE = implied.OracleView(
    current_rate=WAD,
    protocol_rate=WAD,
    feed_rates=(WAD,),
    feeds=(FEED, "0x" + "00" * 20, "0x" + "00" * 20),
    quorum=1,
)


def test_a_haircut_implies_the_rate_and_the_health() -> None:
    # a vault of 10 collateral, debt 7.5 at a 0.9 threshold: health 1.2 at rate 1
    collateral, nd, lt = 10 * WAD, 75 * WAD // 10, 9 * RAY // 10
    got = implied.implied_health(
        collateral=collateral,
        normalized_debt=nd,
        rate=RAY,
        liquidation_threshold=lt,
        oracle=ORACLE,
        feed=FEED.upper().replace("0X", "0x"),
        base_rate=WAD,
        haircut_wad=WAD // 10,  # 10%
    )
    assert got is not None
    assert got.feed_rate == got.target_rate == 9 * WAD // 10
    assert got.health_now == pm.health(collateral, nd, RAY, WAD, lt) == 12 * RAY // 10
    assert got.health == pm.health(collateral, nd, RAY, 9 * WAD // 10, lt)
    assert got.below(12 * RAY // 10) and not got.below(got.health or 0)


def test_a_feed_the_oracle_does_not_count_implies_nothing() -> None:
    other = replace(ORACLE, feeds=("0x" + "11" * 20, FEED, "0x" + "00" * 20))
    assert implied.implied_target(other, FEED, 1) is None


def test_the_target_is_the_lower_of_protocol_and_mean() -> None:
    two = implied.OracleView(WAD, WAD, (WAD, WAD), (FEED, "0x" + "22" * 20, ""), 2)
    assert implied.implied_target(two, FEED, WAD // 2) == 3 * WAD // 4
    assert implied.implied_target(ORACLE, FEED, 2 * WAD) == WAD  # never above the protocol


@given(st.integers(0, WAD // 2), st.integers(0, WAD // 2))
def test_a_bigger_haircut_never_implies_a_better_health(h1: int, h2: int) -> None:
    lo, hi = sorted((h1, h2))

    def health(h: int) -> int:
        got = implied.implied_health(
            collateral=10 * WAD, normalized_debt=8 * WAD, rate=RAY,
            liquidation_threshold=9 * RAY // 10, oracle=ORACLE, feed=FEED,
            base_rate=WAD, haircut_wad=h,
        )  # fmt: skip
        assert got is not None and got.health is not None
        return got.health

    assert health(hi) <= health(lo)


# ---- which score may be acted on ---------------------------------------------------------------


def score(kind: str, id_: int, slot: int, haircut: int = WAD // 10) -> pd.Score:
    return pd.Score(FEED, kind, id_, slot, haircut)


def test_a_false_pending_score_is_ignored_and_a_sound_one_acted_on() -> None:
    lie, truth = score(pd.PENDING, 3, 200), score(pd.PENDING, 2, 150)
    final = score(pd.FINAL, 1, 100, haircut=0)
    asked: list[int] = []

    def judge(s: pd.Score) -> tuple[pd.Verdict, str]:
        asked.append(s.submission)
        return ("false", "sums inflated") if s.submission == 3 else ("sound", "the state's")

    scores = pd.candidates(final, [truth, lie])
    assert [s.submission for s in scores] == [3, 2, 1]
    decision = pd.decide(scores, lambda s: s.haircut_wad > 0, judge)
    assert decision.act_on == truth
    assert [(s.submission, why) for s, why in decision.ignored] == [(3, "sums inflated")]
    assert asked == [3, 2]


def test_only_a_lie_means_no_action_and_a_harmless_score_is_never_judged() -> None:
    lie = score(pd.PENDING, 3, 200)
    harmless = score(pd.PENDING, 4, 210, haircut=0)
    judged: list[int] = []

    def judge(s: pd.Score) -> tuple[pd.Verdict, str]:
        judged.append(s.submission)
        return "false", "no"

    decision = pd.decide(pd.candidates(None, [lie, harmless]), lambda s: s.haircut_wad > 0, judge)
    assert decision.act_on is None and judged == [3]


def test_a_final_score_needs_no_judge_and_an_unjudged_one_waits() -> None:
    final = score(pd.FINAL, 1, 100)
    waiting = score(pd.PENDING, 2, 120)

    def judge(s: pd.Score) -> tuple[pd.Verdict, str]:
        return "unjudged", "the beacon node is down"

    decision = pd.decide(pd.candidates(final, [waiting]), lambda s: True, judge)
    assert decision.act_on == final and decision.waiting == [waiting]
    # an older pending score than the final one is not looked at (it can only be superseded)
    assert pd.candidates(final, [score(pd.PENDING, 5, 90)]) == [final]


# ---- an AVS slash ------------------------------------------------------------------------------


def test_an_avs_slash_share_and_key() -> None:
    slash = AvsSlash(
        lrt="weETH", operator="0xop", avs="0xavs", operator_set=1, wad_slashed=WAD // 20,
        lost_wei=5 * WAD, held_wei=100 * WAD, block=7, transaction_hash="0xAB", log_index=2,
    )  # fmt: skip
    assert slash.share == Fraction(1, 20)
    assert slash.above(Fraction(1, 100)) and not slash.above(Fraction(1, 10))
    assert slash.above(Fraction(0)) and not replace(slash, lost_wei=0).above(Fraction(0))
    assert slash.key == "avs:weETH:0xab:2" and "weETH" in slash.describe()


# ---- the share option --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "share"),
    [("1%", Fraction(1, 100)), (" 0.5 % ", Fraction(1, 200)), ("0.01", Fraction(1, 100)),
     ("100%", Fraction(1))],
)  # fmt: skip
def test_share_forms(text: str, share: Fraction) -> None:
    assert parse_share(text, "--x") == share


@pytest.mark.parametrize("text", ["", "1%%", "-1%", "101%", "1.5", "0%", "١%", "abc"])
def test_bad_shares_are_one_line_errors(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_share(text, "--deleverage-on-slashing")
    assert "--deleverage-on-slashing" in info.value.message and "\n" not in info.value.message


def test_zero_only_where_allowed_and_percent_text() -> None:
    assert parse_share("0%", "--x", allow_zero=True) == 0
    assert percent(Fraction(1, 100)) == "1%" and percent(Fraction(1, 3)) == "33.3333%"
    assert ratio(Fraction(1, 100)) == "0.01" and ratio(Fraction(0)) == "0"
    assert ratio(Fraction(1, 3), 8) == "0.33333333" and ratio(Fraction(1)) == "1"
    assert parse_share(ratio(parse_share("0.0001%", "--x")), "--x") == Fraction(1, 10**6)
