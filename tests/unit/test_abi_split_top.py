"""split_top's fast path (no parentheses: str.split) gives what the character walk gives."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ion_cli.abi.signature import split_top


def _walk(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    tail = "".join(current).strip()
    if tail or parts:
        parts.append(tail)
    return parts


@given(st.text(alphabet="ab1 ,\t[]", max_size=12))
def test_flat_lists_split_as_the_walk_does(text: str) -> None:
    assert split_top(text) == _walk(text)


def test_tuples_still_split_at_the_top_level_only() -> None:
    assert split_top("(uint256 a, bool b)[] xs, address to") == [
        "(uint256 a, bool b)[] xs",
        "address to",
    ]
    assert split_top("") == [] and split_top("  ") == [] and split_top("a,") == ["a", ""]
