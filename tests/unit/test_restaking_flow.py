"""The exposure the flow builds from a delegation source and EigenLayer's views (a fake reader:
no node), against figures computed by hand from the issue's arithmetic."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ion_cli.adapters import RestakingSource, RestakingStaker
from ion_cli.chain.eigenlayer import SetAllocation, Slashed
from ion_cli.flows.restaking import build

E = 10**18
P = E // 100
OP_A, OP_B = "0x" + "0a" * 20, "0x" + "0b" * 20
AVS_X, AVS_Y = "0x" + "a1" * 20, "0x" + "a2" * 20


class FakeReader:
    strategy = "0xbeaC0eeEeeeeEEeEeEEEEeeEEeEeeeEeeEEBEaC0"

    def __init__(self, withdrawable_before: dict[str, int] | None = None) -> None:
        self.withdrawable_before = withdrawable_before or {}

    def allocations(self, operator: str) -> list[SetAllocation]:
        if operator == OP_A:
            return [
                SetAllocation(AVS_X, 0, 40 * P, 0, 0),
                SetAllocation(AVS_Y, 3, 20 * P, 10 * P, 999),
            ]
        return [SetAllocation(AVS_X, 0, 90 * P, 0, 0)]

    def max_magnitude(self, operator: str) -> int:
        return 80 * P if operator == OP_A else E

    def max_magnitude_at(self, operator: str, block: int) -> int:
        return E

    def encumbered(self, operator: str) -> int:
        return 70 * P if operator == OP_A else 90 * P

    def operator_shares(self, operator: str) -> int:
        return 10_000 * E

    def slashable_in_queue(self, operator: str) -> int:
        return 5 * E

    def queued(self, staker: str) -> list[tuple[int, int]]:
        return [(6, 3 * E), (1, 4 * E)]  # slashable until block 6 + 5; the second is done

    def min_withdrawal_delay(self) -> int:
        return 5

    def beacon_factor(self, staker: str) -> int:
        return E

    def withdrawable(self, staker: str) -> int:
        return self.withdrawable_before[staker]

    def at(self, block: int) -> FakeReader:
        return self


def _staker(address: str, operator: str | None, shares: int) -> RestakingStaker:
    return RestakingStaker(address, "X", operator, shares, shares, pod=None)


def test_totals_per_operator_per_avs_and_pending() -> None:
    source = RestakingSource(
        stakers=(
            _staker("0x" + "11" * 20, OP_A, 800 * E),
            _staker("0x" + "12" * 20, OP_B, 200 * E),
            _staker("0x" + "13" * 20, None, 50 * E),
        ),
        method="test",
    )
    slash = Slashed(OP_A, AVS_X, 0, 20 * P, "late", 7, 0, "0xabc")
    reader: Any = FakeReader({"0x" + "11" * 20: 1000 * E})
    r = build("tETH", "test", 10, 0, 86_400, source, reader, [slash])
    a, b = r.operators
    # op A: max 0.8; sets 0.4 and 0.2 of it: 800 x 0.4 / 0.8 = 400, 800 x 0.2 / 0.8 = 200
    assert [s.lrt_slashable_wei for s in a.sets] == [400 * E, 200 * E]
    assert a.lrt_slashable_any_wei == 600 * E  # 800 x 0.6 / 0.8
    assert a.slashed_in_window == Decimal("0.2")  # 1 - 0.8 / 1
    assert a.sets[0].slashes[0].lrt_lost_wei == 200 * E  # 1000 before x 0.2
    assert a.lrt_slashed_in_window_wei == 200 * E
    # op B: 200 x 0.9 = 180
    assert b.lrt_slashable_any_wei == 180 * E
    assert r.total_restaked_wei == 1050 * E and r.undelegated_wei == 50 * E
    assert r.slashable_any_wei == 780 * E
    assert r.avs_exposure_wei == {AVS_X: 580 * E, AVS_Y: 200 * E}
    assert r.avs_count == 2 and r.largest_avs == (AVS_X, 580 * E)
    assert r.operators_queued_slashable_wei == 10 * E
    assert r.queued_slashable_wei == 6 * E  # 3 ETH queued at block 6 by each delegated staker
    (pending,) = r.pending
    assert (pending.operator, pending.avs, pending.id) == (OP_A, AVS_Y, 3)
    assert pending.effect_block == 999
    assert pending.lrt_slashable_change_wei == 100 * E  # 800 x 0.1 / 0.8
    doc = r.to_json()
    assert doc["totals"]["slashable_share"].startswith("0.7428")  # 780 / 1050
    assert "74.3% of 1050 ETH slashable by 2 AVS(s) through 2 operator(s)" in r.summary()


def test_an_lrt_with_unknown_delegation_says_so() -> None:
    source = RestakingSource(stakers=(), method="m", complete=False, unknown=("manager",))
    r = build("tETH", "test", 10, 0, 1, source, FakeReader(), [])  # type: ignore[arg-type]
    assert r.summary() == "restaking: unknown (manager)"
    assert r.to_json()["complete"] is False and r.total_restaked_wei == 0
