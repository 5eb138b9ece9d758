"""Flows hold use cases; the I/O layer (ion_cli.chain) talks to the node (issue 18, item 2).

- no flow function takes a web3 object (a parameter named `w3`, or annotated with Web3/Node):
  flows take the run's Reader and hand it to the chain layer;
- no flow builds a plan `Call` by hand: calls come from the contract wrappers
  (ion_cli.chain.contracts), a record (`Call.from_json`) or an adapter's planned call
  (`chain.plan.planned_call`);
- one reader per run: `as_reader` never makes a new client, and the write path's node of a
  reader is made once.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ion_cli
from ion_cli.chain.node import Node, as_web3
from ion_cli.chain.rpc import Reader, as_reader
from ion_cli.errors import IonError

FLOWS = Path(ion_cli.__file__).parent / "flows"
FLOW_FILES = sorted(p for p in FLOWS.rglob("*.py") if p.name != "session.py")
# Flows another stream is rewriting this session; converted when their change lands.
PENDING: set[str] = set()


def _functions(path: Path) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse(path.read_text())
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_the_scan_sees_the_flows() -> None:
    names = {p.name for p in FLOW_FILES}
    assert {"lend.py", "vault.py", "tx.py", "liquidate.py", "writes.py"} <= names


@pytest.mark.parametrize("path", FLOW_FILES, ids=lambda p: str(p.relative_to(FLOWS)))
def test_no_flow_takes_a_web3_object(path: Path) -> None:
    if path.name in PENDING:
        pytest.xfail("being rewritten by another stream; converted after it lands")
    found = []
    for fn in _functions(path):
        args = [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]
        for arg in args:
            note = ast.unparse(arg.annotation) if arg.annotation is not None else ""
            if arg.arg == "w3" or "Web3" in note or note in ("Node", "'Node'"):
                found.append(f"{fn.name}({arg.arg}: {note or '?'})")
    assert not found, f"flows/{path.relative_to(FLOWS)} takes a web3 object: {found}"


@pytest.mark.parametrize("path", FLOW_FILES, ids=lambda p: str(p.relative_to(FLOWS)))
def test_no_flow_builds_a_call_by_hand(path: Path) -> None:
    built = [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Call"
    ]
    assert not built, f"flows/{path.relative_to(FLOWS)} builds Call(...) at lines {built}"


def test_as_reader_hands_back_the_run_reader_and_never_one_per_read() -> None:
    reader = Reader("http://127.0.0.1:1")
    assert as_reader(reader) is reader
    assert as_reader(Node(reader)) is reader

    class Web3Like:  # a test's web3 object: one reader for it, kept
        class provider:
            endpoint_uri = "http://127.0.0.1:1"

    held = Web3Like()
    first = as_reader(held)
    assert as_reader(held) is first and first.url == "http://127.0.0.1:1"
    with pytest.raises(IonError, match="nothing to read through"):
        as_reader(object())


def test_the_write_path_node_of_a_reader_is_made_once() -> None:
    reader = Reader("http://127.0.0.1:1")
    first = as_web3(reader)
    assert as_web3(reader) is first
    assert as_reader(first) is reader
