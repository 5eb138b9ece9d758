"""A validators answer of any size (the whole set: about 480 MB for a million validators) read
as a stream and filtered by withdrawal credentials at about the speed of reading it.

The body is cut into batches of whole items as it arrives: items are objects separated by
`},{` at the data array's level (an item holds no array, and no string of a well-formed answer
holds a brace: a cut inside a string makes the batch invalid JSON, refused, never misread).
Each batch is decoded in C (msgspec) into just two fields per validator, checked a column at a
time; only the items a filter keeps are decoded in full. Memory stays at one batch plus what
is kept. The envelope's flags come from the body's edges (ion_cli.beacon.client).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ion_cli.beacon.errors import BeaconMalformed
from ion_cli.beacon.snapshot import Validator

BATCH = 1 << 20  # bytes of items decoded at a time
_DATA = re.compile(rb'"data"\s*:\s*\[\s*')
_SEPARATOR = re.compile(rb"\}\s*,\s*\{")
_END = re.compile(rb"\}\s*\]")
_TAIL = re.compile(rb'\s*(,\s*"[A-Za-z_]+"\s*:\s*(true|false|null|"[^"\\]*"|[0-9]+)\s*)*\}\s*')

# keep(indices, credentials) -> the positions in the batch to keep
Keep = Callable[[list[int], list[str]], list[int]]


def batches(chunks: Iterable[bytes], size: int = BATCH) -> Iterator[bytes]:
    """The data array's items as JSON arrays of whole items (`[{...},{...}]`)."""
    buffer = bytearray()
    started = False
    for chunk in chunks:
        buffer += chunk
        if not started:
            found = _DATA.search(buffer)
            if found is None:
                if len(buffer) > max(size, 1 << 16):  # the envelope before data is small
                    raise BeaconMalformed("validators answer: no data array at its start")
                continue
            del buffer[: found.end()]
            started = True
        if len(buffer) < size:
            continue
        cut = _last_separator(buffer)
        if cut is None:
            continue
        at, resume = cut
        yield _array(buffer, at + 1)
        del buffer[:resume]
    if not started:
        raise BeaconMalformed("truncated validators answer: no data array")
    yield from _last(buffer)


def _array(buffer: bytearray, end: int) -> bytes:
    """`[` + buffer[:end] + `]`, copying the items once."""
    batch = bytearray(b"[")
    with memoryview(buffer) as view:
        batch += view[:end]
    batch += b"]"
    return batch  # type: ignore[return-value]  # a bytearray: msgspec decodes any buffer


def _last_separator(buffer: bytearray) -> tuple[int, int] | None:
    """(the `}` closing the last whole item, where the next item starts)."""
    at = buffer.rfind(b"},{")  # compact JSON: what nodes send
    if at >= 0:
        return at, at + 2
    last = max(_SEPARATOR.finditer(buffer), key=lambda m: m.start(), default=None)
    return (last.start(), last.end() - 1) if last is not None else None


def _last(buffer: bytearray) -> Iterator[bytes]:
    """The items left at the end, after checking the answer closes properly."""
    if buffer[:1] == b"]":  # no items (or every one already sent)
        rest = bytes(buffer[1:])
        items = b""
    else:
        end = _END.search(buffer)
        if end is None:
            raise BeaconMalformed("truncated validators answer: the data array does not close")
        items = bytes(buffer[: end.start() + 1])
        rest = bytes(buffer[end.end() :])
    if not _TAIL.fullmatch(rest):
        raise BeaconMalformed("malformed validators answer after its data array")
    if items:
        yield b"[" + items + b"]"


def filter_batch(batch: bytes, keep: Keep) -> list[Validator]:
    """One batch: every validator's index and credentials decoded and checked, `keep` asked,
    the kept ones decoded in full."""
    import msgspec

    from ion_cli.beacon import parse, wire

    try:
        items: Any = wire.CREDENTIAL_ITEMS.decode(batch)
    except msgspec.DecodeError as exc:
        raise BeaconMalformed(f"malformed validators answer: {str(exc)[:160]}") from None
    if not items:
        return []
    texts = [item.index for item in items]
    if not parse._all_digits("".join(texts)):
        bad = next(t for t in texts if not parse._all_digits(t))
        raise BeaconMalformed(f"validator {bad!r:.30}: the index is not a decimal string")
    indices = list(map(int, texts))
    if max(indices) > parse.UINT64_MAX:
        raise BeaconMalformed("validators answer: an index does not fit in a uint64")
    credentials = parse._hex_column(
        [item.validator.withdrawal_credentials for item in items], items, "withdrawal_credentials"
    )
    positions = keep(indices, credentials)
    if not positions:
        return []
    raw = wire.RAW_ITEMS.decode(batch)
    chosen = b"[" + b",".join(bytes(raw[k]) for k in positions) + b"]"
    try:
        full: Any = wire.ITEMS.decode(chosen)
    except msgspec.DecodeError as exc:
        raise BeaconMalformed(f"malformed validators answer: {str(exc)[:160]}") from None
    return parse._validators(full)
