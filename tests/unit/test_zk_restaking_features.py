"""The restaking features (ion_cli.zk.restaking_features): exact integers as the feed's
RestakingFeatures computes them, and the extended rule."""

from __future__ import annotations

from fractions import Fraction

from ion_cli.zk import features, layout
from ion_cli.zk import restaking_features as rf

WAD = 10**18
ETH = 10**18


def _inputs(*positions: rf.StakerPosition, counts: bool = True) -> rf.RestakingInputs:
    return rf.RestakingInputs(block=100, window=50, counts_loss=counts, positions=positions)


def test_no_restaking_is_zero() -> None:
    assert rf.none().quantized() == (0, 0)
    assert rf.none().loss_fraction() == 0


def test_a_slash_of_one_operator_is_its_share_of_the_lrt() -> None:
    # op-a holds 800 ETH of the LRT and lost a sixth of its stake; op-b holds 400
    a = rf.StakerPosition("0xs1", "0xA", 800 * ETH, WAD, WAD * 5 // 6)
    b = rf.StakerPosition("0xs2", "0xB", 400 * ETH, WAD, WAD)
    inputs = _inputs(a, b)
    lost = 800 * ETH - 800 * ETH * (WAD * 5 // 6) // WAD
    assert inputs.lost == lost and inputs.held == 1200 * ETH
    assert inputs.loss_fraction() == Fraction(lost, 1200 * ETH)
    loss_q, largest_q = inputs.quantized()
    assert loss_q == features.quantize_exact(features.kink(Fraction(lost, 1200 * ETH)))
    now_a = 800 * ETH * (WAD * 5 // 6) // WAD
    assert largest_q == features.quantize_exact(Fraction(now_a, now_a + 400 * ETH))


def test_stakers_of_one_operator_add_up_and_undelegated_ones_hold_no_operator() -> None:
    a1 = rf.StakerPosition("0xs1", "0xA", 300 * ETH, WAD, WAD)
    a2 = rf.StakerPosition("0xs2", "0xa", 300 * ETH, WAD, WAD)  # same operator, other case
    free = rf.StakerPosition("0xs3", None, 400 * ETH, WAD, WAD)
    inputs = _inputs(a1, a2, free)
    assert inputs.by_operator() == {"0xa": 600 * ETH}
    assert inputs.quantized() == (0, round(0.6 * layout.FEATURE_ONE))


def test_a_rate_that_reflects_avs_losses_counts_none() -> None:
    a = rf.StakerPosition("0xs1", "0xA", 100 * ETH, WAD, WAD // 2)
    assert _inputs(a, counts=False).quantized()[0] == 0
    assert _inputs(a, counts=False).loss_fraction() == 0
    assert _inputs(a).quantized()[0] == features.quantize_exact(features.kink(Fraction(1, 2)))


def test_the_extended_rule_adds_the_avs_loss() -> None:
    assert rf.extended_fraction(0.01, 0.02) == 0.03
