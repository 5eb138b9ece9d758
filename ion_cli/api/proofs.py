"""Risk proofs and the reserve oracle's update, through `Ion`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ion_cli.api._core import Confirm, IonCore
from ion_cli.chain.observer import Observer

if TYPE_CHECKING:
    from ion_cli.results import OracleUpdateResult, SubmitResult


class Proofs(IonCore):
    def submit_proof(
        self,
        receipt: Path | str,
        market: str,
        *,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> SubmitResult:
        """Submit the risk proof of a receipt (or its folder) to `market`'s RiskFeed, then
        update the reserve rate when the oracle's cooldown allows (see `ion_cli.flows.submit`).
        A rejection raises `ion_cli.flows.submit.ProofRejected` saying why. Runs under the
        account's lock with the journal, like every write: a rerun after an interruption
        finishes the submission, never sends it twice."""
        from ion_cli.flows import submit
        from ion_cli.flows.tx import guarded_write
        from ion_cli.results import SubmitResult

        options = self._options(dry_run, confirm, observer)
        path = Path(receipt)
        if not dry_run:  # mainnet unnamed is refused before the receipt is even read
            from ion_cli.flows.tx import require_named_network

            require_named_network(self.session, self.session.network is not None)
        result = guarded_write(
            self.session,
            options,
            intent=submit.intent(self.session, path, market),
            market=market,
            explicit_network=self.session.network is not None,
            run_flow=lambda o: submit.submit(self.session, path, market, o),
        )
        if isinstance(result, SubmitResult):
            return result
        return submit.completed(self.session, path, market, result)

    def update_oracle(
        self,
        market: str,
        *,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> OracleUpdateResult:
        """`updateExchangeRate()` on `market`'s reserve oracle (refused during the cooldown),
        under the account's lock with the journal."""
        from ion_cli.flows import oracle
        from ion_cli.flows.tx import guarded_write
        from ion_cli.results import OracleUpdateResult

        options = self._options(dry_run, confirm, observer)
        result = guarded_write(
            self.session,
            options,
            intent=f"oracle-update {market.strip().lower()}",
            market=market,
            explicit_network=self.session.network is not None,
            run_flow=lambda o: oracle.update(self.session, market, o),
        )
        if isinstance(result, OracleUpdateResult):
            return result
        return oracle.completed(self.session, market, result)
