"""Features and the plain loss rule: ranges, exactness, and the Electra slashing arithmetic."""

from __future__ import annotations

import random
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ion_cli import consensus_rules as cr
from ion_cli.zk import features, layout, rule, synthetic

ETH = 10**9


@settings(max_examples=60)
@given(st.integers(0, 2**32))
def test_features_of_any_scenario_are_in_range(seed: int) -> None:
    s = synthetic.scenario(random.Random(seed))
    f = features.compute(s.snapshot, s.network)
    assert len(f.quantized) == layout.N_FEATURES
    assert all(0 <= q <= layout.FEATURE_ONE for q in f.quantized)
    assert all(0 <= v <= 1 for v in f.values)
    assert f.quantized == tuple(features.quantize_exact(v) for v in f.values)
    loss = rule.loss(s.snapshot, s.network)
    assert (
        0
        <= loss.total
        <= loss.effective_balance + sum(v.effective_balance for v in s.snapshot.validators)
    )
    # each share is a share of the same live balance
    assert f.values[0] >= f.values[1]  # pending correlation is a part of slashed


def test_empty_set_is_all_zero() -> None:
    snap = synthetic.uniform_set(0)
    f = features.compute(snap)
    assert f.quantized == (0,) * layout.N_FEATURES
    assert rule.loss(snap).total == 0


def test_a_clean_set() -> None:
    snap = synthetic.uniform_set(10, credentials=2)
    f = dict(zip(layout.FEATURE_NAMES, features.compute(snap).values, strict=True))
    assert f["slashed_share"] == 0 and f["shortfall"] == 0
    assert f["active_share"] == 1
    assert f["compounding_share"] == 0  # 0x01 credentials only
    assert f["network_share"] == Fraction(320 * ETH, rule.DEFAULT_NETWORK_ACTIVE_BALANCE)
    assert rule.loss(snap).total == 0


def test_slashing_loss_matches_the_consensus_rules() -> None:
    network = rule.NetworkContext(active_balance=3200 * ETH)
    snap = synthetic.uniform_set(10, slashed=3)
    loss = rule.loss(snap, network)
    eb = 32 * ETH
    window = 3 * eb
    expected_corr = 3 * cr.correlation_penalty(eb, window, 3200 * ETH)
    assert loss.correlation_pending == expected_corr
    assert loss.shortfall == 3 * cr.initial_slashing_penalty(eb)  # 1/4096 since Electra
    assert cr.initial_slashing_penalty(eb) == eb // 4096
    f = dict(zip(layout.FEATURE_NAMES, features.compute(snap, network).values, strict=True))
    assert f["slashed_share"] == f["pending_correlation_share"] == Fraction(3, 10)
    assert f["correlation_loss"] == features.kink(Fraction(expected_corr, 320 * ETH))


def test_correlation_is_not_pending_once_applied() -> None:
    epoch = 400_000
    # slashed 5000 epochs ago: withdrawable at +8192, penalty at +4096, already processed
    snap = synthetic.uniform_set(4, slashed=1, epoch=epoch, slashed_at=epoch - 5000)
    assert rule.loss(snap).correlation_pending == 0
    v = snap.validators[0]
    assert not rule.correlation_pending(v, epoch)
    assert rule.correlation_pending(v, cr.correlation_penalty_epoch(v.withdrawable_epoch))
    assert not rule.correlation_pending(v, cr.correlation_penalty_epoch(v.withdrawable_epoch) + 1)


def test_withdrawn_validators_do_not_count() -> None:
    snap = synthetic.uniform_set(4)
    gone = replace(snap.validators[0], withdrawable_epoch=10, exit_epoch=5, balance=0)
    snap = replace(snap, validators=(gone, *snap.validators[1:]))
    assert rule.loss(snap).shortfall == 0  # its zero balance is not a loss
    assert features.compute(snap).validators == 3


def test_loss_never_exceeds_the_balance_held() -> None:
    network = rule.NetworkContext(active_balance=32 * ETH * 4)
    snap = synthetic.uniform_set(4, slashed=4)
    loss = rule.loss(snap, network)
    assert loss.total <= loss.effective_balance


@settings(max_examples=30)
@given(n=st.integers(1, 40), k=st.integers(0, 40), share=st.sampled_from([1, 10, 1000]))
def test_more_slashing_never_loses_less(n: int, k: int, share: int) -> None:
    snap = synthetic.uniform_set(n)
    network = rule.NetworkContext(active_balance=n * 32 * ETH * share)
    k = min(k, n)
    a = rule.loss(rule.hypothetical_slashing(snap, k), network)
    b = rule.loss(rule.hypothetical_slashing(snap, min(k + 1, n)), network)
    assert b.total >= a.total


def test_hypothetical_slashing() -> None:
    snap = synthetic.uniform_set(5)
    after = rule.hypothetical_slashing(snap, 2)
    slashed = [v for v in after.validators if v.slashed]
    assert len(slashed) == 2
    epoch = snap.state.epoch
    for v in slashed:
        assert v.balance == 32 * ETH - 32 * ETH // 4096
        assert v.withdrawable_epoch == epoch + cr.EPOCHS_PER_SLASHINGS_VECTOR
        assert rule.correlation_pending(v, epoch)
    assert len(rule.slashable(after)) == 3
    assert rule.count_for_share(snap, 0.5) == 3
    assert rule.count_for_share(snap, 0.0) == 0
    assert rule.count_for_share(snap, 1.0) == 5
    with pytest.raises(ValueError):
        rule.hypothetical_slashing(snap, -1)


@given(st.fractions(0, 1))
def test_kink_is_monotone_and_invertible(s: Fraction) -> None:
    f = features.kink(s)
    assert 0 <= f <= 1
    assert features.unkink(float(f)) == pytest.approx(float(s), abs=1e-12)
    assert features.kink(min(s + Fraction(1, 1000), Fraction(1))) >= f
