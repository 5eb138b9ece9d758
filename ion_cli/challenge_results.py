"""What `ion challenge` and `ion oracle finalize` return (writes: plan, execution, and their
own fields). A sound submission is a `ChallengeResult` with `sound` true and no plan."""

from __future__ import annotations

from dataclasses import dataclass

from ion_cli.oracle_results import FeedSubmission, SubmissionJudgement
from ion_cli.results import WriteResult


@dataclass(frozen=True)
class ChallengeResult(WriteResult):
    """`judgement`: the submission, its commitment, the verdict (`sound`, `why`, the finding
    and the fraud proof's function); `sound`: nothing was (or would be) sent."""

    judgement: SubmissionJudgement | None = None
    sound: bool = False


@dataclass(frozen=True)
class FinalizeResult(WriteResult):
    """`submissions`: the finalized submissions as the feed holds them afterwards."""

    feed: str = ""
    submissions: tuple[FeedSubmission, ...] = ()
