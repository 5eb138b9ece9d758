"""Account names: what is allowed, and why some look-alikes are refused."""

from __future__ import annotations

import re

from ion_cli.errors import UsageError

_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
# A name made only of hex digits, 40 or more long, is almost surely an address or a private key
# typed in the wrong place. Refusing it keeps a key out of accounts.json, and the error message
# below never repeats it.
_HEXISH = re.compile(r"(0[xX])?[0-9a-fA-F]{40,}")

RULE = "1-64 letters, digits, '_', '.', '-'"


def validate_name(name: str) -> str:
    """Return `name` if it may name an account, else raise UsageError (without echoing secrets)."""
    if _HEXISH.fullmatch(name.strip()):
        raise UsageError(
            "that looks like an address or a private key, not an account name "
            f"(names are {RULE}); a key is never accepted on the command line"
        )
    if not _NAME.fullmatch(name):
        shown = name if len(name) <= 64 and name.isprintable() else "<not shown>"
        raise UsageError(f"bad account name {shown!r}: use {RULE}")
    return name
