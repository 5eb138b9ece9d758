"""Where account files live, and how they are written: owner-only, atomically.

Standard library only: `ion_cli.completion_data` reads the registry path from here.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from ion_cli import paths

REGISTRY_FILENAME = "accounts.json"


def registry_path() -> Path:
    return paths.data_dir() / REGISTRY_FILENAME


def keystore_dir() -> Path:
    return paths.keystore_dir()


def keystore_path(name: str) -> Path:
    return keystore_dir() / f"{name}.json"


def ensure_private_dir(path: Path) -> None:
    """Create `path` (and parents) and make the leaf owner-only (0700)."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)


def write_private(path: Path, text: str, *, exclusive: bool = False) -> None:
    """Write `text` to `path` with mode 0600 from the first byte.

    The file is written beside its target and renamed into place, so a crash never leaves half a
    registry; the temporary file is created 0600 so the content is never readable by others, even
    for an instant. With `exclusive`, an existing target is an error (FileExistsError).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if exclusive and path.exists():
        raise FileExistsError(str(path))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)  # in case a umask or an odd filesystem widened it
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
