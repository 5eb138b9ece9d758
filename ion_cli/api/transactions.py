"""The account's transaction journal through `Ion`: list, status (a unique prefix of the hash
is enough), speed-up and cancel of a pending transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ion_cli.api._core import Confirm, IonCore
from ion_cli.chain.observer import Observer
from ion_cli.errors import UsageError

if TYPE_CHECKING:
    from ion_cli.tx_results import Replacement, Transaction


class Transactions(IonCore):
    def transactions(self, *, refresh: bool = True) -> list[Transaction]:
        """The account's journaled transactions on this network, newest first; with `refresh`,
        unresolved ones are checked against the node first."""
        from ion_cli.flows.tx import list_transactions
        from ion_cli.tx_results import Transaction

        return [Transaction.of(row) for row in list_transactions(self.session, refresh=refresh)]

    def transaction(self, tx_hash: str) -> Transaction:
        """One journaled transaction, by its hash or a unique prefix of it ("0x6864243e")."""
        _prefix(tx_hash)  # bad input is refused before the node is asked
        return self._find(tx_hash, self.transactions())

    def speedup(
        self, tx_hash: str, *, confirm: Confirm | None = None, observer: Observer | None = None
    ) -> Replacement:
        """Resend a pending transaction (hash or unique prefix) at the same nonce with higher
        fees; returns once the replacement is mined."""
        return self._replace(tx_hash, cancel=False, confirm=confirm, observer=observer)

    def cancel(
        self, tx_hash: str, *, confirm: Confirm | None = None, observer: Observer | None = None
    ) -> Replacement:
        """Replace a pending transaction by a 0-ETH transfer to the account at the same nonce."""
        return self._replace(tx_hash, cancel=True, confirm=confirm, observer=observer)

    def _replace(
        self, tx_hash: str, *, cancel: bool, confirm: Confirm | None, observer: Observer | None
    ) -> Replacement:
        from ion_cli.flows.tx import replace_transaction
        from ion_cli.tx_results import Replacement

        text = _prefix(tx_hash)
        # a whole hash goes to the flow as it is (it says why one not pending is refused)
        full = text if len(text) == 66 else self._find(text, self.transactions(refresh=False)).hash
        options = self._options(False, confirm, observer)
        return Replacement.of(
            replace_transaction(self.session, full, cancel=cancel, options=options)
        )

    def _find(self, tx_hash: str, rows: list[Transaction]) -> Transaction:
        return find(tx_hash, rows, f"this account's journal on {self.session.profile.name}")


def find(tx_hash: str, rows: list[Transaction], where: str) -> Transaction:
    """The one row whose hash starts with `tx_hash` (a hash or a prefix of one)."""
    prefix = _prefix(tx_hash)
    found = [row for row in rows if row.hash.lower().startswith(prefix)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise UsageError(f"transaction {prefix} is not in {where}")
    listed = ", ".join(row.hash for row in found[:3]) + (" ..." if len(found) > 3 else "")
    raise UsageError(
        f"{prefix} matches {len(found)} transactions in {where} ({listed}): give more digits"
    )


def _prefix(tx_hash: str) -> str:
    """A hash or a prefix of one, lower case; anything else is refused naming the parameter."""
    prefix = tx_hash.strip().lower()
    digits = prefix[2:] if prefix.startswith("0x") else ""
    if not digits or len(prefix) > 66 or any(c not in "0123456789abcdef" for c in digits):
        raise UsageError(
            f"tx_hash must be a transaction hash or a prefix of one (0x and up to 64 hex "
            f"digits), not {tx_hash!r:.80}"
        )
    return prefix
