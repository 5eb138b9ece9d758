"""Output rules: stdout carries only the result (a rich table, or one JSON document with --json);
prompts, progress and warnings go to stderr, so scripts can trust stdout."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def dumps(data: Any, schema: str | None = None) -> str:
    """The one serializer (ion_cli.json_contract): `schema` is the command path ("tx.list")."""
    from ion_cli import json_contract

    return json_contract.dumps(data, schema)


def command_path() -> str | None:
    """The running command's path under `ion` ("tx.list"), which names its --json schema."""
    from typer._click.globals import get_current_context  # typer vendors click

    ctx = get_current_context(silent=True)
    names: list[str] = []
    while ctx is not None and ctx.parent is not None:  # the root (`ion`) is left out
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return ".".join(reversed(names)) or None


class Output:
    def __init__(self, json_mode: bool = False) -> None:
        self.json_mode = json_mode
        self._out: Console | None = None
        self._err: Console | None = None

    # emoji=False: ion prints no emoji codes, and without it every print loads rich's 3,600-entry
    # emoji table (and would turn a `:name:` inside a label or reason into a symbol)
    @property
    def out(self) -> Console:
        if self._out is None:
            from rich.console import Console

            self._out = Console(file=sys.stdout, highlight=False, soft_wrap=True, emoji=False)
            # rich's default ends the process with exit 1 on a broken pipe, after the work is
            # done (a mined deposit piped into `head`): warn and carry on instead.
            self._out.on_broken_pipe = _broken_pipe  # type: ignore[method-assign]
        return self._out

    @property
    def err(self) -> Console:
        if self._err is None:
            from rich.console import Console

            self._err = Console(file=sys.stderr, highlight=False, soft_wrap=True, emoji=False)
        return self._err

    def result(
        self,
        data: Any,
        render: Callable[[Console], None] | None = None,
        *,
        schema: str | None = None,
    ) -> None:
        """Print the command's result: JSON with --json (the document of `schema`, by default
        the running command's path), else the human rendering."""
        if STDOUT_CLOSED:
            stdout_failed(OSError(9, "standard output is closed"))
            return
        try:
            if self.json_mode or render is None:
                sys.stdout.write(dumps(data, schema or command_path()) + "\n")
                sys.stdout.flush()
            else:
                render(self.out)
                sys.stdout.flush()
        except OSError as exc:  # stdout closed (EPIPE) or full (ENOSPC)
            stdout_failed(exc)

    def info(self, message: str) -> None:
        from ion_cli.abi.describe import clean  # node and file text never steers the terminal
        from ion_cli.readable import readable  # at most 6 decimals for people

        self.err.print(readable(clean(message)))

    def wrote(self, path: object, next_command: str | None = None) -> None:
        """Every file a command writes is named on stderr, with the command to run next."""
        self.info(f"wrote {path}" + (f"; next: {next_command}" if next_command else ""))

    def warn(self, message: str) -> None:
        from ion_cli.abi.describe import clean
        from ion_cli.readable import readable

        self.err.print(f"[yellow]warning:[/yellow] {readable(clean(message))}")


def error_line(message: str) -> None:
    """The one line a failing command prints (plain text: it must survive any terminal)."""
    from ion_cli.abi.describe import clean
    from ion_cli.redact import scrub

    first = scrub(" ".join(clean(str(message)).split()))
    sys.stderr.write(f"error: {first}\n")
    sys.stderr.flush()


def _broken_pipe() -> None:
    import errno

    stdout_failed(BrokenPipeError(errno.EPIPE, "Broken pipe"))


STDOUT_CLOSED = False  # set when ion started with descriptor 1 closed (`ion ... >&-`)


def guard_standard_streams() -> None:
    """Started with a standard descriptor closed (`>&-`, `2>&-`, `<&-`): park /dev/null on it.
    Otherwise the next file ion opens (the journal, a socket) takes descriptor 1 and the result
    is written into it, and Python's sys.stdout is None (a write raised AttributeError after the
    deposit was mined). A result then has nowhere to go: said on stderr, exit code unchanged."""
    import os

    global STDOUT_CLOSED
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            with contextlib.suppress(OSError):
                devnull = os.open(os.devnull, os.O_RDWR)
                if devnull != fd:
                    os.dup2(devnull, fd)
                    os.close(devnull)
            if fd == 1:
                STDOUT_CLOSED = True
    if sys.stdin is None:
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    if sys.stdout is None:
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115


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
