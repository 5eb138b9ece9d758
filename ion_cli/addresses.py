"""Ethereum addresses: the one pattern, the one EIP-55 checksum and the one error wording.

Pure (keccak from ion_cli.keccak): users type addresses on the command line,
config files hold them, adapters publish them, and each of those reads them through here.
"""

from __future__ import annotations

import functools
import re
from typing import Final

from ion_cli.errors import UsageError

ADDRESS_PATTERN: Final = re.compile(r"0[xX][0-9a-fA-F]{40}")
ZERO_ADDRESS: Final = "0x" + "00" * 20


def is_address(text: object) -> bool:
    """True for 0x and 40 hex digits (any case; the checksum is not checked here)."""
    return isinstance(text, str) and ADDRESS_PATTERN.fullmatch(text) is not None


@functools.lru_cache(maxsize=4096)
def _checksummed(body: str) -> str:
    from ion_cli.keccak import keccak256

    digest = keccak256(body.encode("ascii")).hex()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(body)
    )


def to_checksum(address: str, *, what: str = "address") -> str:
    """The EIP-55 form of `address` (whatever its case); a UsageError if it is no address."""
    if not is_address(address):
        raise not_an_address(address, what)
    return _checksummed(address[2:].lower())


def is_checksummed(address: object) -> bool:
    """True when `address` is written exactly in its EIP-55 form."""
    return is_address(address) and to_checksum(str(address)) == f"0x{str(address)[2:]}"


def not_an_address(text: object, what: str = "address") -> UsageError:
    return UsageError(f"invalid {what} {text!r}: expected 0x followed by 40 hex digits")


def parse_address(text: str, *, what: str = "address") -> str:
    """A 0x address in EIP-55 checksum form; ``UsageError`` if malformed or mis-checksummed.

    All-lowercase (or all-uppercase) hex is accepted as carrying no checksum; mixed case must
    match its checksum, since a mismatch almost always means a typo in a copied address.
    """
    raw = text.strip() if isinstance(text, str) else text
    if not is_address(raw):
        raise not_an_address(text, what)
    body = raw[2:]
    checksummed = _checksummed(body.lower())
    if body != body.lower() and body != body.upper() and body != checksummed[2:]:
        raise UsageError(
            f"invalid {what} {text!r}: bad address checksum (checksum mismatch: a typo?); "
            "check it, or give it in lowercase to skip the checksum"
        )
    return checksummed
