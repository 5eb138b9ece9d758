"""A generator step after ezkl: the verifier's Lagrange block as straight-line code.

Pure text in, text out (stdlib only), applied by `build_verifier` like `verifier_fold`.

Why: ezkl's block "Compute lagrange evaluations and instance evaluation" evaluates, at the
challenge x, the Lagrange basis of the rows before the instances (the last usable row, the
blinding rows) and of one row per public instance. It walks memory in four loops (denominators
x - w_j, a batch inversion with its prefix products, the numerators, the instance sum), about
600 gas of loop bookkeeping per instance, roughly 20k gas for the risk model's 31 instances
and 6 extra rows. The work itself is three field products per row.

The same values, unrolled, with the row's root folded into the denominator:

    w_j   = omega_inv_to_l * omega^j              (row j's root, j = 0 .. m-1)
    L_j   = (x^n - 1) / n * w_j / (x - w_j)       (what ezkl computes)
          = l_common / e_j,  e_j = x / w_j - 1    (x / w_j = (x / w_0) * omega_inv^j)

so each row costs one product to step x / w_j, one to extend the prefix product, two in the
backward pass of Montgomery's batch inversion (one modexp, shared with x^n - 1 as ezkl does),
and for an instance one product and one sum with its calldata word. l_common multiplies the
sums once. The outputs are the block's: x^n, 1 / (x^n - 1), l_last (row 0), l_blind (rows 1 ..
blind), l_0 (the first instance row) and the instance evaluation, at the same memory slots;
the block's scratch memory is not read after it (the step checks the slots it frees are never
loaded elsewhere: they are above every later address).

The block is recognised by its shape (literals and whitespace aside, the text must be ezkl
23's) and its numbers are read from it and from the verifying key's stores: a model with more
instances or another k regenerates correctly; a different block is an error, never skipped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617

BEGIN = "// Compute lagrange evaluations and instance evaluation"
END = "// Compute quotient evavluation"  # sic: ezkl's spelling
MARK = "// ion: Lagrange basis and instance evaluation unrolled (ion_cli/zk/verifier_lagrange.py)"

# sha256 of ezkl 23's block with literals replaced by '#' and whitespace collapsed: any other
# text is a template this step has not been checked against.
SHAPE_SHA256 = "3d667d95a4ebf13825849604fd1e83786ceb3b9f80a3fadb7f5fb511f7279cde"

_LITERAL = re.compile(r"\b(0x[0-9a-fA-F]+|\d+)\b")
_VK = re.compile(r"mstore\((0x[0-9a-f]+), (0x[0-9a-f]{64})\) // ([a-z_]+)\n")
_MPTR = re.compile(r"uint256 internal constant\s+([A-Z0-9_]+) = (0x[0-9a-f]+);")
_EXTRA = re.compile(r"add\(mload\(NUM_INSTANCES_MPTR\), (\d+)\)")
_BLIND = re.compile(r"let l_i_cptr := add\(X_N_MPTR, (0x[0-9a-f]+)\)")
_BLIND_END = re.compile(r"let l_i_cptr_end := add\(X_N_MPTR, (0x[0-9a-f]+)\)")
_L0 = re.compile(r"let l_0 := mload\(add\(X_N_MPTR, (0x[0-9a-f]+)\)\)")
_LOAD = re.compile(r"mload\((0x[0-9a-f]+)\)")


class LagrangeError(ValueError):
    """ezkl's Lagrange block does not have the shape this step knows."""


@dataclass(frozen=True)
class Params:
    """What the block computes, read from the verifier."""

    k: int  # log2 of the domain size n
    omega_inv_to_l: int  # w_0: the root of row 0 (the last usable row)
    instances: int  # public instances
    extra: int  # rows before the first instance row: row 0, then the blinding rows
    x_n_mptr: int  # where the block's outputs and scratch memory start

    @property
    def rows(self) -> int:
        """Rows with a Lagrange value: the extra rows and one per instance (ezkl evaluates one
        instance row even for a circuit without instances)."""
        return self.extra + max(self.instances, 1)


def shape_digest(block: str) -> str:
    normalized = " ".join(_LITERAL.sub("#", block).split())
    return hashlib.sha256(normalized.encode()).hexdigest()


def split(source: str) -> tuple[str, str, str]:
    """(before, the Lagrange block, after) of the verifier."""
    if source.count(BEGIN) != 1 or source.count(END) != 1:
        raise LagrangeError("the Lagrange block's comments are not found exactly once")
    start = source.index(BEGIN)
    start = source.rfind("\n", 0, start) + 1
    end = source.index(END)
    end = source.rfind("\n", 0, end) + 1
    if end <= start:
        raise LagrangeError("the Lagrange block is not before the quotient evaluation")
    return source[:start], source[start:end], source[end:]


def _one(pattern: re.Pattern[str], text: str, what: str) -> str:
    found = pattern.findall(text)
    if len(set(found)) != 1:
        raise LagrangeError(f"expected one {what} in the Lagrange block, found {found}")
    return str(found[0])


def params(source: str, block: str) -> Params:
    vk = {name: int(value, 16) for _, value, name in _VK.findall(source)}
    mptrs = {name: int(value, 16) for name, value in _MPTR.findall(source)}
    for name in ("k", "omega_inv_to_l", "num_instances"):
        if name not in vk:
            raise LagrangeError(f"the verifying key's {name} is not stored in the verifier")
    if "X_N_MPTR" not in mptrs:
        raise LagrangeError("X_N_MPTR is not declared")
    extra = int(_one(_EXTRA, block, "count of extra rows"))
    blind_start = int(_one(_BLIND, block, "first blinding row"), 16)
    blind_end = int(_one(_BLIND_END, block, "end of the blinding rows"), 16)
    first_instance = int(_one(_L0, block, "first instance row"), 16)
    if blind_start != 0x40 or blind_end != first_instance or first_instance != 0x20 * extra:
        raise LagrangeError("the blinding rows are not rows 1 .. extra-1 before the instances")
    return Params(
        k=vk["k"],
        omega_inv_to_l=vk["omega_inv_to_l"],
        instances=vk["num_instances"],
        extra=extra,
        x_n_mptr=mptrs["X_N_MPTR"],
    )


def render(p: Params, indent: str) -> str:
    """The block's straight-line replacement (Yul inside ezkl's assembly; `r`, `success`,
    `instances` in scope, as in the block it replaces)."""
    m = p.rows
    e_at = [p.x_n_mptr + 0x20 * j for j in range(m)]  # e_j
    g_at = [p.x_n_mptr + 0x20 * (m + j) for j in range(m)]  # prefix products e_0 .. e_j
    scratch = p.x_n_mptr + 0x20 * 2 * m  # the modexp call's six words
    w0_inv = pow(p.omega_inv_to_l, R - 2, R)
    i2, i3 = indent + "    ", indent + "        "
    out = [indent + MARK, indent + "{"]
    out.append(f"{i2}let x := mload(X_MPTR)")
    out.append(f"{i2}let x_n := x")
    out += [f"{i2}x_n := mulmod(x_n, x_n, r)"] * p.k
    out.append(f"{i2}let x_n_minus_1 := addmod(x_n, sub(r, 1), r)")
    out.append(f"{i2}let minus_one := sub(r, 1)")
    out.append(f"{i2}let omega_inv := mload(OMEGA_INV_MPTR)")
    out.append(f"{i2}let x_over_w := mulmod(x, {w0_inv:#066x}, r)")
    out.append(f"{i2}let e := addmod(x_over_w, minus_one, r)")
    out.append(f"{i2}mstore({e_at[0]:#06x}, e)")
    out.append(f"{i2}let gp := e")
    out.append(f"{i2}mstore({g_at[0]:#06x}, gp)")
    for j in range(1, m):
        out.append(f"{i2}x_over_w := mulmod(x_over_w, omega_inv, r)")
        out.append(f"{i2}e := addmod(x_over_w, minus_one, r)")
        out.append(f"{i2}mstore({e_at[j]:#06x}, e)")
        out.append(f"{i2}gp := mulmod(gp, e, r)")
        out.append(f"{i2}mstore({g_at[j]:#06x}, gp)")
    # one inversion of prod(e_j) * (x^n - 1) (modexp by r - 2, as ezkl's batch_invert)
    out.append(f"{i2}mstore({scratch:#06x}, 0x20)")
    out.append(f"{i2}mstore({scratch + 0x20:#06x}, 0x20)")
    out.append(f"{i2}mstore({scratch + 0x40:#06x}, 0x20)")
    out.append(f"{i2}mstore({scratch + 0x60:#06x}, mulmod(gp, x_n_minus_1, r))")
    out.append(f"{i2}mstore({scratch + 0x80:#06x}, sub(r, 2))")
    out.append(f"{i2}mstore({scratch + 0xA0:#06x}, r)")
    out.append(
        f"{i2}success := and(success, staticcall(gas(), 0x05, {scratch:#06x}, 0xc0, "
        f"{scratch:#06x}, 0x20))"
    )
    out.append(f"{i2}let inv := mload({scratch:#06x})")
    out.append(f"{i2}let x_n_minus_1_inv := mulmod(inv, gp, r)")
    out.append(f"{i2}inv := mulmod(inv, x_n_minus_1, r)  // 1 / (e_0 ... e_(m-1))")
    out.append(f"{i2}let instance_sum := 0")
    out.append(f"{i2}let blind_sum := 0")
    out.append(f"{i2}let l_0 := 0")
    for j in range(m - 1, 0, -1):
        out.append(f"{i2}{{")
        out.append(f"{i3}let l := mulmod(inv, mload({g_at[j - 1]:#06x}), r)  // 1 / e_{j}")
        out.append(f"{i3}inv := mulmod(inv, mload({e_at[j]:#06x}), r)")
        if j >= p.extra:
            index = j - p.extra
            if index < p.instances:
                word = f"calldataload(add(instances.offset, {0x20 * index:#x}))"
                out.append(f"{i3}instance_sum := addmod(instance_sum, mulmod(l, {word}, r), r)")
            if index == 0:
                out.append(f"{i3}l_0 := l")
        else:
            out.append(f"{i3}blind_sum := addmod(blind_sum, l, r)")
        out.append(f"{i2}}}")
    out.append(f"{i2}let l_common := mulmod(x_n_minus_1, mload(N_INV_MPTR), r)")
    out.append(f"{i2}mstore(X_N_MPTR, x_n)")
    out.append(f"{i2}mstore(X_N_MINUS_1_INV_MPTR, x_n_minus_1_inv)")
    out.append(f"{i2}mstore(L_LAST_MPTR, mulmod(l_common, inv, r))")
    out.append(f"{i2}mstore(L_BLIND_MPTR, mulmod(l_common, blind_sum, r))")
    out.append(f"{i2}mstore(L_0_MPTR, mulmod(l_common, l_0, r))")
    out.append(f"{i2}mstore(INSTANCE_EVAL_MPTR, mulmod(l_common, instance_sum, r))")
    out.append(indent + "}")
    return "\n".join(out) + "\n"


def _check_scratch_unread(after: str, p: Params) -> None:
    """The code after the block must not read its memory by address: ezkl's loops left other
    values there than the straight-line code does (its named slots, x_n .. instance_eval and
    the later ones, are written before they are read, as with ezkl's block)."""
    for value in _LOAD.findall(after):
        if int(value, 16) >= p.x_n_mptr:
            raise LagrangeError(f"code after the Lagrange block reads memory {value} it used")


def unroll_lagrange(source: str) -> str:
    """The verifier with its Lagrange block replaced by the straight-line one."""
    before, block, after = split(source)
    digest = shape_digest(block)
    if digest != SHAPE_SHA256:
        raise LagrangeError(
            f"ezkl's Lagrange block has another shape (sha256 {digest[:16]}...): "
            "check verifier_lagrange.py against it"
        )
    p = params(source, block)
    _check_scratch_unread(after, p)
    first = block.splitlines()[0]
    indent = first[: len(first) - len(first.lstrip())]
    return before + first + "\n" + render(p, indent) + "\n" + after
