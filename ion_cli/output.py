"""Output rules: stdout carries only the result (a rich table, or one JSON document with --json);
prompts, progress and warnings go to stderr, so scripts can trust stdout."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return to_json()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, default=_default)


class Output:
    def __init__(self, json_mode: bool = False) -> None:
        self.json_mode = json_mode
        self._out: Console | None = None
        self._err: Console | None = None

    @property
    def out(self) -> Console:
        if self._out is None:
            from rich.console import Console

            self._out = Console(file=sys.stdout, highlight=False, soft_wrap=True)
        return self._out

    @property
    def err(self) -> Console:
        if self._err is None:
            from rich.console import Console

            self._err = Console(file=sys.stderr, highlight=False, soft_wrap=True)
        return self._err

    def result(self, data: Any, render: Callable[[Console], None] | None = None) -> None:
        """Print the command's result: JSON with --json, else the human rendering."""
        try:
            if self.json_mode or render is None:
                sys.stdout.write(dumps(data) + "\n")
                sys.stdout.flush()
            else:
                render(self.out)
                sys.stdout.flush()
        except OSError as exc:  # stdout closed (EPIPE) or full (ENOSPC)
            stdout_failed(exc)

    def info(self, message: str) -> None:
        from ion_cli.abi.describe import clean  # node and file text never steers the terminal

        self.err.print(clean(message))

    def warn(self, message: str) -> None:
        from ion_cli.abi.describe import clean

        self.err.print(f"[yellow]warning:[/yellow] {clean(message)}")


def error_line(message: str) -> None:
    """The one line a failing command prints (plain text: it must survive any terminal)."""
    from ion_cli.abi.describe import clean
    from ion_cli.redact import scrub

    first = scrub(" ".join(clean(str(message)).split()))
    sys.stderr.write(f"error: {first}\n")
    sys.stderr.flush()


def stdout_failed(exc: OSError) -> None:
    """The result could not be written to stdout. What was done is done (and journaled): say so
    on stderr and keep the command's exit code about the outcome, not about the pipe. Later
    writes and the flush at exit go to /dev/null instead of failing again."""
    import os

    reason = exc.strerror or type(exc).__name__
    with contextlib.suppress(OSError):
        sys.stderr.write(f"warning: the result could not be written to stdout: {reason}\n")
        sys.stderr.flush()
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
