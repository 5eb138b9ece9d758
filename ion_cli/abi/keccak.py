"""Keccak-256 (Ethereum's hash: the original Keccak padding, not SHA3-256's) in pure Python.

ion hashes only short texts on its read path (function signatures for selectors, 40 hex digits
for an EIP-55 checksum): one permutation each, well under a millisecond. Loading a compiled
backend (eth_hash -> pycryptodome -> cffi) costs more than all of those hashes together, so the
reads that must stay fast use this; tests check it against eth_hash on many lengths.
Written from the Keccak specification (FIPS 202, section 3, with the 0x01 domain padding).
"""

from __future__ import annotations

_MASK = (1 << 64) - 1
_RATE = 136  # bytes: 1600 - 2 * 256 bits of capacity


def _round_constants() -> tuple[int, ...]:
    def rc(t: int) -> int:  # the LFSR x^8 + x^6 + x^5 + x^4 + 1
        if t % 255 == 0:
            return 1
        r = [1, 0, 0, 0, 0, 0, 0, 0]
        for _ in range(t % 255):
            r = [0, *r]
            r[0] ^= r[8]
            r[4] ^= r[8]
            r[5] ^= r[8]
            r[6] ^= r[8]
            r = r[:8]
        return r[0]

    return tuple(sum(rc(j + 7 * i) << ((1 << j) - 1) for j in range(7)) for i in range(24))


def _rotations() -> tuple[int, ...]:
    offsets = [0] * 25
    x, y = 1, 0
    for t in range(24):
        offsets[x + 5 * y] = ((t + 1) * (t + 2) // 2) % 64
        x, y = y, (2 * x + 3 * y) % 5
    return tuple(offsets)


_RC = _round_constants()
_ROT = _rotations()
# pi: lane (x, y) moves to (y, 2x + 3y); as flat indexes.
_PI = tuple(y + 5 * ((2 * x + 3 * y) % 5) for y in range(5) for x in range(5))


def _permute(a: list[int]) -> None:
    for rc in _RC:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [
            c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _MASK)
            for x in range(5)
        ]
        b = [0] * 25
        for i in range(25):
            lane, rot = a[i] ^ d[i % 5], _ROT[i]
            b[_PI[i]] = ((lane << rot) | (lane >> (64 - rot))) & _MASK if rot else lane
        for y in range(0, 25, 5):
            row = b[y : y + 5]
            for x in range(5):
                a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5])
        a[0] ^= rc


def keccak256(data: bytes) -> bytes:
    """The 32-byte Keccak-256 digest of `data`."""
    padded = bytearray(data)
    padded.append(0x01)
    padded.extend(b"\x00" * (-len(padded) % _RATE))
    padded[-1] |= 0x80
    state = [0] * 25
    for start in range(0, len(padded), _RATE):
        block = padded[start : start + _RATE]
        for i in range(_RATE // 8):
            state[i] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _permute(state)
    return b"".join(state[i].to_bytes(8, "little") for i in range(4))
