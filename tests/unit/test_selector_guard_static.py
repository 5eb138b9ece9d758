"""The selector guard, static half: what the encoders in the client code can send, read from the
source (no node). The live half (tests/integration/test_selector_guard.py) records what a
walk-through actually sends; this one also covers paths the walk-through does not reach.

- Every function signature written out in the client code (adapters, plugins, plan builders,
  flows: `"getRate()(uint256)"`, `keccak(text="addOperator(address)")`...) is published by
  some interface.
- Every function reached through a contract handle (`contract(w3, "IonPool", a).functions.x`,
  `encode(w3, "GemJoin", a, "join", ...)`) is published by one of the contracts that code
  scope names.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

from ion_cli.abi import published
from ion_cli.abi.signature import parse_signature, signature_text

ROOT = Path(__file__).resolve().parents[2]
# The client: everything a user's command, a script or a plugin runs. Not the devnet's deploy
# script and admin helpers (they configure the reference, on the devnet only), nor this guard.
CLIENT_FILES = sorted(
    p
    for p in [*ROOT.joinpath("ion_cli").rglob("*.py"), *ROOT.joinpath("plugins").rglob("*.py")]
    if "devnet" not in p.relative_to(ROOT).parts[1:2]
    and p.name not in {"selector_guard.py", "devnet.py", "revert.py"}
    and "tests" not in p.relative_to(ROOT).parts
    and "abi" not in p.relative_to(ROOT).parts[1:2]
)
SIGNATURE = re.compile(r"[a-z][A-Za-z0-9_]*\([a-z0-9\[\],()]*\)(?:\([a-z0-9\[\],]*\))?")
# Names the code uses for a published interface.
ALIASES = {"IReserveOracle": "ReserveOracle", "IERC20Metadata": "ERC20", "IERC20": "ERC20"}


@functools.cache
def _tree(path: Path) -> ast.Module:
    """Each file parsed once for the module's ~800 tests (the scans only read the trees)."""
    return ast.parse(path.read_text())


@functools.cache
def _published_functions() -> frozenset[str]:
    """Published function signatures, and event signatures (an adapter filters logs by them)."""
    interfaces = published.all_interfaces()
    return frozenset(
        s for i in interfaces for kind in ("function", "event") for s in i.signatures(kind)
    )


@functools.cache
def _published_selectors() -> frozenset[bytes]:
    return frozenset(sel for i in published.all_interfaces() for sel in i.selectors())


def _functions_of(name: str) -> set[str]:
    return {sig.split("(")[0] for sig in published.interface(ALIASES.get(name, name)).signatures()}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _signature_strings(path: Path) -> list[str]:
    """String constants that are a whole signature ("getRate()(uint256)"), docstrings aside."""
    tree = _tree(path)
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip
            and SIGNATURE.fullmatch(node.value)
        ):
            found.append(signature_text(parse_signature(node.value)))
    return found


def _hard_coded_selectors(path: Path) -> list[tuple[str, bytes]]:
    """`SEL_X = bytes.fromhex("095ea7b3")`: selectors written as bytes (chain/plan.py)."""
    found = []
    for node in ast.walk(_tree(path)):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id.startswith("SEL_")
            and isinstance(node.value, ast.Call)
            and node.value.args
            and isinstance(node.value.args[0], ast.Constant)
        ):
            found.append((node.targets[0].id, bytes.fromhex(str(node.value.args[0].value))))
    return found


def test_the_scan_sees_the_client() -> None:
    names = {p.name for p in CLIENT_FILES}
    assert {"market_state.py", "vault.py", "lend.py", "plan.py", "adapters.py"} <= names
    assert any(p.parts[-3] == "ion-weeth" for p in CLIENT_FILES)
    sigs = {s for p in CLIENT_FILES for s in _signature_strings(p)}
    assert "getRate()" in sigs and "rsETHPrice()" in sigs
    # the plan builders: hard-coded selectors, or wrapper calls
    selectors = {n for p in CLIENT_FILES for n, _ in _hard_coded_selectors(p)}
    calls = {(c, f) for p in CLIENT_FILES for _, c, f in _wrapper_calls(p)}
    assert {"SEL_APPROVE", "SEL_ADD_OPERATOR"} <= selectors or {
        ("ERC20", "approve"),
        ("IonPool", "addOperator"),
    } <= calls


@pytest.mark.parametrize("path", CLIENT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_hard_coded_selector_is_published(path: Path) -> None:
    known = _published_selectors()
    unknown = [name for name, sel in _hard_coded_selectors(path) if sel not in known]
    assert not unknown, f"{path.relative_to(ROOT)}: {unknown} are no published function's"


@pytest.mark.parametrize("path", CLIENT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_written_signature_is_published(path: Path) -> None:
    known = _published_functions()
    unknown = sorted(s for s in _signature_strings(path) if s not in known)
    assert not unknown, f"{path.relative_to(ROOT)} encodes calls no interface publishes: {unknown}"


class _Scope(ast.NodeVisitor):
    """Per function: the contract names it builds handles for, and the functions it reaches."""

    def __init__(self) -> None:
        self.contracts: set[str] = set()
        self.functions: set[str] = set()

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        callee = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        args = node.args
        if _is_wrapper(node):  # IonPool(address): a wrapper over a published interface
            self.contracts.add(callee)
        if callee in ("contract", "encode") and len(args) >= 2:
            if isinstance(args[1], ast.Constant) and isinstance(args[1].value, str):
                self.contracts.add(args[1].value)
            if callee == "encode" and len(args) >= 4 and isinstance(args[3], ast.Constant):
                self.functions.add(str(args[3].value))
        if callee in ("call_of", "encode_abi") and args and isinstance(args[-1], ast.Constant):
            self.functions.add(str(args[-1].value))
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        # x.functions.NAME, and NAME on a name bound to `.functions` (pool = c.functions)
        if isinstance(node.value, ast.Attribute) and node.value.attr == "functions":
            self.functions.add(node.attr)
        self.generic_visit(node)


def _is_wrapper(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in published.names()
    )


def _wrapper_class(node: ast.AST) -> str | None:
    if _is_wrapper(node):
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        return node.func.id
    if isinstance(node, ast.ListComp):
        return _wrapper_class(node.elt)
    return None


def _wrapper_names(function: ast.AST) -> dict[str, str]:
    """Names bound to wrappers, with their class: `pool = IonPool(a)`, `pools = [IonPool(a)
    for ...]`, and loop variables over those (`for o in pools`, `for m, p in zip(ms, pools)`)."""
    bound: dict[str, str] = {}
    for n in ast.walk(function):
        if isinstance(n, ast.Assign) and (cls := _wrapper_class(n.value)):
            bound.update({t.id: cls for t in n.targets if isinstance(t, ast.Name)})
    for n in ast.walk(function):
        if not isinstance(n, ast.For | ast.comprehension):
            continue
        it, target = n.iter, n.target
        if isinstance(it, ast.Name) and it.id in bound and isinstance(target, ast.Name):
            bound[target.id] = bound[it.id]
        if (
            isinstance(it, ast.Call)
            and isinstance(it.func, ast.Name)
            and it.func.id == "zip"
            and isinstance(target, ast.Tuple)
        ):
            for arg, element in zip(it.args, target.elts, strict=False):
                if isinstance(arg, ast.Name) and arg.id in bound and isinstance(element, ast.Name):
                    bound[element.id] = bound[arg.id]
    return bound


def _wrapper_calls(path: Path) -> list[tuple[str, str, str]]:
    """(scope, wrapper class, function) of every call on a wrapper-bound name."""
    out = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            wrappers = _wrapper_names(node)
            for n in ast.walk(node):
                if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)):
                    continue
                receiver = n.func.value
                if isinstance(receiver, ast.Name) and receiver.id in wrappers:
                    out.append((node.name, wrappers[receiver.id], n.func.attr))
                elif (cls := _wrapper_class(receiver)) is not None:  # IonPool(a).rate(0)
                    out.append((node.name, cls, n.func.attr))
    return out


def _scopes(path: Path) -> list[tuple[str, _Scope]]:
    tree = _tree(path)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            scope = _Scope()
            scope.visit(node)
            bound = {
                t.id
                for n in ast.walk(node)
                if isinstance(n, ast.Assign) and isinstance(n.value, ast.Attribute)
                and n.value.attr == "functions"
                for t in n.targets
                if isinstance(t, ast.Name)
            }  # fmt: skip
            for n in ast.walk(node):
                if (
                    isinstance(n, ast.Attribute)
                    and isinstance(n.value, ast.Name)
                    and n.value.id in bound
                ):
                    scope.functions.add(n.attr)
            if scope.contracts:
                out.append((node.name, scope))
    return out


@pytest.mark.parametrize("path", CLIENT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_function_reached_through_a_handle_is_published(path: Path) -> None:
    for name, scope in _scopes(path):
        offered = set().union(*(_functions_of(c) for c in scope.contracts))
        unknown = sorted(scope.functions - offered)
        assert not unknown, (
            f"{path.relative_to(ROOT)}:{name} calls {unknown} on {sorted(scope.contracts)}, "
            "which do not publish them"
        )


def test_the_handle_scan_finds_the_reads() -> None:
    path = ROOT / "ion_cli" / "chain" / "market_state.py"
    read = dict(_scopes(path))["read_markets"]
    assert {"IonLens", "IonPool", "SpotOracle"} <= read.contracts
    reached = read.functions | {
        f for scope, _, f in _wrapper_calls(path) if scope == "read_markets"
    }  # web3 handles (x.functions.f) or wrappers (IonPool(a).f)
    assert {"getCurrentBorrowRate", "totalNormalizedDebt", "getSpot"} <= reached


_NOT_FUNCTIONS = {"address", "label", "interface"}  # a wrapper's own attributes, not calls


@pytest.mark.parametrize("path", CLIENT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_function_called_on_a_wrapper_is_its_contracts(path: Path) -> None:
    """Wrappers (`IonPool(a).rate(0)`) know their contract, so the check is per receiver."""
    wrong = [
        f"{scope}: {cls}.{fn}"
        for scope, cls, fn in _wrapper_calls(path)
        if fn not in _NOT_FUNCTIONS and fn not in _functions_of(cls)
    ]
    assert not wrong, f"{path.relative_to(ROOT)} calls unpublished functions: {wrong}"


def test_the_scan_reads_the_wrapper_style(tmp_path: Path) -> None:
    code = tmp_path / "wrappers.py"
    code.write_text(
        "def f(markets, lens_address):\n"
        "    lens = IonLens(lens_address)\n"
        "    pools = [IonPool(m.pool) for m in markets]\n"
        "    for m, pool in zip(markets, pools):\n"
        "        pool.rate(0), lens.spot(pool.address, 0), pool.debt()\n"
    )
    calls = {(cls, fn) for _, cls, fn in _wrapper_calls(code)}
    assert calls == {("IonPool", "rate"), ("IonLens", "spot"), ("IonPool", "debt")}
    direct = tmp_path / "direct.py"
    direct.write_text("def g(a):\n    return IonPool(a).quoteExactInput(1)\n")
    assert _wrapper_calls(direct) == [("g", "IonPool", "quoteExactInput")]
    assert "debt" not in _functions_of("IonPool") and "debt" in _functions_of("IonLens")


def test_the_scan_would_catch_a_lens_view_called_on_the_pool(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def f(w3, a):\n"
        "    pool = contract(w3, 'IonPool', a).functions\n"
        "    return pool.debt().call(), encode(w3, 'DevUniswapV3Pool', a, 'quoteExactInput', [])\n"
    )
    ((_, scope),) = _scopes(bad)
    offered = set().union(*(_functions_of(c) for c in ("IonPool",)))
    assert "debt" in scope.functions and "debt" not in offered
    assert "quoteExactInput" in scope.functions
