"""The position triggers, evaluated at each new block on the guard's vault (level triggers: see
triggers.py for episodes and the re-arm margin).

- `--repay-below H --to T`: health under H -> deleverage (sell collateral, repay debt) to health
  T (or to leverage T with an `x`: `--to 2x`), in one plan;
- `--boost-above H --to T`: health over H -> lever up from the vault itself to health T (or
  leverage `Tx`);
- `--close-below-rate R`: the reserve rate (the collateral's value in the base asset, what
  liquidations use) under R -> close the vault;
- `--take-profit R [--to Lx]`: the reserve rate at or over R -> close the vault (or deleverage to
  leverage L).

A vault without debt neither fires nor re-arms these triggers.
"""

from __future__ import annotations

from typing import ClassVar

from ion_cli.errors import UsageError
from ion_cli.flows.figures import RAY, WAD, text
from ion_cli.flows.guard.model import ActionSpec, TriggerSpec
from ion_cli.flows.guard.triggers import REARM_MARGIN, BlockView, Level, LevelTrigger, register


def parse_health(value: str, option: str) -> int:
    health = _scaled(value, RAY, f"{option}: {value!r} is not a health (e.g. 1.3)")
    if health <= 0 or health > 100 * RAY:
        raise UsageError(f"{option}: {value!r} must be a health above 0 (e.g. 1.3)")
    return health


def parse_rate(value: str, option: str) -> int:
    rate = _scaled(value, WAD, f"{option}: {value!r} is not an exchange rate (e.g. 1.02)")
    if rate <= 0 or rate > 1000 * WAD:
        raise UsageError(f"{option}: {value!r} must be an exchange rate above 0 (e.g. 1.02)")
    return rate


def parse_target(to: str | None, option: str, action: str) -> ActionSpec:
    """--to T (a health) or --to Tx (a leverage)."""
    if to is None or not to.strip():
        raise UsageError(f"{option} needs --to (a health such as 1.6, or a leverage such as 2x)")
    if to.strip().lower().endswith("x"):
        from ion_cli.amounts import parse_leverage

        return ActionSpec(action, leverage=parse_leverage(to))
    return ActionSpec(action, health=parse_health(to, "--to"))


def _scaled(value: str, unit: int, error: str) -> int:
    """A plain decimal ("1.3") in `unit`, exact (ASCII digits only: Decimal takes any)."""
    from decimal import Decimal, InvalidOperation, localcontext

    raw = value.strip()
    if not raw.isascii() or not raw or raw[0] in "+-" or "e" in raw.lower():
        raise UsageError(error)
    try:
        with localcontext() as ctx:
            ctx.prec = 120
            number = Decimal(raw)
            if not number.is_finite():
                raise UsageError(error)
            scaled = number * unit
    except InvalidOperation:
        raise UsageError(error) from None
    if scaled != scaled.to_integral_value():
        raise UsageError(error + ": too many decimals")
    return int(scaled)


def _health_text(value: int | None) -> str | None:
    return text(value, RAY)


def _margin(level: int, up: bool) -> int:
    step = level * REARM_MARGIN // RAY
    return level + step if up else level - step


class _HealthTrigger(LevelTrigger):
    """A level on the vault's health: under it (`below`) or over it."""

    below: ClassVar[bool] = True

    @property
    def level(self) -> int:
        return parse_health(self.params["health"], self.option)

    def describe(self) -> str:
        return f"health {'under' if self.below else 'over'} {self.params['health']}"

    def measure(self, view: BlockView) -> Level | None:
        health = view.health
        if health is None:
            return None
        shown = _health_text(health)
        if self.below:
            holds, beyond = health < self.level, health >= _margin(self.level, up=True)
        else:
            holds, beyond = health > self.level, health <= _margin(self.level, up=False)
        where = "under" if self.below else "over"
        return Level(
            holds=holds,
            beyond=beyond,
            reason=f"health {shown} is {where} {self.option} {self.params['health']}",
            figures={"health": shown, "reserve_rate": text(view.market.reserve_rate, WAD)},
        )


@register
class RepayBelow(_HealthTrigger):
    kind: ClassVar[str] = "repay_below"
    option: ClassVar[str] = "--repay-below"

    @classmethod
    def build(cls, value: str, to: str | None) -> tuple[TriggerSpec, ActionSpec]:
        level = parse_health(value, cls.option)
        action = parse_target(to, cls.option, "deleverage")
        if action.health is not None and action.health <= level:
            raise UsageError("--repay-below H --to T: the target health T must be above H")
        return TriggerSpec(cls.kind, {"health": str(text(level, RAY))}), action


@register
class BoostAbove(_HealthTrigger):
    kind: ClassVar[str] = "boost_above"
    option: ClassVar[str] = "--boost-above"
    below: ClassVar[bool] = False

    @classmethod
    def build(cls, value: str, to: str | None) -> tuple[TriggerSpec, ActionSpec]:
        level = parse_health(value, cls.option)
        action = parse_target(to, cls.option, "leverage")
        if action.health is not None and action.health >= level:
            raise UsageError("--boost-above H --to T: the target health T must be under H")
        if action.health is not None and action.health <= RAY:
            raise UsageError("--boost-above: the target health must be above 1 (liquidation)")
        return TriggerSpec(cls.kind, {"health": str(text(level, RAY))}), action


class _RateTrigger(LevelTrigger):
    below: ClassVar[bool] = True

    @property
    def level(self) -> int:
        return parse_rate(self.params["rate"], self.option)

    def measure(self, view: BlockView) -> Level | None:
        if not view.has_debt:
            return None
        rate = view.market.reserve_rate
        shown = text(rate, WAD)
        if self.below:
            holds, beyond = rate < self.level, rate >= _margin(self.level, up=True)
            where = "under"
        else:
            holds, beyond = rate >= self.level, rate <= _margin(self.level, up=False)
            where = "at or over"
        return Level(
            holds=holds,
            beyond=beyond,
            reason=f"the reserve rate {shown} is {where} {self.option} {self.params['rate']}",
            figures={"reserve_rate": shown, "health": _health_text(view.health)},
        )


@register
class CloseBelowRate(_RateTrigger):
    kind: ClassVar[str] = "close_below_rate"
    option: ClassVar[str] = "--close-below-rate"

    @classmethod
    def build(cls, value: str, to: str | None) -> tuple[TriggerSpec, ActionSpec]:
        rate = parse_rate(value, cls.option)
        if to is not None:
            raise UsageError("--close-below-rate closes the vault: it takes no --to")
        return TriggerSpec(cls.kind, {"rate": str(text(rate, WAD))}), ActionSpec("close")

    def describe(self) -> str:
        return f"reserve rate under {self.params['rate']}"


@register
class TakeProfit(_RateTrigger):
    kind: ClassVar[str] = "take_profit"
    option: ClassVar[str] = "--take-profit"
    below: ClassVar[bool] = False

    @classmethod
    def build(cls, value: str, to: str | None) -> tuple[TriggerSpec, ActionSpec]:
        rate = parse_rate(value, cls.option)
        if to is None:
            action = ActionSpec("close")
        elif to.strip().lower().endswith("x"):
            action = parse_target(to, cls.option, "deleverage")
        else:
            raise UsageError("--take-profit R --to: a leverage such as 1.5x (or no --to: close)")
        return TriggerSpec(cls.kind, {"rate": str(text(rate, WAD))}), action

    def describe(self) -> str:
        return f"reserve rate at or over {self.params['rate']}"
