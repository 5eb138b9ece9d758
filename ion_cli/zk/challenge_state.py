"""The truth a challenger judges a submission by: the beacon state at its state root, read from
the SSZ bytes (`ion_cli.beacon.proofs.StateTree`, whose root the caller checked against the
root the feed stored), and the credential set the feed snapshotted with the submission.

No I/O here: the flow fetches the state and the set and hands them in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ion_cli.beacon import proofs as P
from ion_cli.beacon.snapshot import Validator
from ion_cli.beacon.validator_ssz import VALIDATOR_BYTES
from ion_cli.consensus_rules import SLOTS_PER_EPOCH


def normalize_credentials(credentials: Iterable[str | bytes]) -> frozenset[str]:
    out = set()
    for c in credentials:
        out.add("0x" + c.hex() if isinstance(c, bytes | bytearray) else str(c).lower())
    return frozenset(out)


@dataclass
class StateTruth:
    """`ion_cli.zk.challenge_find.Truth` over an SSZ state."""

    tree: P.StateTree
    credentials: frozenset[str]
    _members: list[int] | None = field(default=None, repr=False)

    @property
    def slashings_total(self) -> int | None:
        from ion_cli.beacon.slashings import slashings_total

        return slashings_total(self.tree) if len(self.tree.slashings) else None

    @property
    def epoch(self) -> int:
        return self.tree.slot // SLOTS_PER_EPOCH

    def record(self, index: int) -> Validator | None:
        from ion_cli.beacon.anchored import _record

        if not 0 <= index < self.tree.count:
            return None
        return _record(index, self.tree.validator_bytes(index), self.tree.balance(index), "")

    def members(self) -> Sequence[int]:
        if self._members is None:
            wanted = {bytes.fromhex(c.removeprefix("0x")) for c in self.credentials}
            registry = memoryview(self.tree.registry)
            size = VALIDATOR_BYTES
            self._members = [
                i
                for i in range(self.tree.count)
                if registry[i * size + 48 : i * size + 80].tobytes() in wanted
            ]
        return self._members
