"""Nothing outside ion_cli/devnet imports the devnet package, except the command that manages
the devnet and the test fixtures that start it: mainnet paths never depend on devnet files."""

from __future__ import annotations

import ast
from pathlib import Path

import ion_cli

ROOT = Path(ion_cli.__file__).parent
ALLOWED = {
    "commands/devnet.py",
    "commands/devnet_restaking.py",
    "commands/devnet_safe.py",
    "testing/devnet.py",
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_only_the_devnet_managers_import_the_devnet() -> None:
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("devnet/") or rel in ALLOWED:
            continue
        if any(m == "ion_cli.devnet" or m.startswith("ion_cli.devnet.") for m in _imports(path)):
            offenders.append(rel)
    assert offenders == []
