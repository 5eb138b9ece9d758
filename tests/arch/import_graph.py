"""The import graph of ion_cli and the plugins, read from the sources with `ast` (nothing is
imported or run).

A node is a module (a file; a package is its `__init__.py`). An edge A -> B is any import in A
that names B: at module level, inside a function (the heavy libraries and many of the package's
own modules are imported lazily) or under `if TYPE_CHECKING:`, since each is a dependency of A's
code on B's. `from ion_cli.x import y` names the module `ion_cli.x.y` when it exists, else the
package `ion_cli.x`.

Run as a script it prints the graph's figures: `.venv/bin/python tests/arch/graph.py`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ion_cli"


@dataclass(frozen=True)
class Module:
    name: str  # dotted: ion_cli.flows.watch.monitor
    path: Path
    is_package: bool

    @property
    def lines(self) -> int:
        return len(self.path.read_text(encoding="utf-8").splitlines())


@dataclass
class Graph:
    modules: dict[str, Module]
    edges: dict[str, set[str]] = field(default_factory=dict)  # importer -> imported
    external: dict[str, set[str]] = field(default_factory=dict)  # importer -> other top names

    def cycles(self) -> list[list[str]]:
        """The strongly connected components of more than one module (each an import cycle),
        and modules that import themselves; each sorted, largest first."""
        return sorted(
            (sorted(c) for c in _components(self.modules, self.edges) if _is_cycle(c, self.edges)),
            key=lambda c: (-len(c), c),
        )

    def levels(self) -> dict[str, int]:
        """Each module's level: 0 for a module importing none of the others, else one more
        than the highest level it imports (a cycle's modules share one level)."""
        components = _components(self.modules, self.edges)
        of = {m: i for i, c in enumerate(components) for m in c}
        level: dict[int, int] = {}
        for i, component in enumerate(components):  # Tarjan's order: dependencies first
            below = [level[of[b]] for a in component for b in self.edges.get(a, ()) if of[b] != i]
            level[i] = 1 + max(below) if below else 0
        return {m: level[of[m]] for m in self.modules}


def _sources() -> Iterator[tuple[str, Path, bool]]:
    roots = [(PACKAGE, "ion_cli")]
    for plugin in sorted((ROOT / "plugins").glob("*/*/__init__.py")):
        roots.append((plugin.parent, plugin.parent.name))
    for base, dotted in roots:
        for path in sorted(base.rglob("*.py")):
            parts = path.relative_to(base).with_suffix("").parts
            if "__pycache__" in parts:
                continue
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            yield ".".join((dotted, *parts)), path, is_package


def _resolve(name: str, modules: dict[str, Module]) -> str | None:
    """The module a dotted name is, or lies in (an attribute of a module: its module)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: Module, modules: dict[str, Module]) -> tuple[set[str], set[str]]:
    """The modules of the graph that `module` imports, and the top-level names of the other
    packages it imports (the standard library's and third parties')."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"), str(module.path))
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    found: set[str | None] = set()
    external: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _resolve(alias.name, modules)
                found.add(target)
                if target is None:
                    external.add(alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            elif _resolve(base, modules) is None:
                external.add(base.split(".")[0])
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                # `from pkg import sub` is the submodule; `from mod import name`, the module
                found.add(sub if sub in modules else _resolve(base, modules))
    return {t for t in found if t is not None and t != module.name}, external


@cache
def graph() -> Graph:
    modules = {name: Module(name, path, pkg) for name, path, pkg in _sources()}
    g = Graph(modules)
    for module in modules.values():
        g.edges[module.name], g.external[module.name] = _imports(module, modules)
    return g


def _components(nodes: Iterable[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, dependencies before their importers."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(root: str) -> None:
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(component)

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return out


def _is_cycle(component: list[str], edges: dict[str, set[str]]) -> bool:
    return len(component) > 1 or component[0] in edges.get(component[0], ())


def main() -> None:
    g = graph()
    levels = g.levels()
    cycles = g.cycles()
    print(f"modules: {len(g.modules)}")
    print(f"imports (edges): {sum(len(e) for e in g.edges.values())}")
    print(f"levels: {max(levels.values()) + 1}")
    print(f"cycles: {len(cycles)}")
    for cycle in cycles:
        print("  " + " <-> ".join(cycle))
    big = sorted((m.lines, m.name) for m in g.modules.values() if m.lines > 600)
    print(f"modules over 600 lines: {len(big)}")
    for lines, name in reversed(big):
        print(f"  {name} {lines}")


if __name__ == "__main__":
    main()
