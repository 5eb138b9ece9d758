"""The consensus layer through `Ion`: validators, the risk report of an LRT's validators, zk
proofs of its risk score and their verification."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli.api._core import IonCore

if TYPE_CHECKING:
    from ion_cli.flows.risk import SnapshotRequest
    from ion_cli.flows.validators import BeaconOptions
    from ion_cli.risk_results import ProofResult, RiskReport, VerifyReport
    from ion_cli.validator_results import ValidatorSet, ValidatorSummary

Progress = Callable[[str], None]
Count = Callable[[int, int], None]


def _quiet(message: str) -> None:
    """The API prints nothing: progress goes where the caller says, else nowhere."""


class Beacon(IonCore):
    def validators(
        self,
        ids: Sequence[str | int] = (),
        *,
        ids_file: Path | None = None,
        state: str = "finalized",
        beacon_urls: Sequence[str] = (),
        cross_check: bool = False,
        progress: Count | None = None,
    ) -> ValidatorSet:
        """Validators by index or pubkey (and those listed in `ids_file`) at `state`
        (finalized, head, justified, a slot or a root), from `beacon_urls` (else the profile's,
        ION_BEACON_URL, or the devnet's server)."""
        from ion_cli.flows import validators as flow
        from ion_cli.validator_results import ValidatorSet

        wanted = flow.collect_ids([str(i) for i in ids], ids_file)
        snapshot = flow.show(wanted, state, self._beacon(beacon_urls, cross_check, progress))
        return ValidatorSet.of(snapshot)

    def validator_summary(
        self,
        lrt: str,
        *,
        state: str = "finalized",
        beacon_urls: Sequence[str] = (),
        cross_check: bool = False,
        credentials_file: Path | None = None,
        indices_file: Path | None = None,
        rescan: bool = False,
        progress: Count | None = None,
    ) -> ValidatorSummary:
        """The validators behind `lrt`: counts by status, slashed, balances and shortfall in
        Gwei, per withdrawal address (see ion_cli/schemas/validators.summary.json)."""
        from ion_cli.flows import validators as flow
        from ion_cli.validator_results import ValidatorSummary

        doc = flow.summary(
            lrt,
            state,
            self._beacon(beacon_urls, cross_check, progress),
            rpc_url=self.session.rpc_url,
            credentials_file=credentials_file,
            indices_file=indices_file,
            rescan=rescan,
        )
        return ValidatorSummary.of(doc)

    @staticmethod
    def validators_csv(result: ValidatorSet | ValidatorSummary) -> Iterable[dict[str, Any]]:
        """CSV rows (one per validator, or per withdrawal address of a summary)."""
        from ion_cli.flows import validators as flow
        from ion_cli.validator_results import ValidatorSummary

        if isinstance(result, ValidatorSummary):
            return flow.summary_csv_rows(dict(result.document))
        state = result.state
        return (
            {
                "slot": state.slot,
                "state_root": state.state_root,
                "finalized": state.finalized,
                "execution_optimistic": state.execution_optimistic,
                "index": v.index,
                "pubkey": v.pubkey,
                "withdrawal_credentials": v.withdrawal_credentials,
                "status": v.status,
                "balance_gwei": v.balance_gwei,
                "effective_balance_gwei": v.effective_balance_gwei,
                "slashed": v.slashed,
                "activation_eligibility_epoch": v.activation_eligibility_epoch,
                "activation_epoch": v.activation_epoch,
                "exit_epoch": v.exit_epoch,
                "withdrawable_epoch": v.withdrawable_epoch,
            }
            for v in result.validators
        )

    def risk(
        self,
        lrt: str,
        *,
        state: str = "finalized",
        snapshot_file: Path | None = None,
        beacon_urls: Sequence[str] = (),
        what_if_slashed: str | None = None,
        addresses: Sequence[str] = (),
        progress: Progress | None = None,
        what_if_avs_slashed: str | None = None,
    ) -> RiskReport:
        """The risk of `lrt`'s validators (no proof): features (beacon and restaking), the
        model's score and haircut, the plain rule's beside it; `what_if_slashed` ("10", "5%")
        adds the vaults' health if that many more were slashed, `what_if_avs_slashed`
        ("avs-a:5%") if an AVS slashed that share of every allocation to it."""
        from ion_cli.flows.risk import risk_report
        from ion_cli.risk_results import RiskReport

        doc = risk_report(
            self.session,
            self._request(lrt, state, snapshot_file, beacon_urls, False),
            progress or _quiet,
            what_if_slashed=what_if_slashed,
            addresses=list(addresses),
            what_if_avs_slashed=what_if_avs_slashed,
        )
        return RiskReport.of(doc)

    def prove(
        self,
        lrt: str,
        *,
        out: Path | None = None,
        state: str = "finalized",
        snapshot_file: Path | None = None,
        beacon_urls: Sequence[str] = (),
        cross_check: bool = False,
        srs_file: Path | None = None,
        force: bool = False,
        progress: Progress | None = None,
    ) -> ProofResult:
        """Fetch `lrt`'s validators, compute the features, prove the model's score with ezkl,
        verify it and write the receipt folder `out` (default ./ion-proof-SYMBOL-SLOT)."""
        from ion_cli.flows.prove import prove
        from ion_cli.risk_results import ProofResult

        done = prove(
            self.session,
            self._request(lrt, state, snapshot_file, beacon_urls, cross_check),
            progress or _quiet,
            out=out,
            srs_file=srs_file,
            force=force,
        )
        return ProofResult.of(done.folder, done.receipt, done.seconds)

    def verify(
        self,
        path: Path,
        *,
        srs_file: Path | None = None,
        offline: bool = False,
        onchain: bool = False,
        progress: Progress | None = None,
    ) -> VerifyReport:
        """Re-check a receipt (or its folder): the proof, every field and file; unless
        `offline`, its submission record against the chain it names; with `onchain`, its block
        root against this network's EIP-4788 contract. Failures are in the report."""
        from ion_cli.flows.prove import submission_session, verify
        from ion_cli.risk_results import VerifyReport

        network = self.session.network
        session = None if offline else submission_session(path, network, self.session.rpc_url)
        report = verify(
            path,
            progress or _quiet,
            srs_file=srs_file,
            session=session,
            onchain=self.session if onchain else None,
        )
        return VerifyReport.of(report.to_json())

    def _request(
        self,
        lrt: str,
        state: str,
        snapshot_file: Path | None,
        beacon_urls: Sequence[str],
        cross_check: bool,
    ) -> SnapshotRequest:
        from ion_cli.flows.risk import SnapshotRequest

        return SnapshotRequest(
            symbol=lrt,
            state=state,
            snapshot_file=snapshot_file,
            beacon_urls=tuple(beacon_urls),
            cross_check=cross_check,
        )

    def _beacon(
        self, urls: Sequence[str], cross_check: bool, progress: Count | None
    ) -> BeaconOptions:
        from ion_cli.flows.validators import BeaconOptions

        return BeaconOptions(
            urls=list(urls),
            network=self.session.network,
            cross_check=cross_check,
            progress=progress,
            warn=self._warn,
        )
