"""The generator steps that unroll ezkl's verifier (zk/verifier_lagrange, verifier_transcript,
verifier_unroll): their arithmetic, their loop evaluation, and a loud error on any shape they do
not know. Their output against ezkl's own verifier on a real proof and its forgeries is
tests/integration/test_zk_verifier_passes.py."""

from __future__ import annotations

import random

import pytest

from ion_cli.paths import project_root
from ion_cli.zk import verifier_lagrange as vl
from ion_cli.zk import verifier_transcript as vt
from ion_cli.zk import verifier_unroll as vu

R = vl.R


def _shipped() -> str:
    root = project_root()
    if root is None:
        pytest.skip("needs the source checkout")
    return (root / "ion_cli/devnet/contracts/zk/Halo2Verifier.sol").read_text()


def test_lagrange_values_equal_ezkls_formula() -> None:
    """L_j = (x^n - 1) / n * w_j / (x - w_j) (ezkl) = l_common / (x / w_j - 1) (the step), with
    x / w_j stepped by omega^-1 from x / w_0."""
    rng = random.Random(7)
    omega = pow(5, (R - 1) // 2**11, R)  # a 2^11-th root of unity of the scalar field
    n = 2**11
    w0 = pow(omega, n - 6, R)
    for _ in range(20):
        x = rng.randrange(1, R)
        l_common = (pow(x, n, R) - 1) * pow(n, R - 2, R) % R
        x_over_w = x * pow(w0, R - 2, R) % R
        for j in range(40):
            w = w0 * pow(omega, j, R) % R
            ezkl = l_common * w * pow(x - w, R - 2, R) % R
            assert ezkl == l_common * pow((x_over_w - 1) % R, R - 2, R) % R
            x_over_w = x_over_w * pow(omega, R - 2, R) % R


def test_the_shipped_verifier_went_through_every_step() -> None:
    source = _shipped()
    for mark in (vl.MARK, vt.MARK, vu.MARK):
        assert source.count(mark) == 1
    tail = source.split("// Compute quotient evavluation")[1]
    assert "for\n" not in tail and "ec_mul_acc(" not in tail and "batch_invert(" not in tail


def test_lagrange_step_refuses_another_block_shape() -> None:
    block = (
        "            // Compute lagrange evaluations and instance evaluation\n"
        "            {\n                let x := mload(X_MPTR)\n            }\n"
        "            // Compute quotient evavluation\n"
    )
    with pytest.raises(vl.LagrangeError, match="another shape"):
        vl.unroll_lagrange(block)
    with pytest.raises(vl.LagrangeError, match="exactly once"):
        vl.unroll_lagrange("no such block")


def test_transcript_step_refuses_an_unknown_statement() -> None:
    section = (
        "let hash_mptr := 0x20\nlet instance_cptr := instances.offset\n"
        "mstore(0x00, 1) // something new\n"
    )
    with pytest.raises(vt.TranscriptError, match="unknown statement"):
        vt.parse(section)


def test_transcript_render_uses_literal_cursors() -> None:
    statements = [("start", 0), ("instances", 0), ("cursors", 0), ("points", 0x80), ("squeeze", 0)]
    out = vt.render(statements, 2, 0x0B80, "")
    assert "calldataload(instances.offset)" in out
    assert "calldataload(add(instances.offset, 0x20))" in out
    assert "calldataload(add(proof.offset, 0x60))" in out  # the second point's y
    assert "keccak256(0x00, 0x00e0)" in out  # 2 instances + 2 points after the digest
    assert "mstore(0x0b80, mod(hash, r))" in out


@pytest.mark.parametrize(
    ("expr", "value"),
    [("0x40", 0x40), ("sub(LAST, 0x40)", 0x3A4 - 0x40), ("add(mul(0x20, 3), 1)", 0x61)],
)
def test_evaluate_constant_expressions(expr: str, value: int) -> None:
    assert vu.evaluate(expr, {"LAST": 0x3A4}) == value


def test_evaluate_refuses_runtime_values() -> None:
    assert vu.evaluate("mload(0x40)", {}) is None
    assert vu.evaluate("add(proof_cptr, 0x40)", {}) is None


LOOP = """                    for
            {
                let sum_inv_mptr := 0x40
                let sum_inv_mptr_end := 0x80
                let r_eval_mptr := 0x04e0
            }
            lt(sum_inv_mptr, sum_inv_mptr_end)
            {
                sum_inv_mptr := sub(sum_inv_mptr, 0x20)
                r_eval_mptr := sub(r_eval_mptr, 0x20)
            }
        {
            r_eval := addmod(r_eval, mulmod(mload(sum_inv_mptr), mload(r_eval_mptr), R), R)
        }
"""


def test_a_loop_that_ends_by_wrapping_below_zero_is_unrolled() -> None:
    """ezkl counts this one down from 0x40 until the cursor wraps past 2^256 - 1."""
    out, count = vu.unroll_loops(LOOP, {})
    assert count == 1 and "for" not in out
    assert out.count("r_eval := addmod") == 3
    assert "mload(0x0040), mload(0x04e0)" in out and "mload(0x0000), mload(0x04a0)" in out


def test_a_loop_from_a_runtime_value_is_kept() -> None:
    loop = LOOP.replace("let sum_inv_mptr := 0x40", "let sum_inv_mptr := mload(0x40)")
    assert vu.unroll_loops(loop, {}) == (loop, 0)


def test_a_body_that_moves_its_cursor_elsewhere_is_kept() -> None:
    loop = LOOP.replace(
        "r_eval := addmod(",
        "r_eval_mptr := add(r_eval_mptr, 1)\n                        r_eval := addmod(",
    )
    assert vu.unroll_loops(loop, {})[1] == 0


def test_helper_arguments_that_read_the_helpers_memory_are_bound_first() -> None:
    out, count = vu.inline_helpers(
        "    success := ec_add_acc(success, mload(0x80), mload(0x40))", {}
    )
    assert count == 1
    assert "let y_ := mload(0x40)" in out
    direct, _ = vu.inline_helpers(
        "    success := ec_add_acc(success, mload(0x80), mload(0xa0))", {}
    )
    assert "let y_" not in direct and "mstore(0x60, mload(0xa0))" in direct


def test_batch_invert_is_unrolled_over_literal_bounds_only() -> None:
    out, count = vu.inline_helpers("    success := batch_invert(success, 0, 0x80)", {})
    assert count == 1 and "staticcall(gas(), 0x05, 0x00c0" in out
    kept, count = vu.inline_helpers("    success := batch_invert(success, 0, mptr_end)", {})
    assert count == 0 and "batch_invert(" in kept


def test_local_modulus_refuses_a_shadowing_r() -> None:
    source = (
        "let r := 21888242871839275222246405745257275088548364400416034343698204186575808495617\n"
        "// Compute quotient evavluation\nlet r := 5\nmulmod(a, b, R)\n"
    )
    with pytest.raises(vu.UnrollError, match="local `r`"):
        vu.local_modulus(source)
    fine = source.replace("let r := 5\n", "")
    assert vu.local_modulus(fine).endswith("mulmod(a, b, r)\n")
