"""The credential index cache: withdrawal credential -> validator indices, in the user cache dir.

Finding an LRT's validators means filtering the whole validator set by withdrawal credentials
(a million validators on mainnet). Indices only grow, so after one full scan a refresh asks only
for indices above the highest one scanned; a full rescan every `FULL_RESCAN_EPOCHS` (about a
day of chain time) picks up credential changes of existing validators (0x00 -> 0x01, 0x01 ->
0x02). Only execution credentials (0x01, 0x02) are kept: an LRT's validators pay to a contract.
One file per chain (genesis validators root and time), written atomically, compact: each
credential's indices as runs (`[first, count, first, count, ...]`): an operator's validators
are mostly consecutive, so a million indices take a few kilobytes rather than megabytes.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 2  # 2: indices as runs (1 listed every index: read as no cache)
FULL_RESCAN_EPOCHS = 225  # one day of 12 s slots
EXECUTION_PREFIXES = ("0x01", "0x02")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ion" / "beacon"


def cache_path(genesis_validators_root: str, genesis_time: int) -> Path:
    return cache_dir() / f"credentials-{genesis_validators_root[2:18]}-{genesis_time}.json"


@dataclass
class CredentialIndex:
    genesis_validators_root: str
    genesis_time: int
    max_index: int = -1  # highest validator index scanned (-1: none)
    full_scan_epoch: int = -1  # epoch of the state the last full scan read
    scanned_epoch: int = -1  # epoch of the state the last refresh read
    credentials: dict[str, list[int]] = field(default_factory=dict)

    def add(self, credential: str, index: int) -> None:
        if credential[:4] in EXECUTION_PREFIXES:
            self.credentials.setdefault(credential, []).append(index)
        if index > self.max_index:
            self.max_index = index

    def add_many(self, indices: list[int], credentials: list[str]) -> None:
        """A batch of a scan (indices ascending within it, as nodes answer)."""
        from itertools import groupby
        from operator import itemgetter

        found = self.credentials
        second = itemgetter(1)
        # an operator's validators mostly sit side by side: one step per run of a credential
        for credential, run in groupby(zip(credentials, indices, strict=True), itemgetter(0)):
            if credential.startswith(EXECUTION_PREFIXES):
                found.setdefault(credential, []).extend(map(second, run))
        if indices:
            self.max_index = max(self.max_index, max(indices))

    def indices(self, credentials: set[str]) -> list[int]:
        found = {i for c in credentials for i in self.credentials.get(c, ())}
        return sorted(found)

    def needs_full_scan(self, epoch: int) -> bool:
        if self.full_scan_epoch < 0 or self.max_index < 0:
            return True
        if epoch < self.scanned_epoch:  # an older state than the cache: rescan what it holds
            return True
        return epoch - self.full_scan_epoch >= FULL_RESCAN_EPOCHS

    def reset(self) -> None:
        self.max_index = -1
        self.credentials = {}

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "genesis_validators_root": self.genesis_validators_root,
            "genesis_time": self.genesis_time,
            "max_index": self.max_index,
            "full_scan_epoch": self.full_scan_epoch,
            "scanned_epoch": self.scanned_epoch,
            "credentials": {c: runs(i) for c, i in self.credentials.items()},
        }


def runs(indices: list[int]) -> list[int]:
    """Sorted `indices` as [first, count, first, count, ...]."""
    out: list[int] = []
    for i in sorted(indices):
        if out and out[-2] + out[-1] == i:
            out[-1] += 1
        elif not out or out[-2] + out[-1] < i:
            out += [i, 1]
    return out


def from_runs(packed: list[Any]) -> list[int]:
    if len(packed) % 2:
        raise ValueError("runs come in pairs")
    out: list[int] = []
    for first, count in zip(packed[0::2], packed[1::2], strict=True):
        if not isinstance(first, int) or not isinstance(count, int) or first < 0 or count < 1:
            raise ValueError("a run is two non-negative integers")
        out.extend(range(first, first + count))
    return out


def load(genesis_validators_root: str, genesis_time: int) -> CredentialIndex:
    """The cached index for this chain, or an empty one (a corrupt file counts as none)."""
    empty = CredentialIndex(genesis_validators_root, genesis_time)
    path = cache_path(genesis_validators_root, genesis_time)
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError):
        return empty
    try:
        if raw["version"] != FORMAT_VERSION or raw["genesis_validators_root"] != (
            genesis_validators_root
        ):
            return empty
        creds = {str(k): from_runs(v) for k, v in raw["credentials"].items()}
        return CredentialIndex(
            genesis_validators_root=genesis_validators_root,
            genesis_time=genesis_time,
            max_index=int(raw["max_index"]),
            full_scan_epoch=int(raw["full_scan_epoch"]),
            scanned_epoch=int(raw["scanned_epoch"]),
            credentials=creds,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return empty


def save(index: CredentialIndex) -> Path:
    """Write atomically (a temporary file in the same directory, then rename)."""
    path = cache_path(index.genesis_validators_root, index.genesis_time)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".credentials-", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(index.to_json(), handle, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
