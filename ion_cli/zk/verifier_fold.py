"""A generator step after ezkl: the verifier stops folding verifying-key commitments that are the
point at infinity.

Pure text in, text out (stdlib only); `build_verifier` applies it to the Solidity ezkl writes, so
the checked-in verifier stays generated (a rebuild applies the same step; the drift test compares).

Why: ezkl's verifier folds the verifying key's fixed and permutation commitments into the KZG
accumulator by Horner's rule, one ecMul (6,000 gas) and one ecAdd per commitment:

    for mptr from LAST down to FIRST step 0x40:  acc = zeta * acc + C[mptr]

A fixed column that is zero everywhere (the shipped circuit has one) commits to the point at
infinity, stored as (0, 0), and its step is a multiplication by zeta for nothing. The step here
unrolls that loop and merges each zero commitment into the next step:
`acc = zeta * (zeta * acc + 0) + C = zeta^2 * acc + C`: the same sum of zeta^i * C_i (so the
same accumulator, the same pairing, the same accept/reject), one ecMul and one ecAdd fewer per
zero commitment. zeta^k is a field product (mulmod), a few gas.

A zero commitment that is the loop's last term (nothing after it inside the loop to merge into)
keeps its multiplication. Anything unexpected in ezkl's output (no such loop, commitments not
where the loop reads them) is an error: the generator must be looked at, never silently skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

POINT_STEP = 0x40  # one affine point: x, y words

_VK_WORD = re.compile(
    r"mstore\((0x[0-9a-f]+), (0x[0-9a-f]{64})\) // (fixed|permutation)_comms\[(\d+)\]\.([xy])"
)
_LOOP = re.compile(
    r"(?P<indent>[ \t]*)for\n"
    r"[ \t]*\{\n"
    r"[ \t]*let mptr := (?P<start>0x[0-9a-f]+)\n"
    r"[ \t]*let mptr_end := (?P<end>0x[0-9a-f]+)\n"
    r"[ \t]*\}\n"
    r"[ \t]*lt\(mptr_end, mptr\)\n"
    r"[ \t]*\{ mptr := sub\(mptr, 0x40\) \}\n"
    r"[ \t]*\{\n"
    r"[ \t]*success := ec_mul_acc\(success, mload\(ZETA_MPTR\)\)\n"
    r"[ \t]*success := ec_add_acc\(success, mload\(mptr\), mload\(add\(mptr, 0x20\)\)\)\n"
    r"[ \t]*\}\n"
)
MARK = "// ion: zero verifying-key commitments folded away (ion_cli/zk/verifier_fold.py)"


class FoldError(ValueError):
    """ezkl's verifier does not have the shape this step knows."""


@dataclass(frozen=True)
class Step:
    """acc = zeta^power * acc + C at `mptr` (memory address of the point's x word)."""

    power: int
    mptr: int


def plan(points: list[tuple[int, bool]]) -> list[Step]:
    """Horner steps over `points` ((mptr, is_zero) in the loop's order), zero points merged into
    the step after them. A trailing zero point keeps a step of its own (nothing to merge into)."""
    steps: list[Step] = []
    pending = 0
    for index, (mptr, zero) in enumerate(points):
        pending += 1
        if zero and index + 1 < len(points):
            continue
        steps.append(Step(power=pending, mptr=mptr))
        pending = 0
    return steps


def vk_points(source: str) -> dict[int, bool]:
    """{mptr of a commitment's x word: is it (0, 0)} from the verifier's verifying-key stores."""
    words: dict[tuple[str, int], dict[str, tuple[int, int]]] = {}
    for match in _VK_WORD.finditer(source):
        mptr, value, kind, index, coord = match.groups()
        words.setdefault((kind, int(index)), {})[coord] = (int(mptr, 16), int(value, 16))
    points: dict[int, bool] = {}
    for key, coords in words.items():
        if set(coords) != {"x", "y"} or coords["y"][0] != coords["x"][0] + 0x20:
            raise FoldError(f"verifying-key commitment {key} is not stored as x, y words")
        points[coords["x"][0]] = coords["x"][1] == 0 and coords["y"][1] == 0
    return points


def _zeta_power(power: int) -> str:
    expr = "mload(ZETA_MPTR)"
    for _ in range(power - 1):
        expr = f"mulmod({expr}, mload(ZETA_MPTR), R)"
    return expr


def render(steps: list[Step], indent: str) -> str:
    lines = [indent + MARK]
    for step in steps:
        lines.append(f"{indent}success := ec_mul_acc(success, {_zeta_power(step.power)})")
        lines.append(
            f"{indent}success := ec_add_acc(success, mload({step.mptr:#06x}), "
            f"mload({step.mptr + 0x20:#06x}))"
        )
    return "\n".join(lines) + "\n"


def fold_zero_commitments(source: str) -> tuple[str, int]:
    """(the verifier without the zero commitments' folds, how many folds were dropped)."""
    points = vk_points(source)
    if not points:
        raise FoldError("no verifying-key commitments found in the verifier")
    if not any(points.values()):
        return source, 0
    loops = [
        m for m in _LOOP.finditer(source) if int(m.group("start"), 16) in points
    ]  # the Horner loop over the verifying key's commitments
    if len(loops) != 1:
        raise FoldError(f"expected one Horner loop over the verifying key, found {len(loops)}")
    loop = loops[0]
    start, end = int(loop.group("start"), 16), int(loop.group("end"), 16)
    order = list(range(start, end, -POINT_STEP))
    if set(order) != set(points):
        raise FoldError("the Horner loop does not read exactly the verifying key's commitments")
    steps = plan([(mptr, points[mptr]) for mptr in order])
    dropped = len(order) - len(steps)
    body = render(steps, loop.group("indent"))
    return source[: loop.start()] + body + source[loop.end() :], dropped
