"""Private keys as text: parsing and reading them from a file or a hidden prompt.

Error messages here name the source (a file path, "the prompt") and never the key itself.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ion_cli.accounts import prompts
from ion_cli.accounts.sources import NO_SOURCES, Sources
from ion_cli.errors import UsageError

# Order of the secp256k1 group: a valid private key k satisfies 1 <= k < N.
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_KEY = re.compile(r"(?:0[xX])?([0-9a-fA-F]{64})")


def parse_private_key(text: str, *, source: str) -> str:
    """Return the key as "0x" + 64 lowercase hex digits, or raise UsageError naming `source`."""
    match = _KEY.fullmatch(text.strip())
    if match is None:
        raise UsageError(f"bad private key in {source}: expected 64 hex digits (0x optional)")
    value = int(match.group(1), 16)
    if not 1 <= value < _SECP256K1_N:
        raise UsageError(f"bad private key in {source}: out of range for secp256k1")
    return "0x" + match.group(1).lower()


def read_private_key_file(path: Path) -> str:
    """Read a key from `path` ("-" reads standard input, for pipes from a secret manager)."""
    from ion_cli.inputs import KEY_LIMIT, is_stdin, read_input_text

    text = read_input_text(
        path, "private key file", limit=KEY_LIMIT, stdin_ok=True, stdin=sys.stdin
    )
    return parse_private_key(text, source="standard input" if is_stdin(path) else str(path))


def prompt_private_key(name: str, *, sources: Sources = NO_SOURCES) -> str:
    text = prompts.ask_hidden(
        f"Private key for account {name} (input hidden)",
        hint=f"no private key for account {name}: pass --private-key-file FILE (- reads stdin)",
        ask=sources.ask_hidden,
    )
    return parse_private_key(text, source="the prompt")
