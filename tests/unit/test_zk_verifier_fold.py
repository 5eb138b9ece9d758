"""The generator step after ezkl that drops the folds of zero verifying-key commitments: the same
accumulator (sum of zeta^i * C_i), fewer ecMuls, and a loud error on output it does not know."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ion_cli.paths import project_root
from ion_cli.zk import verifier_fold as vf

P = 2**61 - 1  # a prime: points stand in as field elements, ecAdd as +, ecMul as *


def horner(steps: list[tuple[int, int]], zeta: int, value: dict[int, int], acc: int) -> int:
    for power, mptr in steps:
        acc = (acc * pow(zeta, power, P) + value[mptr]) % P
    return acc


@given(st.lists(st.booleans(), min_size=1, max_size=20), st.integers(2, P - 1))
def test_plan_keeps_the_accumulator(zeros: list[bool], zeta: int) -> None:
    rng = random.Random(len(zeros))
    points = [(0x0840 + 0x40 * i, zero) for i, zero in enumerate(zeros)]
    value = {mptr: 0 if zero else rng.randrange(1, P) for mptr, zero in points}
    original = horner([(1, mptr) for mptr, _ in points], zeta, value, 12345)
    steps = vf.plan(points)
    assert horner([(s.power, s.mptr) for s in steps], zeta, value, 12345) == original
    # one step fewer per zero point, except a trailing one (nothing to merge it into)
    merged = sum(zeros) - (1 if zeros[-1] else 0)
    assert len(steps) == len(points) - merged


def _ezkl_like(comms: list[tuple[int, int]]) -> str:
    """The shape of ezkl 23's verifier around the verifying key's Horner loop."""
    lines = []
    for i, (x, y) in enumerate(comms):
        lines.append(
            f"                mstore({0x0840 + 0x40 * i:#06x}, {x:#066x}) // fixed_comms[{i}].x"
        )
        lines.append(
            f"                mstore({0x0860 + 0x40 * i:#06x}, {y:#066x}) // fixed_comms[{i}].y"
        )
    start = 0x0840 + 0x40 * (len(comms) - 1)
    lines += [
        "                    for",
        "                        {",
        f"                            let mptr := {start:#06x}",
        "                            let mptr_end := 0x0800",
        "                        }",
        "                        lt(mptr_end, mptr)",
        "                        { mptr := sub(mptr, 0x40) }",
        "                    {",
        "    success := ec_mul_acc(success, mload(ZETA_MPTR))",
        "    success := ec_add_acc(success, mload(mptr), mload(add(mptr, 0x20)))",
        "                    }",
        "                    done",
    ]
    return "\n".join(lines) + "\n"


def test_a_zero_commitment_is_merged_into_the_next_fold() -> None:
    source = _ezkl_like([(1, 2), (0, 0), (3, 4)])
    out, dropped = vf.fold_zero_commitments(source)
    assert dropped == 1
    assert out.count("ec_mul_acc") == 2 and out.count("ec_add_acc") == 2
    # the loop read fixed_comms[2] first, then [1] (zero: merged), then [0] with zeta^2
    assert "ec_add_acc(success, mload(0x08c0), mload(0x08e0))" in out
    assert "mulmod(mload(ZETA_MPTR), mload(ZETA_MPTR), R)" in out
    assert "mload(0x0880)" not in out.split(vf.MARK)[1]
    assert out.endswith("done\n")


def test_without_zero_commitments_the_source_is_unchanged() -> None:
    source = _ezkl_like([(1, 2), (3, 4)])
    assert vf.fold_zero_commitments(source) == (source, 0)


def test_an_unknown_shape_is_an_error() -> None:
    source = _ezkl_like([(1, 2), (0, 0), (3, 4)]).replace("lt(mptr_end, mptr)", "gt(mptr, 0)")
    with pytest.raises(vf.FoldError, match="Horner loop"):
        vf.fold_zero_commitments(source)


@pytest.mark.skipif(project_root() is None, reason="needs the source checkout")
def test_the_shipped_verifier_folds_no_zero_commitment() -> None:
    root = project_root()
    assert root is not None
    source = (root / "ion_cli/devnet/contracts/zk/Halo2Verifier.sol").read_text()
    points = vf.vk_points(source)
    folded = source.split(vf.MARK)[1]
    zero = [mptr for mptr, is_zero in points.items() if is_zero]
    assert zero, "the shipped key has a zero commitment (else this step is moot: drop the test)"
    for mptr in zero:
        assert f"mload({mptr:#06x})" not in folded
    assert "Zero commitments' folds dropped: 1" in source
