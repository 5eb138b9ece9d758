"""`ion guard add MARKET --deleverage-on-avs-slashing PCT --to L`: deleverage when an AVS slashes
an operator the LRT delegates to and the slash takes more than PCT of the LRT's restaked ETH
(`0%`: any slash of its operators). Each `OperatorSlashed` event fires once (`avs.py`), read at
each new block from the blocks since the last one looked at (as `ion watch --restaking` does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ion_cli.flows.guard.consensus.shares import parse_share, percent, ratio
from ion_cli.flows.guard.model import ActionSpec, TriggerSpec
from ion_cli.flows.guard.triggers import BlockView, Firing, Trigger, register

if TYPE_CHECKING:
    from fractions import Fraction

    from ion_cli.flows.session import Session

# At most this many blocks per read (a guard that was stopped for long catches up in steps).
MAX_RANGE = 10_000


@register
class DeleverageOnAvsSlashing(Trigger):
    kind: ClassVar[str] = "avs_slashing"
    option: ClassVar[str] = "--deleverage-on-avs-slashing"

    @classmethod
    def build(cls, value: str, to: str | None) -> tuple[TriggerSpec, ActionSpec]:
        from ion_cli.flows.guard.consensus.trigger_slashing import deleverage_target

        share = parse_share(value, cls.option, allow_zero=True)
        action = deleverage_target(to, cls.option)
        return TriggerSpec(cls.kind, {"share": ratio(share)}), action

    @property
    def threshold(self) -> Fraction:
        return parse_share(self.params["share"], self.option, allow_zero=True)

    def describe(self) -> str:
        share = self.threshold
        return "an AVS slashing of its operators" + (f" above {percent(share)}" if share else "")

    def arm(self, session: Session) -> dict[str, Any]:
        """Follow from the chain head when the guard is added (refused where the LRT's
        restaking cannot be followed)."""
        from ion_cli.flows.guard.consensus.readers import check_restaking
        from ion_cli.flows.watch.context import lrt_name

        check_restaking(session, lrt_name(self.guard.market))
        return {"last_block": int(session.reader().block("latest")["number"])}

    def on_block(self, view: BlockView, memory: dict[str, Any]) -> list[Firing]:
        from ion_cli.flows.guard.consensus.readers import avs_slashes
        from ion_cli.flows.watch.context import lrt_name

        last = memory.get("last_block")
        if not isinstance(last, int) or last > view.block:
            memory["last_block"] = view.block  # armed here (or the chain was reset)
            return []
        if view.block <= last:
            return []
        hi = min(view.block, last + MAX_RANGE)
        slashes = avs_slashes(view.session, lrt_name(self.guard.market), last + 1, hi)
        memory["last_block"] = hi
        return [
            Firing(
                guard_id=self.guard.id,
                episode=s.key,
                reason=f"{s.describe()}: above --deleverage-on-avs-slashing "
                f"{percent(self.threshold)}",
                block=view.block,
                chain_time=view.timestamp,
                figures={
                    "lrt": s.lrt,
                    "avs": s.avs,
                    "operator": s.operator,
                    "share": ratio(s.share, 8),
                    "lost_wei": str(s.lost_wei),
                    "slash_block": str(s.block),
                    "transaction_hash": s.transaction_hash,
                },
            )
            for s in slashes
            if s.above(self.threshold)
        ]
