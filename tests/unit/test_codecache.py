"""The CLI's cache of compiled dataclass methods: the same classes as without it, compiled once
across runs, and a file it cannot trust is ignored."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ion_cli import codecache


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("ION_CODE_CACHE", raising=False)
    codecache.uninstall()
    try:
        yield codecache.cache_file()
    finally:
        codecache.uninstall()
        codecache._table = {}
        codecache._dirty = False


def _make() -> Any:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Point:
        x: int
        y: int = 2

    return Point


def _compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = compile

    def counting(source: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(codecache, "compile", counting, raising=False)
    return seen


def test_classes_behave_the_same_and_compile_once_across_runs(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert codecache.install()
    compiled = _compiles(monkeypatch)
    point = _make()
    p = point(1)
    assert p == point(1, 2) and hash(p) == hash(point(1, 2))
    assert repr(p).endswith("Point(x=1, y=2)")
    # annotations as without the cache (this module's future import must not leak into them)
    assert point.__init__.__annotations__["return"] is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 3  # type: ignore[misc]
    assert compiled  # the first run compiles...
    codecache.save()
    assert cache.is_file() and cache.stat().st_mode & 0o077 == 0
    # ...the next run (a fresh table from the file) compiles nothing for the same class
    codecache.uninstall()
    codecache._table = {}
    compiled.clear()
    assert codecache.install()
    again = _make()
    assert again(1) == again(1, 2) and compiled == []


def test_an_untrusted_or_damaged_file_is_ignored(cache: Path) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(b"not marshal")
    assert codecache._load(cache) == {}
    codecache.install()
    _make()
    codecache.save()
    assert codecache._load(cache)  # rewritten whole
    os.chmod(cache, 0o666)
    assert codecache._load(cache) == {}  # writable by others: not trusted


def test_it_can_be_turned_off(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ION_CODE_CACHE", "0")
    assert codecache.install() is False
    assert not hasattr(dataclasses, "exec")
