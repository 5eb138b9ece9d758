"""`ion guard add MARKET --deleverage-on-slashing PCT --to L`: deleverage when the LRT's validators
lose more than PCT of their effective balance to slashings (or to a balance loss), measured at
each newly finalized epoch against the baseline kept since the guard was armed (`slashing.py`).

This acts before any risk proof: the reserve rate, which liquidations use, follows the consensus
layer only after a proof, its challenge window and capped oracle updates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ion_cli.errors import UsageError
from ion_cli.flows.guard.consensus import slashing
from ion_cli.flows.guard.consensus.shares import parse_share, percent, ratio
from ion_cli.flows.guard.model import ActionSpec, TriggerSpec
from ion_cli.flows.guard.triggers import Clock, EpochView, Firing, Trigger, register

if TYPE_CHECKING:
    from fractions import Fraction

    from ion_cli.flows.guard.consensus.readers import LrtSet
    from ion_cli.flows.session import Session


def deleverage_target(to: str | None, option: str) -> ActionSpec:
    """--to L (a leverage, `1.5x`) or --to H (a health, `1.8`): deleverage to it."""
    from ion_cli.flows.guard.triggers_position import parse_target

    if to is None or not to.strip():
        raise UsageError(f"{option} needs --to (a leverage such as 1.5x, or a health such as 1.8)")
    return parse_target(to, option, "deleverage")


@register
class DeleverageOnSlashing(Trigger):
    kind: ClassVar[str] = "slashing"
    clock: ClassVar[Clock] = "epoch"
    option: ClassVar[str] = "--deleverage-on-slashing"

    _set: LrtSet | None = None

    @classmethod
    def build(cls, value: str, to: str | None) -> tuple[TriggerSpec, ActionSpec]:
        share = parse_share(value, cls.option)
        action = deleverage_target(to, cls.option)
        return TriggerSpec(cls.kind, {"share": ratio(share)}), action

    @property
    def threshold(self) -> Fraction:
        return parse_share(self.params["share"], self.option)

    def describe(self) -> str:
        return f"slashing or loss of its validators above {percent(self.threshold)}"

    def _lrt_set(self, view: EpochView) -> LrtSet:
        if self._set is None:
            from ion_cli.flows.guard.consensus.readers import LrtSet
            from ion_cli.flows.watch.context import lrt_name

            self._set = LrtSet(view.watch.session, lrt_name(self.guard.market))
        return self._set

    def arm(self, session: Session) -> dict[str, Any]:
        """The baseline: the LRT's set at the finalized state when the guard is added."""
        from ion_cli.flows.guard.consensus import readers
        from ion_cli.flows.watch.context import lrt_name

        lrt_set = readers.LrtSet(session, lrt_name(self.guard.market))
        client = readers.open_beacon(session)
        try:
            ref = readers.finalized(client)
            validators = lrt_set.read(client, ref)
        finally:
            client.close()
        base = slashing.baseline(lrt_set.symbol, ref.epoch, ref.state_root, validators)
        return {"baseline": base.to_json()}

    def on_epoch(self, view: EpochView, memory: dict[str, Any]) -> list[Firing]:
        lrt_set = self._lrt_set(view)
        validators = lrt_set.read(view.client, view.ref)
        ref = view.ref
        raw = memory.get("baseline")
        base = slashing.Baseline.from_json(raw) if raw else None
        if base is None or base.lrt != lrt_set.symbol:
            memory["baseline"] = slashing.baseline(
                lrt_set.symbol, ref.epoch, ref.state_root, validators
            ).to_json()
            return []
        if ref.epoch <= base.epoch:
            return []
        signal = slashing.measure(base, ref.epoch, validators)
        memory["last"] = {"epoch": ref.epoch, "share": ratio(signal.share, 8)}
        if not signal.above(self.threshold):
            return []
        # The event is used up either way: the next one is measured from here (each event
        # fires once; a vault levered up later is not deleveraged for an old slashing).
        memory["baseline"] = slashing.baseline(
            lrt_set.symbol, ref.epoch, ref.state_root, validators
        ).to_json()
        if not view.position().has_debt:
            memory["passed"] = {"episode": signal.key, "epoch": ref.epoch, "why": "no debt"}
            return []
        return [
            Firing(
                guard_id=self.guard.id,
                episode=signal.key,
                reason=f"{slashing.describe(signal)}: above --deleverage-on-slashing "
                f"{percent(self.threshold)}",
                epoch=ref.epoch,
                figures={
                    "lrt": signal.lrt,
                    "share": ratio(signal.share, 8),
                    "slashed": str(len(signal.slashed)),
                    "slashed_gwei": str(signal.slashed_gwei),
                    "lost_gwei": str(signal.lost_gwei),
                    "baseline_epoch": str(signal.baseline_epoch),
                    "state_root": ref.state_root,
                },
            )
        ]
