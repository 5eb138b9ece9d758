"""Ethereum keystore v3 files (scrypt), the fallback when no OS keyring works.

Files are the format geth, cast and ape read, so a user can take their key elsewhere. They live at
<data_dir>/keystores/<name>.json, mode 0600, in a 0700 directory.

ION_SCRYPT_N overrides the scrypt cost (a power of two). It exists for tests only, where the
default 2**18 (about a second and 256 MB per encryption) would make the suite slow; a low N makes
a stolen file cheap to brute-force, so never set it for real keys.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ion_cli.accounts import files
from ion_cli.accounts.sources import NO_SOURCES, SCRYPT_N_ENV, Sources
from ion_cli.errors import UsageError

DEFAULT_SCRYPT_N = 2**18


def scrypt_n(sources: Sources = NO_SOURCES) -> int:
    raw = sources.scrypt_n()
    if not raw:
        return DEFAULT_SCRYPT_N
    try:
        n = int(raw, 0)
    except ValueError:
        n = 0
    if n < 2 or n & (n - 1):
        raise UsageError(f"{SCRYPT_N_ENV} must be a power of two >= 2 (test-only setting)")
    return n


def encrypt(private_key: str, password: str, *, sources: Sources = NO_SOURCES) -> dict[str, Any]:
    from eth_account import Account
    from eth_typing import HexStr

    data: dict[str, Any] = Account.encrypt(
        HexStr(private_key), password, kdf="scrypt", iterations=scrypt_n(sources)
    )
    return data


def decrypt(data: dict[str, Any], password: str, *, what: str) -> str:
    """The key in `data` as 0x-hex; a wrong password is one UsageError naming `what`."""
    from eth_account import Account

    try:
        key = Account.decrypt(data, password)
    except ValueError as exc:
        if "MAC mismatch" in str(exc):
            raise UsageError(f"wrong password for {what}") from None
        raise UsageError(f"cannot decrypt {what}: {exc}") from None
    except (KeyError, TypeError, NotImplementedError) as exc:
        raise UsageError(f"cannot decrypt {what}: unsupported keystore ({exc})") from None
    return "0x" + bytes(key).hex()


def read(path: Path) -> dict[str, Any]:
    """Load and sanity-check a keystore v3 file (decrypting is separate: it needs the password)."""
    from ion_cli.inputs import KEYSTORE_LIMIT, read_input_text

    text = read_input_text(path, "keystore file", limit=KEYSTORE_LIMIT)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise UsageError(f"not a keystore v3 file (not JSON): {path}") from None
    if not isinstance(data, dict):
        raise UsageError(f"not a keystore v3 file: {path}")
    crypto = data.get("crypto", data.get("Crypto"))
    if data.get("version") != 3 or not isinstance(crypto, dict) or "ciphertext" not in crypto:
        raise UsageError(f"not a keystore v3 file: {path}")
    return data


def stored_address(data: dict[str, Any]) -> str | None:
    """The address a keystore claims (lowercase hex, 0x-prefixed), if it carries one."""
    raw = data.get("address")
    if not isinstance(raw, str) or not raw:
        return None
    return ("0x" + raw.removeprefix("0x").removeprefix("0X")).lower()


def write(name: str, data: dict[str, Any]) -> Path:
    """Write an account's keystore; refuses to overwrite a file (it may hold someone's key)."""
    files.ensure_private_dir(files.keystore_dir())
    path = files.keystore_path(name)
    try:
        files.write_private(path, json.dumps(data, indent=2) + "\n", exclusive=True)
    except FileExistsError:
        raise UsageError(
            f"a keystore file already exists at {path}; move it away or pick another name"
        ) from None
    return path
