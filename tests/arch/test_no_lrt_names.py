"""No string constant of the core names an LRT: every fact about a token is its adapter's
(adapter API v2), so a fifth token needs no edit of ion_cli/.

The sources are parsed (ast), not grepped: comments are not strings, and two kinds of string are
prose for people, not facts the code acts on, and may name tokens as examples:
- docstrings (the first statement of a module, class or function, a bare string);
- help texts: a string (or f-string part) inside the value of a keyword argument named in
  HELP_KEYWORDS (`typer.Option(..., help="... (weETH, ezETH) ...")`).
Anything else that names an LRT (a dict key, a comparison, an interface name such as
"WeEthHandler", an error message) is a finding.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ion_cli"

# Tokens (case-insensitive; not preceded by a letter, so "wstETH" and "WETH" do not count, while
# "WeEthHandler" does) and the protocols that issue them (whole words).
LRT_TOKENS = re.compile(r"(?i)(?<![a-z])(?:we|e|ez|rs|rsw|sw|puf)eth")
LRT_PROTOCOLS = re.compile(r"(?i)\b(?:ether\.?fi|renzo|kelp|swell|puffer|eigenpie)\b")
HELP_KEYWORDS = frozenset({"help", "short_help", "epilog", "rich_help_panel", "metavar"})


def names_in(text: str) -> list[str]:
    return [m.group(0) for m in LRT_TOKENS.finditer(text)] + [
        m.group(0) for m in LRT_PROTOCOLS.finditer(text)
    ]


def _docstring_nodes(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                found.add(id(body[0].value))
    return found


def _help_nodes(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in HELP_KEYWORDS:
            found |= {id(inner) for inner in ast.walk(node.value)}
    return found


def findings(source: str, where: str = "<source>") -> Iterator[tuple[int, str]]:
    """(line, string) of every string constant in `source` that names an LRT, prose aside."""
    tree = ast.parse(source, where)
    prose = _docstring_nodes(tree) | _help_nodes(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if id(node) not in prose and names_in(node.value):
            yield node.lineno, node.value


def test_the_check_tells_prose_from_facts() -> None:
    source = '''
"""Module docstring: weETH and ezETH are examples."""
import typer

def f(symbol: str) -> str:
    """rsETH in a docstring is prose."""
    opt = typer.Option("--lrt", help=f"The LRT, e.g. rswETH or {symbol}")
    if symbol == "ezETH":
        return "WeEthHandler"
    return {"kelp": 1}, "wstETH", "WETH", "stETH"
'''
    found = [text for _, text in findings(source)]
    assert found == ["ezETH", "WeEthHandler", "kelp"]


def _report() -> dict[str, list[tuple[int, str]]]:
    report: dict[str, list[tuple[int, str]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        hits = list(findings(path.read_text(encoding="utf-8"), rel))
        if hits:
            report[rel] = hits
    return report


def test_no_string_constant_of_the_core_names_an_lrt() -> None:
    report = _report()
    unexpected = {
        f"{path}:{line}: {text!r:.80}" for path, hits in report.items() for line, text in hits
    }
    assert not unexpected, "LRT names in the core:\n" + "\n".join(sorted(unexpected))
