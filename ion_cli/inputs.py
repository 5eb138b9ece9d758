"""Checks on what the user hands ion, done before anything is read from the network.

- `read_input`: the one reader behind every file option. A regular file (or `-` for standard
  input where the option documents it), at most a size bound chosen per kind of file, standard
  input read against a deadline (a FIFO or a terminal nobody types into must not hang a command).
  Errors name the file and never quote its content: a file named by mistake may hold a key.
- `check_url`: a node URL parsed and checked (scheme, host, port) as bad input.
- `ascii_int`: numbers in ASCII digits only (Python's int() accepts Arabic-Indic digits).
- `not_empty`: an empty market, account, address, vault or network never means "the default".

Standard library only: the command wrappers import it on every command.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import time
from pathlib import Path
from typing import Any

from ion_cli.errors import UsageError

# Size bounds per kind of file (bytes): each a generous multiple of the largest real one.
KEY_LIMIT = 4 * 1024  # a private key: 66 characters and a newline
KEYSTORE_LIMIT = 64 * 1024  # a keystore v3 JSON is under 1 kB
IDS_LIMIT = 64 * 1024 * 1024  # validator ids, credentials: mainnet's ~2M indices as text
SNAPSHOT_LIMIT = 256 * 1024 * 1024  # a validator snapshot (JSON) of a large token
PLAN_LIMIT = 1024 * 1024  # a plan file is a few kB
STDIN_TIMEOUT = 30.0  # seconds without the end of standard input: refused, not waited for

STDIN = "-"


def is_stdin(source: str | Path) -> bool:
    return str(source) == STDIN


def read_input(
    source: str | Path,
    what: str,
    *,
    limit: int,
    stdin_ok: bool = False,
    stdin: Any = None,
    timeout: float = STDIN_TIMEOUT,
) -> bytes:
    """The bytes of `source` (a regular file, or `-` when `stdin_ok`), at most `limit` of them.
    Every error is a UsageError naming `what` and the file, never quoting what it holds."""
    from ion_cli.atomic import read_bounded

    if not str(source).strip():
        raise UsageError(f"the {what} is empty: give a file" + (" or -" if stdin_ok else ""))
    if is_stdin(source):
        if not stdin_ok:
            raise UsageError(f"the {what} cannot be read from standard input: give a file")
        return read_stdin(what, limit=limit, stdin=stdin, timeout=timeout)
    return read_bounded(Path(source), what, limit=limit)


def read_input_text(
    source: str | Path,
    what: str,
    *,
    limit: int,
    stdin_ok: bool = False,
    stdin: Any = None,
    timeout: float = STDIN_TIMEOUT,
) -> str:
    """`read_input` decoded as UTF-8 text; binary content is refused (naming the file only)."""
    data = read_input(source, what, limit=limit, stdin_ok=stdin_ok, stdin=stdin, timeout=timeout)
    where = "standard input" if is_stdin(source) else str(source)
    if b"\x00" in data:
        raise UsageError(f"cannot read the {what} {where}: binary, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"cannot read the {what} {where}: not UTF-8 text (byte {exc.start})"
        ) from None


def read_stdin(
    what: str, *, limit: int, stdin: Any = None, timeout: float = STDIN_TIMEOUT
) -> bytes:
    """Standard input up to its end, at most `limit` bytes, within `timeout` seconds overall."""
    stream = stdin if stdin is not None else sys.stdin
    fd: int | None = None
    with contextlib.suppress(AttributeError, OSError, ValueError):
        fd = stream.fileno()
    if fd is None:  # an in-memory stream (tests, embedding): it cannot block
        raw = getattr(stream, "buffer", stream).read(limit + 1)
        data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
        if len(data) > limit:
            raise UsageError(f"the {what} on standard input is larger than {limit:,} bytes")
        return data
    if os.isatty(fd):
        raise UsageError(f"the {what} is - but standard input is a terminal: pipe it in")
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise UsageError(f"the {what} on standard input did not end within {timeout:g} s")
        try:
            ready, _, _ = select.select([fd], [], [], left)
        except (OSError, ValueError):  # not selectable (a regular file on some systems)
            ready = [fd]
        if not ready:
            continue
        try:
            chunk = os.read(fd, min(65536, limit + 1 - size))
        except BlockingIOError:
            continue
        except OSError as exc:
            raise UsageError(
                f"cannot read the {what} from standard input: {exc.strerror}"
            ) from None
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise UsageError(f"the {what} on standard input is larger than {limit:,} bytes")


# ---- URLs, numbers, names ----

URL_SCHEMES = ("http", "https")


def check_url(url: str, what: str, *, schemes: tuple[str, ...] = URL_SCHEMES) -> str:
    """`url` if it is an absolute URL with one of `schemes`, a host and a valid port; else a
    UsageError naming `what` (the URL itself is not echoed: it may carry an API key)."""
    from urllib.parse import urlsplit

    text = url.strip()
    if not text:
        raise UsageError(f"{what} is empty: give a URL such as http://127.0.0.1:8545")
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in text):
        raise UsageError(f"{what} holds spaces or control characters: not a URL")
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError for a port outside 0-65535 or not a number
        host = parts.hostname
    except ValueError as exc:
        raise UsageError(f"{what} is not a valid URL ({exc})") from None
    if parts.scheme.lower() not in schemes:
        allowed = " or ".join(f"{s}://" for s in schemes)
        raise UsageError(f"{what} must start with {allowed}")
    if not host:
        raise UsageError(f"{what} has no host: give a URL such as http://127.0.0.1:8545")
    if port == 0:
        raise UsageError(f"{what} has port 0: give a port from 1 to 65535")
    if not all(c.isascii() for c in host):
        raise UsageError(f"{what} has a non-ASCII host: give its ASCII (punycode) form")
    return text


def ascii_int(text: str, what: str, *, minimum: int = 0, maximum: int) -> int:
    """An integer written in ASCII digits, in [minimum, maximum]."""
    body = text.strip()
    digits = body[1:] if body[:1] in "+-" else body
    if not digits or not (digits.isascii() and digits.isdigit()):
        raise UsageError(f"{what}: {_shown(text)} is not a whole number (ASCII digits)")
    if len(digits) > len(str(maximum)) + 1:
        raise UsageError(f"{what} must be from {minimum:,} to {maximum:,}")
    value = int(body)
    if not minimum <= value <= maximum:
        raise UsageError(f"{what} must be from {minimum:,} to {maximum:,}, not {value:,}")
    return value


def not_empty(value: str, what: str) -> str:
    """`value` unless it is empty or blank (which must never fall back to a default)."""
    if not value.strip():
        raise UsageError(f"{what} is empty: give one")
    return value


def _shown(text: str, limit: int = 40) -> str:
    short = text if len(text) <= limit else text[:limit] + "..."
    return repr(short)
