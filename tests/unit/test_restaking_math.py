"""EigenLayer's slashing arithmetic (ion_cli.restaking_math) and the facts the issue states about
a slash: the withdrawable ETH behind the operator falls by wadSlashed, the slashed set's
slashable ETH by the amount slashed, the operator's other sets keep theirs."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ion_cli import restaking_math as rm

WAD = 10**18
E = 10**18


def test_the_issue_vectors() -> None:
    assert rm.withdrawable(2_000 * E, WAD, 98 * WAD // 100, WAD) == 1_960 * E
    assert rm.slashable(3_000 * E, 30 * WAD // 100, WAD) == 900 * E
    assert rm.lost_to_slash(3_000 * E, 15 * WAD // 1000) == 45 * E
    assert rm.slashed_fraction(WAD, 985 * WAD // 1000) == Decimal("0.015")
    assert rm.slashable(1, 0, WAD) == 0 and rm.slashable(1, WAD, 0) == 0


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    deposit=st.integers(1, 10**24),
    allocations=st.lists(st.integers(1, WAD // 4), min_size=2, max_size=4),
    wad_to_slash=st.integers(1, WAD),
)
def test_a_slash_moves_the_figures_as_the_issue_says(
    deposit: int, allocations: list[int], wad_to_slash: int
) -> None:
    max_before = WAD
    slashed = (allocations[0] * wad_to_slash + WAD - 1) // WAD  # rounded up, as EigenLayer does
    max_after = max_before - slashed
    wad_slashed = slashed * WAD // max_before
    before = rm.withdrawable(deposit, WAD, WAD, max_before)
    after = rm.withdrawable(deposit, WAD, WAD, max_after)
    # withdrawable falls by the fraction wadSlashed (within a wei of rounding)
    lost = rm.lost_to_slash(before, wad_slashed)
    assert abs(after - (before - lost)) <= 1
    # the slashed set: by the amount slashed (the staker's part of it), within rounding
    set_before = rm.slashable(before, allocations[0], max_before)
    set_after = rm.slashable(after, allocations[0] - slashed, max_after)
    assert abs((set_before - set_after) - lost) <= 2
    # the other sets keep their ETH, within rounding
    for magnitude in allocations[1:]:
        kept = rm.slashable(after, magnitude, max_after)
        assert abs(kept - rm.slashable(before, magnitude, max_before)) <= 1
