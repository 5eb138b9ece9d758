"""The pytest plugin (the `pytest11` entry point) imports its fixtures by name and without
guards: a broken import fails the run where it breaks, fixtures never vanish silently."""

from __future__ import annotations

import ast
from pathlib import Path

import ion_cli.testing.pytest_plugin as plugin

SOURCE = Path(plugin.__file__).read_text(encoding="utf-8")


def test_no_star_import_and_no_guard() -> None:
    tree = ast.parse(SOURCE)
    stars = [
        n.module
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names)
    ]
    guarded = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Try | ast.With)]
    assert stars == [] and guarded == []


def test_every_exported_fixture_is_there() -> None:
    assert plugin.__all__
    for name in plugin.__all__:
        assert callable(getattr(plugin, name)), name
