"""Compiled dataclass methods kept between runs: what `.pyc` files do for modules, for the
`__init__`/`__eq__`/`__repr__`/`__hash__`/`__setattr__` that `dataclasses` writes as source text
and compiles each time a class is created.

Why: a command builds well over a hundred dataclasses while importing (ion's own results,
facts and plans, and those of its libraries), and compiling their generated methods is about
four fifths of the cost of each: 2-5 ms per frozen class on a loaded machine, a sizeable part
of a dry run's start-up. The text `dataclasses` compiles depends only on the class's fields and
options, so the code object compiled from it can be reused as is.

How: `dataclasses` calls the builtin `exec` on that text; the CLI's entry point (`install()`)
gives the `dataclasses` module a name `exec` of its own that looks the text up in a table of
code objects compiled earlier (loaded from one file in ion's cache dir with `marshal`, per
interpreter version), compiles it (same filename, same flags as `exec` would) when missing,
and executes the code object with the same globals and namespace. Nothing else changes: the
same text gives the same code. New entries are written back at exit, atomically. A missing,
foreign (another user's, or writable by others) or damaged file is ignored; `ION_CODE_CACHE=0`
turns the whole thing off. Only the CLI installs it (a library user's process is left alone).
"""

from __future__ import annotations

import builtins
import os
import sys
from pathlib import Path
from typing import Any

MAX_ENTRIES = 4096  # a table that grows past this (classes edited often) starts again

_table: dict[str, Any] = {}
_dirty = False
_path: Path | None = None


def cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    tag = sys.implementation.cache_tag or "python"
    return Path(base) / "ion" / f"dataclass-code-v2.{tag}.marshal"


def _load(path: Path) -> dict[str, Any]:
    import marshal

    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if info.st_uid != os.getuid() or info.st_mode & 0o022:
                return {}  # only a file this user wrote and nobody else can change
            table = marshal.loads(handle.read())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if not isinstance(table, dict):
        return {}
    code_type = type(_load.__code__)
    return {k: v for k, v in table.items() if isinstance(k, str) and isinstance(v, code_type)}


def _exec(source: Any, globals: Any = None, locals: Any = None, /) -> None:
    """`exec` for the dataclasses module: its source text through the table."""
    global _dirty
    if isinstance(source, str):
        code = _table.get(source)
        if code is None:
            # dont_inherit: exec from dataclasses compiles without this module's
            # `from __future__ import annotations` (else __init__'s annotations become strings)
            code = compile(source, "<string>", "exec", dont_inherit=True)
            if len(_table) < MAX_ENTRIES:
                _table[source] = code
                _dirty = True
        source = code
    if globals is None:  # as the builtin would, called from dataclasses: its namespace
        globals = vars(sys.modules["dataclasses"])
    builtins.exec(source, globals, locals)


def save() -> None:
    """Write the table back if this run compiled anything new (atomically)."""
    global _dirty
    if not _dirty or _path is None:
        return
    import marshal
    import tempfile

    _dirty = False
    try:
        _path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".dataclass-code-", dir=_path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(marshal.dumps(_table))
            os.replace(tmp, _path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a read-only or full cache dir: the next run compiles again


def install() -> bool:
    """Route `dataclasses`' compiling through the table (once per process). False when it is
    off (ION_CODE_CACHE=0) or `dataclasses` does not compile through `exec`."""
    global _table, _path
    import dataclasses

    if os.environ.get("ION_CODE_CACHE", "1") == "0":
        return False
    if getattr(dataclasses, "exec", None) is _exec:
        return True
    create = getattr(dataclasses, "_create_fn", None)
    if create is None or "exec" not in create.__code__.co_names:
        return False  # another interpreter's dataclasses: leave it alone
    _path = cache_file()
    _table = _load(_path)
    dataclasses.exec = _exec  # type: ignore[attr-defined]
    import atexit

    atexit.register(save)
    return True


def uninstall() -> None:
    """Back to the builtin (tests)."""
    import dataclasses

    if getattr(dataclasses, "exec", None) is _exec:
        del dataclasses.exec  # type: ignore[attr-defined]
