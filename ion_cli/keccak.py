"""Keccak-256 (Ethereum's hash: the original Keccak padding, not SHA3-256's).

From C when one is installed: pycryptodome's compiled `_keccak` library (eth_hash's usual
backend) is loaded straight through ctypes, about 2 ms, where importing it through
`Crypto.Hash` loads cffi and pycparser (about 30 ms). A read hashes a few dozen short texts
(selectors, EIP-55 checksums): 0.4 ms each in pure Python, a few microseconds in C. Without the
library the pure-Python permutation below is used (written from the Keccak specification,
FIPS 202 section 3, with the 0x01 domain padding); tests check both against eth_hash.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


# pi: lane (x, y) moves to (y, 2x + 3y); as flat indexes.
_PI = tuple(y + 5 * ((2 * x + 3 * y) % 5) for y in range(5) for x in range(5))
_TABLES: list[tuple[int, ...]] = []  # round constants and rotations, built on first use


def _permute(a: list[int]) -> None:
    if not _TABLES:
        _TABLES.extend((_round_constants(), _rotations()))
    constants, rotations = _TABLES
    for rc in constants:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [
            c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _MASK)
            for x in range(5)
        ]
        b = [0] * 25
        for i in range(25):
            lane, rot = a[i] ^ d[i % 5], rotations[i]
            b[_PI[i]] = ((lane << rot) | (lane >> (64 - rot))) & _MASK if rot else lane
        for y in range(0, 25, 5):
            row = b[y : y + 5]
            for x in range(5):
                a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5])
        a[0] ^= rc


def keccak256_python(data: bytes) -> bytes:
    """The 32-byte Keccak-256 digest of `data`, in pure Python."""
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


def _c_backend() -> Callable[[bytes], bytes] | None:
    """Keccak-256 from pycryptodome's compiled library, or None when it is not installed."""
    try:
        import ctypes
        import importlib.util
        from pathlib import Path

        spec = importlib.util.find_spec("Crypto")
        if spec is None or not spec.submodule_search_locations:
            return None
        folder = Path(next(iter(spec.submodule_search_locations))) / "Hash"
        found = sorted(folder.glob("_keccak*.so")) + sorted(folder.glob("_keccak*.pyd"))
        if not found:
            return None
        lib: Any = ctypes.CDLL(str(found[0]))
    except (ImportError, OSError, ValueError):
        return None
    void_pp = ctypes.POINTER(ctypes.c_void_p)
    lib.keccak_init.argtypes = [void_pp, ctypes.c_size_t, ctypes.c_uint8]
    lib.keccak_absorb.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.keccak_digest.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint8]
    lib.keccak_destroy.argtypes = [ctypes.c_void_p]
    for name in ("keccak_init", "keccak_absorb", "keccak_digest", "keccak_destroy"):
        getattr(lib, name).restype = ctypes.c_int

    def keccak256_c(data: bytes) -> bytes:
        state = ctypes.c_void_p()
        # capacity 64 bytes (512 bits), 24 rounds: Keccak-256
        if lib.keccak_init(ctypes.byref(state), 64, 24):
            return keccak256_python(data)
        try:
            out = ctypes.create_string_buffer(32)
            raw = bytes(data)
            if lib.keccak_absorb(state, raw, len(raw)) or lib.keccak_digest(state, out, 32, 0x01):
                return keccak256_python(data)
            return out.raw
        finally:
            lib.keccak_destroy(state)

    if keccak256_c(b"") != _EMPTY:  # a library of another shape: never trust it
        return None
    return keccak256_c


# Keccak-256 of the empty string (every Ethereum client's KECCAK_EMPTY; tests recompute it)
_EMPTY = bytes.fromhex("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
_impl: Callable[[bytes], bytes] | None = None


def keccak256(data: bytes) -> bytes:
    """The 32-byte Keccak-256 digest of `data` (C when installed, else pure Python)."""
    global _impl
    if _impl is None:
        _impl = _c_backend() or keccak256_python
    return _impl(data)


def backend() -> str:
    """ "c" or "python": which implementation `keccak256` uses."""
    keccak256(b"")
    return "python" if _impl is keccak256_python else "c"
