"""The synthetic beacon chain's vocabulary: its constants, a validator's record, the operations
(slash, penalize) recorded at slots, a state view and the validator layout. A leaf: the chain
(`ion_cli.devnet.beacon_chain`), its SSZ roots and its server build on it.
"""

from __future__ import annotations

import bisect
import hashlib
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ion_cli import consensus_rules as cr

STATE_FILE = "beacon-state.json"
VERSION = 1
GENESIS_EPOCHS = 10_000  # the beacon genesis lies this many epochs before the devnet's start
SECONDS_PER_EPOCH = cr.SLOTS_PER_EPOCH * cr.SECONDS_PER_SLOT
DEFAULT_UNRELATED = 6_000
REAL_ROOTS_LIMIT = 50_000  # above this many validators, state roots are synthetic
FAR = cr.FAR_FUTURE_EPOCH
ZERO_ROOT = "0x" + "00" * 32
GENESIS_FORK_VERSION = "0x00000000"
FULU_FORK_VERSION = "0x06000000"
ELECTRA_FORK_VERSION = "0x05000000"
MIN_VALIDATOR_WITHDRAWABILITY_DELAY = cr.MIN_VALIDATOR_WITHDRAWABILITY_DELAY
NODE_VERSION = "ion-devnet-beacon/1.0.0 (synthetic Fulu chain)"


class ChainError(Exception):
    """A request the chain cannot satisfy (the server turns it into 400/404)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class LrtGroup:
    symbol: str
    credentials: tuple[str, ...]
    per_credential: int


@dataclass(slots=True)
class Record:
    """One validator (mutable copy for the overrides of a state)."""

    pubkey: bytes
    credentials: bytes
    effective_balance: int
    slashed: bool
    activation_eligibility_epoch: int
    activation_epoch: int
    exit_epoch: int
    withdrawable_epoch: int
    balance: int

    def copy(self) -> Record:
        return Record(
            self.pubkey, self.credentials, self.effective_balance, self.slashed,
            self.activation_eligibility_epoch, self.activation_epoch, self.exit_epoch,
            self.withdrawable_epoch, self.balance,
        )  # fmt: skip

    def status(self, epoch: int) -> str:
        return cr.validator_status(
            epoch=epoch,
            slashed=self.slashed,
            activation_eligibility_epoch=self.activation_eligibility_epoch,
            activation_epoch=self.activation_epoch,
            exit_epoch=self.exit_epoch,
            withdrawable_epoch=self.withdrawable_epoch,
            balance=self.balance,
        )

    def active(self, epoch: int) -> bool:
        return cr.is_active(epoch, self.activation_epoch, self.exit_epoch)


@dataclass
class Operation:
    kind: str  # "slash" | "penalize"
    slot: int
    indices: list[int]
    gwei: int = 0
    lrt: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "slot": self.slot,
            "indices": self.indices,
            "gwei": self.gwei,
            "lrt": self.lrt,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Operation:
        return cls(
            kind=str(data["kind"]),
            slot=int(data["slot"]),
            indices=[int(i) for i in data["indices"]],
            gwei=int(data.get("gwei", 0)),
            lrt=data.get("lrt"),
        )


@dataclass
class StateView:
    """The validator set at one slot: base records plus the records operations changed."""

    slot: int
    overrides: dict[int, Record]
    slashings: dict[int, int]  # epoch -> effective balance slashed (the slashings vector)

    @property
    def epoch(self) -> int:
        return self.slot // cr.SLOTS_PER_EPOCH


# ---------------------------------------------------------------- the validator layout


class Layout:
    """Which credential (and LRT) each validator index has: runs of consecutive indices."""

    def __init__(self, seed: str, groups: Sequence[LrtGroup], total: int) -> None:
        rng = random.Random(f"{seed}:layout")
        batches: list[tuple[bytes, str | None, int]] = []
        lrt_total = 0
        for group in groups:
            for cred in group.credentials:
                left = group.per_credential
                lrt_total += left
                raw = bytes.fromhex(cred.removeprefix("0x"))
                while left > 0:
                    size = min(left, rng.randint(40, 160))
                    batches.append((raw, group.symbol, size))
                    left -= size
        unrelated = total - lrt_total
        if unrelated < 0:
            raise ValueError(f"{total} validators cannot hold the {lrt_total} LRT validators")
        n = 0
        while unrelated > 0:
            size = min(unrelated, rng.randint(20, 400))
            pick = rng.random()
            body = hashlib.sha256(f"{seed}:operator:{n}".encode()).digest()
            if pick < 0.15:
                raw = bytes([cr.BLS_WITHDRAWAL_PREFIX]) + body[1:]
            else:
                prefix = cr.COMPOUNDING_WITHDRAWAL_PREFIX if pick < 0.25 else 0x01
                raw = bytes([prefix]) + bytes(11) + body[:20]
            batches.append((raw, None, size))
            unrelated -= size
            n += 1
        rng.shuffle(batches)
        self.total = total
        self.starts: list[int] = []
        self.credentials: list[bytes] = []
        self.lrts: list[str | None] = []
        start = 0
        for raw, lrt, size in batches:
            self.starts.append(start)
            self.credentials.append(raw)
            self.lrts.append(lrt)
            start += size

    def run(self, index: int) -> int:
        return bisect.bisect_right(self.starts, index) - 1

    def credential(self, index: int) -> bytes:
        return self.credentials[self.run(index)]

    def lrt(self, index: int) -> str | None:
        return self.lrts[self.run(index)]

    def indices_of(self, symbol: str) -> Iterator[int]:
        """The indices of an LRT's validators, ascending."""
        for r, lrt in enumerate(self.lrts):
            if lrt == symbol:
                end = self.starts[r + 1] if r + 1 < len(self.starts) else self.total
                yield from range(self.starts[r], end)

    def lrt_runs(self, symbol: str) -> list[tuple[int, int]]:
        out = []
        for r, lrt in enumerate(self.lrts):
            if lrt == symbol:
                end = self.starts[r + 1] if r + 1 < len(self.starts) else self.total
                out.append((self.starts[r], end))
        return out
