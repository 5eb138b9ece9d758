"""Keystore passwords: from a file, then the environment, then a hidden prompt.

Never from a bare command-line argument (it would land in shell history and `ps`), never printed.
Order: an explicit `--password-file`, then ION_PASSWORD_FILE, then ION_PASSWORD, then a prompt on
stderr when a terminal is attached; otherwise one UsageError saying how to supply it.
"""

from __future__ import annotations

from pathlib import Path

from ion_cli.accounts import prompts
from ion_cli.accounts.sources import NO_SOURCES, PASSWORD_ENV, PASSWORD_FILE_ENV, Sources
from ion_cli.errors import UsageError

__all__ = [
    "PASSWORD_ENV",
    "PASSWORD_FILE_ENV",
    "existing_password",
    "new_password",
    "read_password_file",
]
_HINT = f"pass `password_file` or set {PASSWORD_ENV}"  # the CLI says --password-file
_PARAMS = ("password_file",)


PASSWORD_FILE_LIMIT = 64 * 1024  # bytes: /dev/zero or a stray log file is not a password


def read_password_file(path: Path) -> str:
    """A regular file of at most PASSWORD_FILE_LIMIT bytes (a FIFO would block, a device never
    ends); the content is never part of an error message."""
    from ion_cli.atomic import read_bounded

    data = read_bounded(path, "password file", limit=PASSWORD_FILE_LIMIT)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"cannot read password file {path}: not a text file") from None
    # Only the line ending is dropped: spaces may be part of a password.
    password = text.rstrip("\r\n")
    if not password:
        raise UsageError(f"password file {path} is empty")
    return password


def _from_sources(password_file: Path | None, sources: Sources) -> str | None:
    if password_file is not None:
        return read_password_file(password_file)
    env_file = sources.password_file()
    if env_file is not None:
        return read_password_file(env_file)
    return sources.password()


def existing_password(
    what: str, password_file: Path | None = None, *, sources: Sources = NO_SOURCES
) -> str:
    """The password that unlocks `what` (e.g. "account alice")."""
    password = _from_sources(password_file, sources)
    if password is not None:
        return password
    return prompts.ask_hidden(
        f"Password for {what}",
        hint=f"no password for {what}: {_HINT}",
        ask=sources.ask_hidden,
        params=_PARAMS,
    )


def new_password(
    what: str, password_file: Path | None = None, *, sources: Sources = NO_SOURCES
) -> str:
    """A password to encrypt `what` with; typed twice when it comes from the prompt."""
    password = _from_sources(password_file, sources)
    if password is not None:
        return password
    return prompts.ask_hidden(
        f"New password for {what}",
        hint=f"no password for {what}: {_HINT}",
        confirm=True,
        ask=sources.ask_hidden,
        params=_PARAMS,
    )
