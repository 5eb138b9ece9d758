"""Writes for a Safe multisig: `Ion.unsigned` (any write as a Safe Transaction Builder batch)
and `Ion.apply_batch` (one owner executes or approves a batch on chain)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Self

from ion_cli.api._core import Confirm, IonCore
from ion_cli.chain.observer import Observer

if TYPE_CHECKING:
    from ion_cli.results import WriteResult
    from ion_cli.safe_results import SafeApplyResult, SafeBatchResult

# A Safe batch waits for its owners: a leverage's handler deadline defaults to a day.
SAFE_DEADLINE = "1d"


class SafeWrites(IonCore):
    def unsigned(
        self,
        batch_file: str | Path,
        write: Callable[[Self], WriteResult],
        *,
        safe: str | None = None,
    ) -> SafeBatchResult:
        """Plan `write` (any write of this API, e.g. `lambda ion: ion.leverage("weETH", 10,
        to="3x")`) for the Safe `safe` (default: the account, when its address is a Safe),
        which owns the vault: the plan is built and simulated from the Safe's address,
        nothing is signed, and the calls are written to `batch_file` as a Safe Transaction
        Builder batch, executed atomically through MultiSendCallOnly. A leverage's deadline
        defaults to a day. Refused when `safe` is not a Safe on this chain. With the API's
        `dry_run`, nothing is written either."""
        from ion_cli.flows import unsigned as un

        path = Path(batch_file)
        if not self.dry_run:
            un.check_output_file(path)  # before anything is read from the chain
        if safe is not None:
            info = un.read_safe(self.session, un.parse_safe(safe))
        else:  # the account's own address must then be the Safe
            info = un.read_safe(self.session, self.session.account().address, "the account")
        acting = type(self).from_session(
            un.SafeSession.of(self.session, info.address),
            observer=self.observer,
            confirmations=self.confirmations,
            timeout=self.timeout,
            yes=True,
            dry_run=True,
        )
        acting.warnings = self.warnings
        acting.default_deadline = SAFE_DEADLINE
        written = write(acting)
        return un.to_batch_result(
            self.session, info, written, path, write_file=not self.dry_run, warn=self._warn
        )

    def apply_batch(
        self,
        batch_file: str | Path,
        *,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> SafeApplyResult:
        """Carry out a Safe batch (`unsigned`'s file) as this account, one of the Safe's
        owners: re-checked (checksum, chain, Safe), simulated from the Safe, then executed with
        `execTransaction` when this owner's approval completes the threshold (the others'
        given on chain with approveHash), else this owner's `approveHash` is sent and the
        result says how many approvals are still missing."""
        from ion_cli.flows import safe_apply

        options = self._options(dry_run, confirm, observer)
        return safe_apply.apply_batch(self.session, Path(batch_file), options)
