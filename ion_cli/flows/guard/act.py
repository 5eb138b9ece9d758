"""Acting on one episode: a plan built by the same flows as the commands (deleverage, leverage,
close), simulated, checked against the guard's bounds and sent under the transaction journal.

The order, each step re-reading the chain at its latest block:
1. the condition must still hold (else the episode is moot: nothing sent);
2. the data must be fresh and consistent (fresh.py) and the reserve rate and the venue's price
   must not have moved beyond --max-slippage since the trigger fired;
3. the plan is built (and so simulated in part: quotes, the handler's caps), the amount it moves
   in the base asset is checked against --max-per-action and --max-per-day (the day is 86,400
   s of block time), and the health it leaves against the trigger's level;
4. the episode is recorded `acting` with its journal intent (`guard <id> <episode>`), on disk,
   before anything is signed; then the plan runs through `guarded_write` (lock, reconcile,
   simulate, sign, journal, send) as a one-shot intent: a run killed at any point is finished by
   the next run from the journal, never re-sent, and a complete plan is reported as done.

A refusal (steps 1-3) is an alert and leaves nothing signed; it is tried again at a later block
(fresh data, the price, the daily window) or never for this episode (--max-per-action). A failed
action alerts and backs off (`BACKOFF_S` x 2^attempts of chain time; `MAX_ATTEMPTS`, then it
gives up until the trigger re-arms): a guard never loops on a failing plan.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ion_cli import position_math as pm
from ion_cli.errors import IonError
from ion_cli.flows.figures import RAY, WAD, text
from ion_cli.flows.guard.events import (
    GuardActed,
    GuardFailed,
    GuardMoot,
    GuardRefused,
    GuardWouldAct,
)
from ion_cli.flows.guard.model import DAY_S, Guard
from ion_cli.flows.guard.store import GuardStore
from ion_cli.flows.guard.triggers import BlockView, Trigger
from ion_cli.flows.watch.events import WatchEvent
from ion_cli.guard_results import Episode

if TYPE_CHECKING:
    from ion_cli.beacon.client import BeaconClient
    from ion_cli.chain.rpc import Reader
    from ion_cli.flows.leverage.context import Built
    from ion_cli.flows.session import Session
    from ion_cli.flows.writes import WriteOptions
    from ion_cli.results import WriteResult

BACKOFF_S = 60  # chain seconds before the first retry of a failed action (doubles each time)
MAX_ATTEMPTS = 4


@dataclass
class Acting:
    """What every action of one guard run shares."""

    session: Session
    store: GuardStore
    options: WriteOptions  # yes=True (the guard was the decision), dry_run as asked
    explicit_network: bool
    beacon: Callable[[], BeaconClient | None]
    cross_check: Sequence[Reader] = ()
    refused: set[tuple[int, str, str]] = field(default_factory=set)  # alerts said this run

    @property
    def dry_run(self) -> bool:
        return self.options.dry_run


class _Stop(Exception):
    """Nothing is sent for this episode now: the events to report and the episode's update."""

    def __init__(self, event: WatchEvent, **changes: Any) -> None:
        super().__init__(event.message)
        self.event = event
        self.changes = changes


def read_view(session: Session, guard: Guard) -> BlockView:
    """The guard's market and vault at the latest block."""
    from ion_cli.chain.market_state import read_market, read_vault
    from ion_cli.flows.installed import require_market

    reader = session.reader()
    market = read_market(reader, session.profile, require_market(session, guard.market))
    vault = read_vault(reader, session.profile, market, guard.address)
    return BlockView(guard=guard, market=market, vault=vault, session=session)


def act(run: Acting, guard: Guard, trigger: Trigger, episode: Episode) -> list[WatchEvent]:
    """Act on one open episode (see the module docstring); the events to report."""
    fields = _fields(guard, episode)
    view = read_view(run.session, guard)
    if episode.state != "acting" and view.timestamp < episode.retry_at:
        return []  # backing off, or waiting for the daily window: by the chain's clock
    if episode.state != "acting":
        last = run.store.last_action_time(guard.id)
        ready = None if last is None else last + guard.bounds.cooldown_s
        if ready is not None and guard.bounds.cooldown_s and view.timestamp < ready:
            return _refused(
                run,
                episode,
                fields,
                "cooldown",
                f"--cooldown: no action before chain time {ready} (now {view.timestamp})",
                retry_at=ready,
                block=view.block,
            )
    intent = episode.intent or f"guard {guard.id} {episode.key}"
    try:
        result = _under_journal(
            run,
            guard,
            intent,
            lambda options: _attempt(run, guard, trigger, episode, intent, options),
        )
    except _Stop as stop:
        if stop.changes:  # (a dry run's store is a copy in memory: nothing is kept)
            run.store.update_episode(
                run.store.episode(guard.id, episode.key) or episode, **stop.changes
            )
        event = stop.event
        if isinstance(event, GuardRefused):
            said = (guard.id, episode.key, event.reason)
            if said in run.refused:
                return []  # said already this run (a long-lived run re-checks every block)
            run.refused.add(said)
        _log(run, guard, episode, event)
        return [event]
    except IonError as exc:
        return _failed(run, guard, episode, fields, exc, view)
    return _acted(run, guard, episode, fields, result)


def _under_journal(
    run: Acting, guard: Guard, intent: str, attempt: Callable[[WriteOptions], WriteResult]
) -> WriteResult:
    from ion_cli.flows.tx import guarded_write

    return guarded_write(
        run.session,
        run.options,
        intent=intent,
        market=guard.market,
        explicit_network=run.explicit_network,
        run_flow=attempt,
        one_shot=True,  # an episode's plan runs once: complete, it is reported, never re-sent
    )


def _attempt(
    run: Acting,
    guard: Guard,
    trigger: Trigger,
    episode: Episode,
    intent: str,
    options: WriteOptions,
) -> WriteResult:
    """Steps 1-4 of the module docstring, inside the journal's guard (nothing of this intent
    was signed yet, or the journal would have finished or reported it)."""
    from ion_cli.flows.guard.fresh import check_fresh

    fields = _fields(guard, episode)
    view = read_view(run.session, guard)
    fields["block"] = view.block
    if not trigger.still_holds(view):
        raise _Stop(
            GuardMoot(
                message=f"guard {guard.id}: the condition no longer holds at block "
                f"{view.block}; nothing sent",
                **fields,
            ),
            state="moot",
        )
    stale = check_fresh(run.session.reader(), run.beacon(), run.cross_check)
    if stale is not None:
        raise _refusal(fields, stale.reason, stale.message, retry_at=view.timestamp + 1)
    moved = _moved(guard, episode, view)
    if moved is not None:
        raise _refusal(
            fields,
            "price_moved",
            moved,
            retry_at=view.timestamp + 1,
            detail={**episode.detail, **_prices(view)},
        )
    built = _build(run.session, guard, view)
    amount = _amount(built, guard)
    after = _health_after(built)
    bounds = guard.bounds
    if bounds.max_per_action is not None and amount > bounds.max_per_action:
        raise _refusal(
            fields,
            "max_per_action",
            f"the action moves {text(amount, WAD)} "
            f"{built.ctx.base}, over --max-per-action {text(bounds.max_per_action, WAD)}",
            retry_at=None,
            state="refused",
        )
    if bounds.max_per_day is not None:
        window = view.timestamp - DAY_S
        spent = run.store.spent_since(guard.id, window, exclude=episode.key)
        if spent + amount > bounds.max_per_day:
            free_at = _free_at(run.store, guard, window, spent + amount - bounds.max_per_day)
            raise _refusal(
                fields,
                "max_per_day",
                f"the action moves {text(amount, WAD)} "
                f"{built.ctx.base}; {text(spent, WAD)} moved in the last day of block time: "
                f"over --max-per-day {text(bounds.max_per_day, WAD)}",
                retry_at=free_at,
            )
    required = _required_health(guard)
    if (
        required is not None
        and (after is None or after < required)
        and guard.action.kind != "close"
    ):
        raise _refusal(
            fields,
            "health_target",
            f"the plan would leave health {text(after, RAY)}, under "
            f"the trigger's {text(required, RAY)}",
            retry_at=view.timestamp + 1,
        )
    if not options.dry_run:  # on disk before the first signature (step 4)
        run.store.update_episode(
            episode,
            state="acting",
            intent=intent,
            amount=amount,
            acted_time=view.timestamp,
            detail={**episode.detail, "health_after": text(after, RAY), "base": built.ctx.base},
        )
    from ion_cli.flows.leverage import run_built

    result = run_built(run.session, built, options)
    if options.dry_run:
        raise _Stop(
            GuardWouldAct(
                message=f"guard {guard.id} would {guard.action.describe()}: "
                f"{text(amount, WAD)} {built.ctx.base} (dry run: nothing sent)",
                action=guard.action.describe(),
                amount=text(amount, WAD),
                health_after=text(after, RAY),
                plan=dict(built.plan.to_json()),
                **fields,
            ),
            state="dry_run",  # shown once (a dry run's store is a copy in memory)
        )
    return result


def _build(session: Session, guard: Guard, view: BlockView) -> Built:
    from ion_cli.flows import leverage as lv
    from ion_cli.units import Ray

    action, bounds = guard.action, guard.bounds
    if action.kind == "close":
        request: Any = lv.DeleverageRequest(
            guard.market, close=True, max_slippage=Ray(bounds.max_slippage)
        )
        return lv.build_deleverage(session, request, False)
    target = action.leverage or _leverage_for(action.health or 0, view)
    if action.kind == "deleverage":
        request = lv.DeleverageRequest(
            guard.market, leverage=Ray(target), max_slippage=Ray(bounds.max_slippage)
        )
        return lv.build_deleverage(session, request, False)
    request = lv.LeverageRequest(
        guard.market, leverage=Ray(target), max_slippage=Ray(bounds.max_slippage)
    )
    return lv.build_leverage(session, request, False)


def _leverage_for(health: int, view: BlockView) -> int:
    """The leverage at which the vault has `health`: H = C·R·LT / D and L = C·R / (C·R - D)
    give L = H / (H - LT) (both at the reserve rate, as the position shows them)."""
    threshold = view.market.liquidation_threshold
    if threshold is None or health <= threshold:
        raise IonError(
            f"a target health of {text(health, RAY)} is not reachable in "
            f"{view.market.symbol} (its liquidation threshold is "
            f"{text(threshold, RAY)})"
        )
    return health * RAY // (health - threshold)


def _amount(built: Built, guard: Guard) -> int:
    """The base asset the plan moves: debt repaid (deleverage, close) or added (leverage)."""
    ctx = built.ctx
    return abs(ctx.debt() - ctx.debt(built.after))


def _health_after(built: Built) -> int | None:
    m, a = built.ctx.market, built.after
    if m.liquidation_threshold is None:
        return None
    return pm.health(
        a.collateral, a.normalized_debt, m.rate, m.reserve_rate, m.liquidation_threshold
    )


def _required_health(guard: Guard) -> int | None:
    """The health a deleverage must at least reach: out of its trigger's range."""
    level = guard.trigger.params.get("health")
    if guard.action.kind != "deleverage" or level is None:
        return None
    from ion_cli.flows.guard.triggers_position import parse_health

    return parse_health(level, "health")


def _prices(view: BlockView) -> dict[str, str]:
    return {"reserve_rate": str(view.market.reserve_rate), "price": str(view.market.price)}


def _moved(guard: Guard, episode: Episode, view: BlockView) -> str | None:
    """The reserve rate or the venue's price moved beyond --max-slippage since the trigger."""
    bound = guard.bounds.max_slippage
    now = _prices(view)
    for name in ("reserve_rate", "price"):
        then = int(episode.detail.get(name) or 0)
        value = int(now[name])
        if then <= 0 or value <= 0:
            continue
        if abs(value - then) * RAY > bound * then:
            change = (value - then) * 10_000 // then
            return (
                f"the {name.replace('_', ' ')} moved {change / 100:+.2f}% since the trigger "
                f"(from {text(then, WAD)} to {text(value, WAD)}), beyond --max-slippage "
                f"{text(bound * 100, RAY)}%: re-checked at the next block"
            )
    return None


def _free_at(store: GuardStore, guard: Guard, window: int, excess: int) -> int:
    """The chain time at which enough of the last day's actions leave the window."""
    freed = 0
    for stamp, amount in store.actions_since(guard.id, window):
        freed += amount
        if freed >= excess:
            return stamp + DAY_S + 1
    return window + 2 * DAY_S  # the action alone is over the bound: in a day, once more


def _fields(guard: Guard, episode: Episode) -> dict[str, Any]:
    return {
        "guard": guard.id,
        "market": guard.market,
        "address": guard.address,
        "episode": episode.key,
        "block": episode.fired_block,
    }


def _refusal(
    fields: dict[str, Any],
    reason: str,
    message: str,
    *,
    retry_at: int | None,
    state: str = "pending",
    detail: dict[str, Any] | None = None,
) -> _Stop:
    changes: dict[str, Any] = {"state": state, "retry_at": retry_at or 0}
    if detail is not None:
        changes["detail"] = detail
    event = GuardRefused(
        message=f"guard {fields['guard']} refused to act: {message}",
        reason=reason,
        retry_at=retry_at,
        **fields,
    )
    return _Stop(event, **changes)


def _refused(
    run: Acting,
    episode: Episode,
    fields: dict[str, Any],
    reason: str,
    message: str,
    *,
    retry_at: int | None,
    block: int,
) -> list[WatchEvent]:
    stop = _refusal({**fields, "block": block}, reason, message, retry_at=retry_at)
    run.store.update_episode(episode, **stop.changes)
    said = (episode.guard_id, episode.key, reason)
    if said in run.refused:
        return []
    run.refused.add(said)
    return [stop.event]


def _failed(
    run: Acting,
    guard: Guard,
    episode: Episode,
    fields: dict[str, Any],
    exc: IonError,
    view: BlockView,
) -> list[WatchEvent]:
    current = run.store.episode(guard.id, episode.key) or episode
    attempts = current.attempts + 1
    gave_up = attempts >= MAX_ATTEMPTS
    retry_at = None if gave_up else view.timestamp + BACKOFF_S * 2 ** (attempts - 1)
    message = " ".join(exc.message.split())
    run.store.update_episode(  # (a dry run's store is a copy in memory)
        current,
        state="gave_up" if gave_up else "failed",
        attempts=attempts,
        retry_at=retry_at or 0,
    )
    event = GuardFailed(
        message=f"guard {guard.id}: the action failed ({message}); "
        + ("giving up on this episode" if gave_up else f"retried at chain time {retry_at}"),
        error=message,
        attempts=attempts,
        retry_at=retry_at,
        **{**fields, "block": view.block},
    )
    _log(run, guard, episode, event)
    return [event]


def _acted(
    run: Acting, guard: Guard, episode: Episode, fields: dict[str, Any], result: WriteResult
) -> list[WatchEvent]:
    current = run.store.episode(guard.id, episode.key) or episode
    plan = result.plan or {}
    finished = bool(plan.get("already_done")) or "resumed" in plan
    hashes = list(result.tx_hashes) or [str(h) for h in plan.get("tx_hashes", [])]
    run.store.update_episode(current, state="done")
    amount = text(current.amount, WAD)
    base = str(current.detail.get("base") or "base asset")
    sent = f"{len(hashes)} transaction(s), the last {hashes[-1]}" if hashes else "nothing sent"
    event = GuardActed(
        message=f"guard {guard.id}: {guard.action.describe()}"
        + (f", {amount} {base} moved" if amount else "")
        + (" (an interrupted run's plan, finished)" if finished else "")
        + f": {sent}",
        action=guard.action.describe(),
        amount=amount,
        plan_id=plan.get("plan_id"),
        tx_hashes=hashes,
        health_after=current.detail.get("health_after"),
        finished=finished,
        **fields,
    )
    _log(run, guard, current, event)
    return [event]


def _log(run: Acting, guard: Guard, episode: Episode, event: WatchEvent) -> None:
    if run.dry_run:
        return
    data = event.data
    run.store.log(
        guard.id,
        episode.key,
        event.kind,
        event.message,
        block=data.get("block"),
        chain_time=episode.acted_time if event.kind == "guard_acted" else None,
        amount=data.get("amount"),
        plan_id=data.get("plan_id"),
        tx_hashes=tuple(data.get("tx_hashes") or ()),
    )


__all__ = ["Acting", "act", "read_view"]
