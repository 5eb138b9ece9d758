"""A generator step after ezkl: the verifier's loops with constant bounds unrolled and its small
helper calls inlined.

Pure text in, text out (stdlib and the core's signature splitter only), applied by
`build_verifier` after `verifier_fold` and `verifier_lagrange`.

Why: the generated verifier spends a few hundred gas per iteration or call on bookkeeping that
the legacy optimizer does not remove: jumps into `ec_add_acc`/`ec_mul_acc`/`ec_add_tmp`/
`ec_mul_tmp` (about 60 calls a proof), loops over memory whose bounds are literals (the
quotient's Horner loop, r_eval's loops over calldata, the coefficient copies) and
`batch_invert` over literal ranges. The step rewrites, statement by statement:

- `success := ec_*_acc|tmp(success, A[, B])` as the helper's stores and its precompile call in
  place (an argument that reads memory the helper writes first is bound to a variable before);
- `for { let v := C ... } lt(a, b) { v := add|sub(v, C) ... } { body }` (or the step at the
  end of the body) whose variables start at constants: one copy of the body per iteration, the
  variables replaced by their literal values; a loop whose start is not a constant is kept;
- `success := batch_invert(success, S, E)` with literal S and E: Montgomery's inversion as the
  helper does it (the same prefix products at the same scratch words, one modexp), unrolled.

Each rewrite computes what the code it replaces computes (the tests check a real proof and
forgeries against ezkl's untouched verifier); the helpers' definitions stay (still used by the
transcript code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ion_cli.abi.signature import SignatureError, split_top

MARK = "// ion: loops unrolled, helpers inlined (ion_cli/zk/verifier_unroll.py)"
MAX_ITERATIONS = 64  # a longer loop is kept (code size)

_CONST_DECL = re.compile(r"uint256 internal constant\s+([A-Z0-9_]+) = (0x[0-9a-fA-F]+|\d+);")
_HELPER_CALL = re.compile(
    r"^(?P<indent>[ \t]*)success := (?P<name>ec_add_acc|ec_mul_acc|ec_add_tmp|ec_mul_tmp|"
    r"batch_invert)\((?P<args>.*)\)[ \t]*$"
)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LITERAL_MLOAD = re.compile(r"mload\((0x[0-9a-fA-F]+|[A-Z][A-Z0-9_]*)\)")

# (scalar word, base word) of the mul helpers; (x word, y word, base) of the add helpers
_MUL = {"ec_mul_acc": (0x40, 0x00), "ec_mul_tmp": (0xC0, 0x80)}
_ADD = {"ec_add_acc": (0x40, 0x60, 0x00), "ec_add_tmp": (0xC0, 0xE0, 0x80)}


class UnrollError(ValueError):
    """A construct this step rewrites is not in the shape it knows."""


# ------------------------------------------------------------------------ expressions


def split_args(text: str) -> list[str]:
    """Top-level comma-separated arguments of a Yul call's argument text: the ABI signature
    parser's splitter (one for both; "" gives no argument), its error as this step's."""
    try:
        return split_top(text)
    except SignatureError as exc:
        raise UnrollError(str(exc)) from None


def evaluate(expr: str, env: dict[str, int]) -> int | None:
    """The value of a constant Yul expression (literals, names in `env`, add/sub/mul), or None."""
    expr = expr.strip()
    if re.fullmatch(r"0x[0-9a-fA-F]+", expr):
        return int(expr, 16)
    if re.fullmatch(r"\d+", expr):
        return int(expr)
    if _IDENT.fullmatch(expr):
        return env.get(expr)
    call = re.fullmatch(r"(add|sub|mul)\((.*)\)", expr, re.S)
    if call is None:
        return None
    args = split_args(call.group(2))
    if len(args) != 2:
        return None
    a, b = evaluate(args[0], env), evaluate(args[1], env)
    if a is None or b is None:
        return None
    mask = (1 << 256) - 1
    if call.group(1) == "add":
        return (a + b) & mask
    if call.group(1) == "sub":
        return (a - b) & mask
    return (a * b) & mask


def constants(source: str) -> dict[str, int]:
    return {name: int(value, 0) for name, value in _CONST_DECL.findall(source)}


def substitute(text: str, values: dict[str, int]) -> str:
    """`text` with each variable of `values` replaced by its value as a literal."""
    if not values:
        return text
    pattern = re.compile(
        r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, values)) + r")(?![A-Za-z0-9_])"
    )
    return pattern.sub(lambda m: f"{values[m.group(1)]:#06x}", text)


# ------------------------------------------------------------------------ helper calls


def _reads_only_literal_memory(expr: str, written: set[int]) -> bool:
    """True when `expr` loads memory only at literal or named addresses none of which is in
    `written` (named ones are the verifier's slots, above the helpers' scratch)."""
    loads = expr.count("mload(")
    literal = _LITERAL_MLOAD.findall(expr)
    if len(literal) != loads:
        return False
    return all(not a.startswith("0x") or int(a, 16) not in written for a in literal)


def inline_call(indent: str, name: str, args: list[str]) -> list[str]:
    if args[0] != "success":
        raise UnrollError(f"{name} called without `success` first")
    if name in _MUL:
        if len(args) != 2:
            raise UnrollError(f"{name} takes a scalar")
        word, base = _MUL[name]
        return [
            f"{indent}mstore({word:#04x}, {args[1]})",
            f"{indent}success := and(success, staticcall(gas(), 0x07, {base:#04x}, 0x60, "
            f"{base:#04x}, 0x40))",
        ]
    if len(args) != 3:
        raise UnrollError(f"{name} takes x and y")
    x_word, y_word, base = _ADD[name]
    call = f"success := and(success, staticcall(gas(), 0x06, {base:#04x}, 0x80, {base:#04x}, 0x40))"
    if _reads_only_literal_memory(args[2], {x_word}):
        return [
            f"{indent}mstore({x_word:#04x}, {args[1]})",
            f"{indent}mstore({y_word:#04x}, {args[2]})",
            f"{indent}{call}",
        ]
    # Yul evaluates arguments right to left: y first, then x, then the helper's stores
    return [
        f"{indent}{{",
        f"{indent}    let y_ := {args[2]}",
        f"{indent}    mstore({x_word:#04x}, {args[1]})",
        f"{indent}    mstore({y_word:#04x}, y_)",
        f"{indent}    {call}",
        f"{indent}}}",
    ]


def inline_batch_invert(indent: str, start: int, end: int) -> list[str]:
    """`batch_invert(success, start, end)` unrolled: the helper's prefix products at end,
    end + 0x20, ..., its modexp words after them, the inverses in place."""
    n = (end - start) // 0x20
    if n < 2 or (end - start) % 0x20:
        raise UnrollError(f"batch_invert over {start:#x}..{end:#x}: fewer than two words")
    i2 = indent + "    "

    def word(k: int) -> str:
        return f"{start + 0x20 * k:#06x}"

    def prefix(k: int) -> str:  # prod of words 0..k (k >= 1) is kept at end + 0x20 * (k - 1)
        return f"{end + 0x20 * (k - 1):#06x}"

    out = [indent + "{", f"{i2}let gp := mload({word(0)})"]
    for k in range(1, n - 1):
        out.append(f"{i2}gp := mulmod(gp, mload({word(k)}), R)")
        out.append(f"{i2}mstore({prefix(k)}, gp)")
    out.append(f"{i2}gp := mulmod(gp, mload({word(n - 1)}), R)")
    at = end + 0x20 * (n - 2)
    out += [
        f"{i2}mstore({at:#06x}, 0x20)",
        f"{i2}mstore({at + 0x20:#06x}, 0x20)",
        f"{i2}mstore({at + 0x40:#06x}, 0x20)",
        f"{i2}mstore({at + 0x60:#06x}, gp)",
        f"{i2}mstore({at + 0x80:#06x}, sub(R, 2))",
        f"{i2}mstore({at + 0xA0:#06x}, R)",
        f"{i2}success := and(success, staticcall(gas(), 0x05, {at:#06x}, 0xc0, {at:#06x}, 0x20))",
        f"{i2}let all_inv := mload({at:#06x})",
    ]
    for k in range(n - 1, 1, -1):
        out.append(f"{i2}{{")
        out.append(f"{i2}    let inv := mulmod(all_inv, mload({prefix(k - 1)}), R)")
        out.append(f"{i2}    all_inv := mulmod(all_inv, mload({word(k)}), R)")
        out.append(f"{i2}    mstore({word(k)}, inv)")
        out.append(f"{i2}}}")
    out += [
        f"{i2}let inv_first := mulmod(all_inv, mload({word(1)}), R)",
        f"{i2}let inv_second := mulmod(all_inv, mload({word(0)}), R)",
        f"{i2}mstore({word(0)}, inv_first)",
        f"{i2}mstore({word(1)}, inv_second)",
        indent + "}",
    ]
    return out


def inline_helpers(text: str, env: dict[str, int]) -> tuple[str, int]:
    out, count = [], 0
    for line in text.split("\n"):
        m = _HELPER_CALL.match(line)
        if m is None:
            out.append(line)
            continue
        args = split_args(m.group("args"))
        if m.group("name") == "batch_invert":
            start, end = (evaluate(a, env) for a in args[1:]) if len(args) == 3 else (None, None)
            if start is None or end is None or args[0] != "success":
                out.append(line)  # not literal bounds: the helper stays
                continue
            out += inline_batch_invert(m.group("indent"), start, end)
        else:
            out += inline_call(m.group("indent"), m.group("name"), args)
        count += 1
    return "\n".join(out), count


# ------------------------------------------------------------------------ loops


@dataclass(frozen=True)
class Loop:
    start: int  # offset of `for`
    end: int  # offset after the body's closing brace
    indent: str
    init: str
    cond: str
    post: str
    body: str


def _block(text: str, at: int) -> tuple[str, int]:
    """The inside of the brace block opening at or after `at` (whitespace only before it), and
    the offset after its closing brace."""
    i = at
    while text[i] in " \t\n":
        i += 1
    if text[i] != "{":
        raise UnrollError("expected a block")
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j], j + 1
    raise UnrollError("unclosed block")


def find_loops(text: str) -> list[Loop]:
    loops = []
    for m in re.finditer(r"(?m)^([ \t]*)for[ \t]*\n", text):
        init, after_init = _block(text, m.end())
        newline = text.index("\n", after_init + 1)
        cond = text[after_init:newline].strip()
        post, after_post = _block(text, newline)
        body, after_body = _block(text, after_post)
        loops.append(Loop(m.start(), after_body, m.group(1), init, cond, post, body))
    return loops


def _statements(block: str) -> list[str]:
    return [s.strip() for s in block.strip().split("\n") if s.strip()]


_STEP = re.compile(r"([a-z_][a-z0-9_]*) := (add|sub)\(\1, (0x[0-9a-fA-F]+|\d+)\)")
_LET = re.compile(r"let ([a-z_][a-z0-9_]*) := (.+)")


def unroll(loop: Loop, env: dict[str, int]) -> str | None:
    """The loop's iterations as straight-line blocks, or None when it is not a constant loop."""
    values: dict[str, int] = {}
    for statement in _statements(loop.init):
        let = _LET.fullmatch(statement)
        if let is None:
            return None
        value = evaluate(let.group(2), {**env, **values})
        if value is None:
            return None
        values[let.group(1)] = value
    steps = _statements(loop.post)
    body = _statements(loop.body)
    if not steps and body and _STEP.fullmatch(body[-1]):
        steps, body = [body[-1]], body[:-1]
    parsed = [_STEP.fullmatch(s) for s in steps]
    if not parsed or any(p is None or p.group(1) not in values for p in parsed):
        return None
    cond = re.fullmatch(
        r"lt\(([a-z_][a-z0-9_]*|0x[0-9a-fA-F]+), ([a-z_][a-z0-9_]*|0x[0-9a-fA-F]+)\)", loop.cond
    )
    if cond is None:
        return None
    body_text = "\n".join(body)
    for name in values:  # the loop's variables change only in its step
        if re.search(rf"(?<![A-Za-z0-9_]){name} :=", body_text) or f"let {name} " in body_text:
            return None
    blocks = []
    for _ in range(MAX_ITERATIONS + 1):
        a, b = (
            evaluate(cond.group(1), {**env, **values}),
            evaluate(cond.group(2), {**env, **values}),
        )
        if a is None or b is None:
            return None
        if not a < b:
            break
        inner = loop.indent + "    "
        lines = [inner + substitute(s, values) for s in body]
        blocks.append(f"{loop.indent}{{\n" + "\n".join(lines) + f"\n{loop.indent}}}")
        for p in parsed:
            assert p is not None
            delta = int(p.group(3), 0)
            current = values[p.group(1)]
            values[p.group(1)] = (current + delta if p.group(2) == "add" else current - delta) & (
                (1 << 256) - 1
            )
    else:
        return None
    return "\n".join(blocks) if blocks else f"{loop.indent}{{ }}"


def unroll_loops(text: str, env: dict[str, int]) -> tuple[str, int]:
    count = 0
    while True:
        for loop in find_loops(text):
            done = unroll(loop, env)
            if done is not None:
                text = text[: loop.start] + done + text[loop.end :]
                count += 1
                break
        else:
            return text, count


# ------------------------------------------------------------------------ the step

AFTER = "// Compute quotient commitment"


def unroll_verifier(source: str) -> str:
    """The verifier with the code from the quotient commitment on (the pairing's inputs)
    unrolled and inlined; the transcript and helper definitions before it are kept."""
    if source.count(AFTER) != 1:
        raise UnrollError("the quotient commitment's comment is not found exactly once")
    at = source.index(AFTER)
    at = source.rfind("\n", 0, at) + 1
    head, tail = source[:at], source[at:]
    env = constants(source)
    tail, loops = unroll_loops(tail, env)
    tail, calls = inline_helpers(tail, env)
    if loops == 0 or calls == 0:
        raise UnrollError(f"nothing to unroll ({loops} loops) or inline ({calls} calls)")
    indent = tail[: len(tail) - len(tail.lstrip(" "))]
    return head + indent + MARK + "\n" + tail


def local_modulus(source: str) -> str:
    """From the quotient evaluation on, the scalar modulus as the local `r` (one DUP, one byte)
    instead of the constant `R` (a PUSH32, 33 bytes): the same value at the same gas, and about
    10 KB less runtime code after the unrolling, under the 24,576-byte limit with room for a
    larger model."""
    marker = "// Compute quotient evavluation"  # sic: ezkl's spelling
    if source.count(marker) != 1:
        raise UnrollError("the quotient evaluation's comment is not found exactly once")
    at = source.index(marker)
    head, tail = source[:at], source[at:]
    if re.search(r"let r(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])r :=", tail):
        raise UnrollError("a local `r` is declared or assigned after the quotient evaluation")
    if not re.search(
        r"let r := 21888242871839275222246405745257275088548364400416034343698204186575808495617\b",
        head,
    ):
        raise UnrollError("the verifier's local `r` is not the scalar field's modulus")
    return head + re.sub(r"(?<![A-Za-z0-9_])R(?![A-Za-z0-9_])", "r", tail)
