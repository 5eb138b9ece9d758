"""Guards through `Ion`: `ion.guards` (add, list, remove, history) and `ion.guard_run(...)`, an
iterator of typed frozen events (one class per kind: ion_cli.flows.guard.events, and the
watch's node events).

    ion = Ion(network="devnet")
    guard = ion.guards.add("weETH", repay_below="1.3", to="1.6", max_per_day="20")
    for event in ion.guard_run(once=True):
        print(event.kind, event.message)

A guard's action runs as the session's account under the journal, without asking: adding the
guard was the decision (`dry_run=True` shows what it would do, and keeps nothing).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from ion_cli.api import _args
from ion_cli.api._args import Amount
from ion_cli.api._core import IonCore
from ion_cli.errors import UsageError

if TYPE_CHECKING:
    from ion_cli.flows.guard import Guard
    from ion_cli.flows.guard.runner import GuardRunConfig, GuardRunner
    from ion_cli.flows.watch import WatchEvent
    from ion_cli.guard_results import HistoryEntry

__all__ = ["Guard", "GuardMethods", "GuardRunConfig", "GuardRunner", "Guards", "HistoryEntry"]

# the keyword of `Guards.add` for each position trigger (consensus-layer triggers: `trigger=`)
SHORTCUTS = ("repay_below", "boost_above", "close_below_rate", "take_profit")


class Guards:
    """The guards of one account on the chain the session's node is on."""

    def __init__(self, ion: IonCore) -> None:
        self._ion = ion

    def add(
        self,
        market: str,
        *,
        repay_below: str | Decimal | None = None,
        boost_above: str | Decimal | None = None,
        close_below_rate: str | Decimal | None = None,
        take_profit: str | Decimal | None = None,
        trigger: str | None = None,
        value: str | Decimal | None = None,
        to: str | Decimal | None = None,
        address: str | None = None,
        max_per_action: Amount | None = None,
        max_per_day: Amount | None = None,
        max_slippage: str | Decimal = "0.5%",
        cooldown: str | int = 0,
        dry_run: bool = False,
    ) -> Guard:
        """Add a guard on the `market` vault of `address` (default: the account): one trigger,
        either a position one by keyword (`repay_below="1.3", to="1.6"`: health under 1.3 ->
        deleverage to health 1.6, or `to="2x"` a leverage) or any registered kind by name
        (`trigger="slashing", value="1%", to="1.5x"`). Bounds: `max_per_action` and
        `max_per_day` in the market's base asset, `max_slippage` of its trades, `cooldown`
        after an action (chain time). `dry_run`: check it, store nothing (id 0)."""
        from ion_cli.flows.guard.manage import add_guard
        from ion_cli.flows.guard.model import Bounds

        given = {
            k: v
            for k, v in {
                "repay_below": repay_below,
                "boost_above": boost_above,
                "close_below_rate": close_below_rate,
                "take_profit": take_profit,
            }.items()
            if v is not None
        }
        if trigger is not None:
            if value is None:
                raise UsageError(f"the trigger {trigger!r} needs a value")
            given[trigger] = value
        if len(given) != 1:
            raise UsageError(
                "give one trigger: repay_below, boost_above, close_below_rate, take_profit, "
                "or trigger= with value="
            )
        ((kind, level),) = given.items()
        bounds = Bounds(
            max_per_action=None if max_per_action is None else _args.amount(max_per_action),
            max_per_day=None if max_per_day is None else _args.amount(max_per_day),
            max_slippage=_args.fraction(max_slippage, "slippage"),
            cooldown_s=_args.duration(cooldown),
        )
        return add_guard(
            self._ion.session,
            market,
            kind,
            _text(level),
            None if to is None else _text(to),
            bounds,
            address,
            dry_run=dry_run or self._ion.dry_run,
        )

    def list(self, address: str | None = None) -> list[Guard]:
        from ion_cli.flows.guard.manage import list_guards

        return list_guards(self._ion.session, address)

    def remove(self, guard_id: int, address: str | None = None, *, dry_run: bool = False) -> Guard:
        from ion_cli.flows.guard.manage import remove_guard

        return remove_guard(
            self._ion.session, int(guard_id), address, dry_run=dry_run or self._ion.dry_run
        )

    def history(
        self, guard_id: int | None = None, address: str | None = None
    ) -> builtins.list[HistoryEntry]:
        from ion_cli.flows.guard.manage import guard_history

        return guard_history(self._ion.session, guard_id, address)


class GuardMethods(IonCore):
    @property
    def guards(self) -> Guards:
        return Guards(self)

    def guard_run(
        self,
        *,
        once: bool = False,
        dry_run: bool = False,
        interval_s: float = 12.0,
        beacon_urls: Sequence[str] = (),
        cross_check: Sequence[str] = (),
        guard_ids: Sequence[int] = (),
        max_cycles: int | None = None,
    ) -> Iterator[WatchEvent]:
        """Run the account's guards: evaluate at each new block and finalized epoch, act once
        per episode; `once` ends after one cycle (cron). `cross_check`: other execution nodes'
        RPC URLs that must agree with this one before acting."""
        from ion_cli.flows.guard.runner import GuardRunConfig

        if interval_s <= 0:
            raise UsageError("the interval must be greater than zero")
        config = GuardRunConfig(
            once=once,
            interval=interval_s,
            beacon_urls=tuple(beacon_urls),
            cross_check=tuple(cross_check),
            max_cycles=max_cycles,
            guard_ids=tuple(int(i) for i in guard_ids),
        )
        return self.guard_runner(config, dry_run=dry_run).run()

    def guard_runner(self, config: GuardRunConfig, *, dry_run: bool = False) -> GuardRunner:
        """The runner itself (its outage flag beside the events: the CLI's exit code)."""
        from dataclasses import replace

        from ion_cli.flows.guard.runner import GuardRunner
        from ion_cli.flows.tx import require_named_network

        explicit = self.session.network is not None
        options = self._options(dry_run, None, None)
        if not options.dry_run:  # refused before any node is asked (as every signing command)
            require_named_network(self.session, explicit)
        # the guard was the decision: its actions are not asked about again
        options = replace(options, yes=True, confirm=None)
        return GuardRunner(self.session, config, options, explicit_network=explicit)


def _text(value: str | Decimal) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def __getattr__(name: str) -> object:
    """The guard types, for callers and type hints (loaded on use)."""
    if name == "Guard":
        from ion_cli.flows.guard import Guard

        return Guard
    if name in ("GuardRunConfig", "GuardRunner"):
        from ion_cli.flows.guard import runner

        return getattr(runner, name)
    if name == "HistoryEntry":
        from ion_cli.guard_results import HistoryEntry

        return HistoryEntry
    raise AttributeError(name)
