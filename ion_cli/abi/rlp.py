"""Recursive Length Prefix encoding (the Ethereum yellow paper, appendix B), encode only.

A signed transaction is the RLP of a list of integers, byte strings and (for the access list)
nested lists: this is all the write path needs, without importing the `rlp` package.
"""

from __future__ import annotations

from collections.abc import Sequence

Item = int | bytes | Sequence["Item"]


def _length_prefix(length: int, short: int) -> bytes:
    if length < 56:
        return bytes([short + length])
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([short + 55 + len(size)]) + size


def encode_int(value: int) -> bytes:
    """An unsigned integer as RLP: big-endian with no leading zeros (0 is the empty string)."""
    if value < 0:
        raise ValueError("RLP encodes only unsigned integers")
    return encode_bytes(value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b"")


def encode_bytes(value: bytes) -> bytes:
    if len(value) == 1 and value[0] < 0x80:
        return bytes(value)
    return _length_prefix(len(value), 0x80) + bytes(value)


def encode(item: Item) -> bytes:
    """The RLP of an int, a byte string or a (nested) list of them."""
    if isinstance(item, bool):
        raise TypeError("RLP: a bool is not an integer here")
    if isinstance(item, int):
        return encode_int(item)
    if isinstance(item, bytes | bytearray | memoryview):
        return encode_bytes(bytes(item))
    body = b"".join(encode(x) for x in item)
    return _length_prefix(len(body), 0xC0) + body
