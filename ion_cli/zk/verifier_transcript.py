"""A generator step after ezkl: the verifier's transcript (reading the instances and the proof,
squeezing the challenges) as straight-line code.

Pure text in, text out (stdlib only), applied by `build_verifier` with the other steps.

Why: ezkl reads the instances and the proof in loops, through the `read_ec_point`,
`squeeze_challenge` and `squeeze_challenge_cont` helpers, with the memory and calldata cursors
(hash_mptr, proof_cptr, challenge_mptr) on the stack: about 80-150 gas of bookkeeping per word
or point. Every cursor position is known when the verifier is generated (the proof's layout is
fixed by the verifying key), so the same reads, range and curve checks, stores and hashes are
written out with literal addresses. Calldata is still read relative to `instances.offset` and
`proof.offset`, as ezkl's loops do.

The section is interpreted statement by statement: any statement this step does not know is an
error (the generator must be looked at), never copied blindly.
"""

from __future__ import annotations

import re

BEGIN = "// Read instances and witness commitments and generate challenges"
END = "// Load full vk into memory"
MARK = "// ion: transcript unrolled (ion_cli/zk/verifier_transcript.py)"

_NUM_INSTANCES = re.compile(r"mstore\(0x[0-9a-f]+, (0x[0-9a-f]{64})\) // num_instances\n")
_CHALLENGE_MPTR = re.compile(r"uint256 internal constant\s+CHALLENGE_MPTR = (0x[0-9a-f]+);")
_N = r"(0x[0-9a-fA-F]+)"

# statement patterns over the section with comments dropped and whitespace collapsed
_STATEMENTS: list[tuple[str, re.Pattern[str]]] = [
    ("start", re.compile(r"let hash_mptr := 0x20 let instance_cptr := instances\.offset ")),
    (
        "instances",
        re.compile(
            r"for \{ let instance_cptr_end := add\(instance_cptr, mul\(0x20, num_instances\)\) \}"
            r" lt\(instance_cptr, instance_cptr_end\) \{\} \{ let instance := "
            r"calldataload\(instance_cptr\) success := and\(success, lt\(instance, r\)\) "
            r"mstore\(hash_mptr, instance\) instance_cptr := add\(instance_cptr, 0x20\) "
            r"hash_mptr := add\(hash_mptr, 0x20\) \} "
        ),
    ),
    (
        "cursors",
        re.compile(r"let proof_cptr := proof\.offset let challenge_mptr := CHALLENGE_MPTR "),
    ),
    (
        "points",
        re.compile(
            rf"for \{{ let proof_cptr_end := add\(proof_cptr, {_N}\) \}} "
            r"lt\(proof_cptr, proof_cptr_end\) \{\} \{ success, proof_cptr, hash_mptr := "
            r"read_ec_point\(success, proof_cptr, hash_mptr, q\) \} "
        ),
    ),
    (
        "point",
        re.compile(
            r"success, proof_cptr, hash_mptr := read_ec_point\(success, proof_cptr, hash_mptr, q\) "
        ),
    ),
    (
        "squeeze",
        re.compile(
            r"challenge_mptr, hash_mptr := squeeze_challenge\(challenge_mptr, hash_mptr, r\) "
        ),
    ),
    ("cont", re.compile(r"challenge_mptr := squeeze_challenge_cont\(challenge_mptr, r\) ")),
    (
        "evals",
        re.compile(
            rf"for \{{ let proof_cptr_end := add\(proof_cptr, {_N}\) \}} "
            r"lt\(proof_cptr, proof_cptr_end\) \{\} \{ let eval := calldataload\(proof_cptr\) "
            r"success := and\(success, lt\(eval, r\)\) mstore\(hash_mptr, eval\) "
            r"proof_cptr := add\(proof_cptr, 0x20\) hash_mptr := add\(hash_mptr, 0x20\) \} "
        ),
    ),
]


class TranscriptError(ValueError):
    """ezkl's transcript section does not have the shape this step knows."""


def _normalize(section: str) -> str:
    without_comments = re.sub(r"//[^\n]*", "", section)
    return " ".join(without_comments.split()) + " "


def parse(section: str) -> list[tuple[str, int]]:
    """The section's statements: (kind, byte count for the loops, else 0)."""
    text = _normalize(section)
    at, out = 0, []
    while at < len(text.strip()):
        for kind, pattern in _STATEMENTS:
            m = pattern.match(text, at)
            if m is not None:
                out.append((kind, int(m.group(1), 16) if m.groups() else 0))
                at = m.end()
                break
        else:
            raise TranscriptError(f"unknown statement in the transcript: {text[at : at + 80]!r}")
    if not out or out[0][0] != "start" or out[1][0] != "instances" or out[2][0] != "cursors":
        raise TranscriptError("the transcript does not start with the instances")
    return out


def render(statements: list[tuple[str, int]], instances: int, challenge_mptr: int, i: str) -> str:
    out = [i + MARK]
    hash_mptr, proof, challenge = 0x20, 0, challenge_mptr
    i2 = i + "    "

    def word(cursor: str, offset: int) -> str:
        return f"calldataload(add({cursor}, {offset:#x}))" if offset else f"calldataload({cursor})"

    def point() -> None:
        nonlocal hash_mptr, proof
        out.extend(
            [
                i + "{",
                f"{i2}let x := {word('proof.offset', proof)}",
                f"{i2}let y := {word('proof.offset', proof + 0x20)}",
                f"{i2}success := and(success, lt(x, q))",
                f"{i2}success := and(success, lt(y, q))",
                f"{i2}success := and(success, eq(mulmod(y, y, q), "
                "addmod(mulmod(x, mulmod(x, x, q), q), 3, q)))",
                f"{i2}mstore({hash_mptr:#06x}, x)",
                f"{i2}mstore({hash_mptr + 0x20:#06x}, y)",
                i + "}",
            ]
        )
        hash_mptr, proof = hash_mptr + 0x40, proof + 0x40

    def scalar(cursor: str, offset: int, name: str) -> None:
        nonlocal hash_mptr
        out.extend(
            [
                i + "{",
                f"{i2}let {name} := {word(cursor, offset)}",
                f"{i2}success := and(success, lt({name}, r))",
                f"{i2}mstore({hash_mptr:#06x}, {name})",
                i + "}",
            ]
        )
        hash_mptr += 0x20

    for kind, size in statements:
        if kind == "instances":
            for n in range(instances):
                scalar("instances.offset", 0x20 * n, "instance")
        elif kind == "points" or kind == "point":
            count = 1 if kind == "point" else size // 0x40
            if kind == "points" and size % 0x40:
                raise TranscriptError(f"a point loop over {size:#x} bytes")
            for _ in range(count):
                point()
        elif kind == "evals":
            if size % 0x20:
                raise TranscriptError(f"an evaluation loop over {size:#x} bytes")
            for _ in range(size // 0x20):
                scalar("proof.offset", proof, "eval")
                proof += 0x20
        elif kind == "squeeze":
            out.extend(
                [
                    i + "{",
                    f"{i2}let hash := keccak256(0x00, {hash_mptr:#06x})",
                    f"{i2}mstore({challenge:#06x}, mod(hash, r))",
                    f"{i2}mstore(0x00, hash)",
                    i + "}",
                ]
            )
            hash_mptr, challenge = 0x20, challenge + 0x20
        elif kind == "cont":
            out.extend(
                [
                    i + "{",
                    f"{i2}mstore8(0x20, 0x01)",
                    f"{i2}let hash := keccak256(0x00, 0x21)",
                    f"{i2}mstore({challenge:#06x}, mod(hash, r))",
                    f"{i2}mstore(0x00, hash)",
                    i + "}",
                ]
            )
            challenge += 0x20
    return "\n".join(out) + "\n"


def unroll_transcript(source: str) -> str:
    if source.count(BEGIN) != 1 or source.count(END) != 1:
        raise TranscriptError("the transcript's comments are not found exactly once")
    start = source.index(BEGIN)
    start = source.index("\n", start) + 1
    end = source.index(END)
    end = source.rfind("\n", 0, end) + 1
    section = source[start:end]
    rest = source[end : source.index("// Revert earlier if anything from calldata is invalid")]
    for name in ("hash_mptr", "proof_cptr", "challenge_mptr", "instance_cptr"):
        if re.search(rf"(?<![A-Za-z0-9_]){name}(?![A-Za-z0-9_])", rest):
            raise TranscriptError(f"{name} is used after the transcript")
    found = _NUM_INSTANCES.search(source)
    challenge = _CHALLENGE_MPTR.search(source)
    if found is None or challenge is None:
        raise TranscriptError("num_instances or CHALLENGE_MPTR is not in the verifier")
    first = section.splitlines()[0]
    indent = first[: len(first) - len(first.lstrip())]
    body = render(parse(section), int(found.group(1), 16), int(challenge.group(1), 16), indent)
    return source[:start] + body + "\n" + source[end:]
