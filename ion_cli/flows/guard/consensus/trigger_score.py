"""`ion guard add MARKET --deleverage-on-score H --to L`: deleverage when a risk score of the
market's feed implies the vault's health under H once the reserve rate follows it (`implied.py`).

A final score is acted on as it is; a pending one (anyone may submit one with a bond) only after
the guard judged it itself as `ion challenge` does (`pending.py`): a false pending score is
ignored (said once, as a `guard_notice` event), one that cannot be judged now waits. Each score
fires once (its submission is the episode).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ion_cli.errors import UsageError
from ion_cli.flows.figures import RAY, WAD, text
from ion_cli.flows.guard.consensus import implied
from ion_cli.flows.guard.consensus import pending as pd
from ion_cli.flows.guard.model import ActionSpec, TriggerSpec
from ion_cli.flows.guard.triggers import BlockView, Firing, Trigger, register

KEPT_VERDICTS = 200


@register
class DeleverageOnScore(Trigger):
    kind: ClassVar[str] = "score"
    option: ClassVar[str] = "--deleverage-on-score"

    @classmethod
    def build(cls, value: str, to: str | None) -> tuple[TriggerSpec, ActionSpec]:
        from ion_cli.flows.guard.consensus.trigger_slashing import deleverage_target
        from ion_cli.flows.guard.triggers_position import parse_health

        level = parse_health(value, cls.option)
        action = deleverage_target(to, cls.option)
        if action.health is not None and action.health <= level:
            raise UsageError(f"{cls.option} H --to T: the target health T must be above H")
        return TriggerSpec(cls.kind, {"health": str(text(level, RAY))}), action

    @property
    def level(self) -> int:
        from ion_cli.flows.guard.triggers_position import parse_health

        return parse_health(self.params["health"], self.option)

    def describe(self) -> str:
        return f"a risk score implying health under {self.params['health']}"

    def on_block(self, view: BlockView, memory: dict[str, Any]) -> list[Firing]:
        from ion_cli.flows.guard.consensus import readers

        if not view.has_debt or view.market.liquidation_threshold is None:
            return []
        session, market = view.session, self.guard.market
        try:
            final, waiting = readers.scores(session, market)
        except UsageError:
            return []  # a market without a risk feed: nothing to follow (a node's failure
            # is not caught: the run reports the outage and tries again)
        fired_list = [str(k) for k in memory.get("fired", [])]  # oldest first
        fired = set(fired_list)
        candidates = [s for s in pd.candidates(final, waiting) if s.key not in fired]
        if not candidates:
            return []
        feed = candidates[0].feed
        oracle = readers.oracle_view(session, market)
        base = readers.feed_base_rate(session, feed)
        v, m = view.vault, view.market
        lt = m.liquidation_threshold
        assert lt is not None
        seen: dict[str, implied.ImpliedHealth | None] = {}

        def health_of(score: pd.Score) -> implied.ImpliedHealth | None:
            if score.key not in seen:
                seen[score.key] = implied.implied_health(
                    collateral=v.collateral,
                    normalized_debt=v.normalized_debt,
                    rate=m.rate,
                    liquidation_threshold=lt,
                    oracle=oracle,
                    feed=feed,
                    base_rate=base,
                    haircut_wad=score.haircut_wad,
                )
            return seen[score.key]

        def falls_below(score: pd.Score) -> bool:
            got = health_of(score)
            return got is not None and got.below(self.level)

        verdicts: dict[str, list[str]] = dict(memory.get("verdicts", {}))

        def judge(score: pd.Score) -> tuple[pd.Verdict, str]:
            kept = verdicts.get(score.key)
            if kept is not None:
                return kept[0], kept[1]  # type: ignore[return-value]
            verdict, why = readers.judge(session, market)(score)
            if verdict != "unjudged":
                verdicts[score.key] = [verdict, why]
            return verdict, why

        decision = pd.decide(candidates, falls_below, judge)
        memory["verdicts"] = dict(list(verdicts.items())[-KEPT_VERDICTS:])
        ignored = dict(memory.get("ignored", {}))
        for score, why in decision.ignored:
            if score.key not in ignored:  # said once (a guard_notice), never acted on
                ignored[score.key] = (
                    f"{market}: pending risk score {score.submission} (slot "
                    f"{score.slot}) would put the vault under {self.params['health']}, but it "
                    f"is false ({why}): not acted on"
                )
                self.notify(memory, ignored[score.key])
        memory["ignored"] = dict(list(ignored.items())[-KEPT_VERDICTS:])
        chosen = decision.act_on
        if chosen is None:
            return []
        got = health_of(chosen)
        assert got is not None
        memory["fired"] = [*fired_list[-KEPT_VERDICTS:], chosen.key]
        checked = " (judged sound)" if chosen.kind == pd.PENDING else ""
        return [
            Firing(
                guard_id=self.guard.id,
                episode=chosen.key,
                reason=f"{market}: the {chosen.kind} risk score of submission "
                f"{chosen.submission}{checked} (haircut {text(chosen.haircut_wad, WAD)}) implies "
                f"the reserve rate {text(got.target_rate, WAD)} and health "
                f"{text(got.health, RAY)}, under --deleverage-on-score {self.params['health']}",
                block=view.block,
                chain_time=view.timestamp,
                figures={
                    "score": chosen.kind,
                    "submission": str(chosen.submission),
                    "haircut": text(chosen.haircut_wad, WAD),
                    "implied_rate": text(got.target_rate, WAD),
                    "implied_health": text(got.health, RAY),
                    "health_now": text(got.health_now, RAY),
                },
            )
        ]
