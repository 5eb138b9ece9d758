"""Files ion writes and reads, done so that a crash or a hostile path cannot hurt.

- `write_atomic`: the new content goes to a temporary file in the same directory, is fsynced,
  then renamed over the target, and the directory is fsynced: a reader (or a crash) sees the old
  file or the new one, never half of one. Secret files are 0600 from their first byte.
- `read_bounded`: a regular file only (a FIFO would block forever, /dev/zero never ends), and
  at most `limit` bytes.
- `CorruptFileError`: a file that exists but cannot be used; the message names the file, and
  nothing here ever overwrites it (the user may want what is in it).

Standard library only: imported by the config loader on every command.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from ion_cli.errors import UsageError

SECRET_MODE = 0o600
PUBLIC_MODE = 0o644
DEFAULT_LIMIT = 4 * 1024 * 1024  # bytes: config, deployment and plan files are a few kB
MAX_NESTING = 32  # arrays and tables: parsers recurse once per level (and may crash past it)


class CorruptFileError(UsageError):
    """A file ion relies on exists but cannot be used (exit 2); it is left as it is."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason} (the file was left as it is)")
        self.path = path
        self.reason = reason


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new file in `directory` durable (a no-op where unsupported)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, data: bytes | str, *, secret: bool = False) -> Path:
    """Replace `path` with `data` atomically (see the module docstring); returns `path`."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    mode = SECRET_MODE if secret else PUBLIC_MODE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)  # a leftover of a crashed run with the same pid
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        try:
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fchmod(fd, mode)  # a umask cannot widen it, nor narrow a public file
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)
    return path


def check_output(path: Path, what: str) -> None:
    """`path` may be written: it does not exist yet, or it is a regular file. A device, FIFO,
    socket or directory is refused (renaming over /dev/full as root replaced the device node)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise UsageError(f"cannot write the {what} {path}: a dangling symlink") from None
        return
    except OSError as exc:
        raise UsageError(f"cannot write the {what} {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"cannot write the {what} {path}: it is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"cannot write the {what} {path}: not a regular file (a device or FIFO)")


def write_output(path: Path, data: bytes | str, what: str, *, secret: bool = False) -> Path:
    """A file the user named for ion's output: only over a regular file (or a new one), written
    atomically (the temporary file is removed on any failure); errors name the file."""
    check_output(path, what)
    target = Path(os.path.realpath(path)) if os.path.islink(path) else path
    try:
        return write_atomic(target, data, secret=secret)
    except OSError as exc:
        raise UsageError(f"cannot write the {what} {path}: {exc.strerror or exc}") from None


def check_regular(path: Path, what: str) -> os.stat_result:
    """The stat of `path` if it is a regular file; a UsageError naming it otherwise."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UsageError(f"cannot read {what} {path}: no such file") from None
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{what} {path} is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        kind = (
            "a FIFO"
            if stat.S_ISFIFO(info.st_mode)
            else "a device"
            if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
            else "a socket"
            if stat.S_ISSOCK(info.st_mode)
            else "not a regular file"
        )
        raise UsageError(f"{what} {path} is {kind}: give a regular file")
    return info


def read_bounded(path: Path, what: str, *, limit: int = DEFAULT_LIMIT) -> bytes:
    """At most `limit` bytes of the regular file `path`; bigger files are refused unread.

    The file is opened without blocking and checked again once open, so a path swapped for a
    FIFO between the check and the open does not hang the command.
    """
    if check_regular(path, what).st_size > limit:  # refused unread
        raise UsageError(f"{what} {path} is larger than {limit:,} bytes: refusing to read")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UsageError(f"{what} {path} is not a regular file")
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, min(65536, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise UsageError(f"{what} {path} is larger than {limit:,} bytes: refusing to read")
        return b"".join(chunks)
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def read_text_bounded(path: Path, what: str, *, limit: int = DEFAULT_LIMIT) -> str:
    """`read_bounded` decoded as UTF-8; a binary file is a CorruptFileError naming it."""
    data = read_bounded(path, what, limit=limit)
    if b"\x00" in data:
        raise CorruptFileError(path, f"the {what} is binary, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorruptFileError(path, f"the {what} is not UTF-8 text (byte {exc.start})") from None


def nesting(text: str) -> int:
    """An upper bound of the depth of arrays and tables or objects in TOML or JSON text
    (brackets inside strings count too: ion's files have no reason to hold 32 in a row)."""
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest


def check_nesting(path: Path, text: str, what: str, *, limit: int = MAX_NESTING) -> None:
    """Refuse text nested deeper than `limit` before a recursive parser sees it."""
    if nesting(text) > limit:
        raise CorruptFileError(path, f"the {what} nests deeper than {limit} levels")
