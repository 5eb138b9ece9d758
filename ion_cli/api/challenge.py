"""The Python API of the permissionless feed's client side (issue 23): judge and challenge a
submission, finalize, list the pending ones (a base of `ion_cli.api.Ion`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ion_cli.api._core import Confirm, IonCore

if TYPE_CHECKING:
    from ion_cli.chain.observer import Observer
    from ion_cli.challenge_results import ChallengeResult, FinalizeResult
    from ion_cli.oracle_results import FeedSubmission, SubmissionJudgement

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


class ChallengeMethods(IonCore):
    def judge_submission(
        self,
        market: str,
        submission: int | None = None,
        *,
        trees: Sequence[str | Path] = (),
        progress: Progress | None = None,
    ) -> SubmissionJudgement:
        """Whether `market`'s feed submission `submission` (default: the newest still open to
        challenge) is sound: the beacon state at its stored root rebuilt from the beacon node
        (root checked), compared with its commitment; a false one names the first
        disagreement and the fraud proof (which needs the submitter's tree: `trees`)."""
        from ion_cli.flows import challenge as ch
        from ion_cli.oracle_results import SubmissionJudgement

        j = ch.judge(self.session, market, submission, [Path(t) for t in trees], progress or _quiet)
        return SubmissionJudgement.of(j.to_json())

    def challenge(
        self,
        market: str,
        submission: int | None = None,
        *,
        trees: Sequence[str | Path] = (),
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
        progress: Progress | None = None,
    ) -> ChallengeResult:
        """Judge the submission and, when it is false, send its cheapest fraud proof to the
        feed's challenge contract (under the account's lock with the journal). A sound one
        returns `sound` true and sends nothing."""
        from ion_cli.challenge_results import ChallengeResult
        from ion_cli.flows import challenge as ch
        from ion_cli.flows.tx import guarded_write
        from ion_cli.oracle_results import SubmissionJudgement

        options = self._options(dry_run, confirm, observer)
        if not options.dry_run:  # mainnet unnamed is refused before anything is read
            from ion_cli.flows.tx import require_named_network

            require_named_network(self.session, self.session.network is not None)
        j = ch.judge(self.session, market, submission, [Path(t) for t in trees], progress or _quiet)
        if j.sound:
            return ch.challenge(self.session, j, options)
        result = guarded_write(
            self.session,
            options,
            intent=f"challenge {j.market.lower()} {j.feed.lower()} {j.submission.id}",
            market=market,
            explicit_network=self.session.network is not None,
            run_flow=lambda o: ch.challenge(self.session, j, o),
        )
        if isinstance(result, ChallengeResult):
            return result
        return ChallengeResult(
            plan=result.plan,
            dry_run=result.dry_run,
            execution=result.execution,
            position=None,
            judgement=SubmissionJudgement.of(j.to_json()),
            sound=False,
        )

    def finalize(
        self,
        market: str,
        submission: int | None = None,
        *,
        dry_run: bool = False,
        confirm: Confirm | None = None,
        observer: Observer | None = None,
    ) -> FinalizeResult:
        """`finalize` the submission (default: every pending one whose window has passed):
        the newest slot becomes the feed's final score, which the reserve rate reads."""
        from ion_cli.challenge_results import FinalizeResult
        from ion_cli.flows import challenge as ch
        from ion_cli.flows.tx import guarded_write

        options = self._options(dry_run, confirm, observer)
        result = guarded_write(
            self.session,
            options,
            intent=f"finalize {market.strip().lower()} {submission or 'ready'}",
            market=market,
            explicit_network=self.session.network is not None,
            run_flow=lambda o: ch.finalize(self.session, market, submission, o),
        )
        if isinstance(result, FinalizeResult):
            return result
        return FinalizeResult(
            plan=result.plan, dry_run=result.dry_run, execution=result.execution, position=None
        )

    def pending_submissions(self, market: str) -> list[FeedSubmission]:
        """`market`'s feed submissions still pending, with their deadlines and whether they
        can be finalized now."""
        from ion_cli.flows import challenge as ch
        from ion_cli.oracle_results import FeedSubmission

        return [FeedSubmission.of(row) for row in ch.pending(self.session, market)]
