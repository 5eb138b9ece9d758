"""Which risk score a guard may act on: the final one, or a pending one only once checked.

Anyone may submit a pending score with a bond (issue 23): a false one stays pending until
someone proves it false or its window passes. A guard that deleveraged on every pending score
would let one liar make every guard sell at a cost. So a pending score is acted on only after
the guard judged it itself, as `ion challenge` does (`flows.challenge.judge`: the beacon state at
its root rebuilt, compared with its commitment); a false one is ignored (and said once), one
that cannot be judged now (the beacon node down) waits for the next cycle.

Pure: `decide` takes the scores, the health each implies and a judge; it judges only a score
that would make the guard act (judging reads a whole beacon state).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["sound", "false", "unjudged"]
FINAL = "final"
PENDING = "pending"


@dataclass(frozen=True)
class Score:
    feed: str
    kind: str  # FINAL or PENDING
    submission: int  # the submission id (the final one's too; 0 when unknown)
    slot: int
    haircut_wad: int

    @property
    def key(self) -> str:
        """The episode: one score (a pending one that becomes final is the same event)."""
        return f"score:{self.feed.lower()}:{self.submission or f'slot-{self.slot}'}"

    def to_json(self) -> dict[str, Any]:
        return {
            "feed": self.feed,
            "kind": self.kind,
            "submission": self.submission,
            "slot": self.slot,
            "haircut_wad": str(self.haircut_wad),
            "episode": self.key,
        }


def candidates(final: Score | None, pending: Sequence[Score]) -> list[Score]:
    """The scores worth a look, newest slot first: the pending ones newer than the final one
    (an older pending one can only be superseded), then the final one."""
    floor = final.slot if final is not None else -1
    newer = [s for s in pending if s.slot > floor]
    newer.sort(key=lambda s: (s.slot, s.submission), reverse=True)
    return [*newer, *([final] if final is not None else [])]


@dataclass
class ScoreDecision:
    act_on: Score | None = None
    ignored: list[tuple[Score, str]] = field(default_factory=list)  # false pending scores
    waiting: list[Score] = field(default_factory=list)  # pending, not judged yet


def decide(
    scores: Sequence[Score],
    falls_below: Callable[[Score], bool],
    judge: Callable[[Score], tuple[Verdict, str]],
) -> ScoreDecision:
    """The first score (newest first) that implies the vault under the level and may be trusted:
    a final one, or a pending one the judge calls sound. A score that implies nothing alarming
    is never judged."""
    decision = ScoreDecision()
    for score in scores:
        if not falls_below(score):
            continue
        if score.kind == FINAL:
            decision.act_on = score
            return decision
        verdict, why = judge(score)
        if verdict == "sound":
            decision.act_on = score
            return decision
        if verdict == "false":
            decision.ignored.append((score, why))
        else:
            decision.waiting.append(score)
    return decision
