"""Keep a vault's leverage inside a band, with two guards (the guard API: `Ion.guards`,
`Ion.guard_run`).

    python -m ion_cli.examples.keep_leverage_band weETH --low 2.5 --high 3.5 --target 3 \\
        [--network devnet] [--blocks 100] [--interval 12]

The band becomes two guards on the vault (added once; a rerun finds them): leverage over `high`
is health under H(high) -> `--repay-below H(high) --to {target}x`; leverage under `low` is health
over H(low) -> `--boost-above H(low) --to {target}x`, with H(L) = L * LT / (L - 1) (LT the
market's liquidation threshold: health and leverage both at the reserve rate). Each check is one
`guard run --once` of those two guards: simulated, bounded by the slippage cap, journaled, once
per episode; a refused or failed action is reported and the strategy keeps watching.

It checks at most `blocks` times, waiting up to `interval` seconds for a new block between checks
and checking again when none came: a quiet devnet (no new blocks) never makes it hang.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from ion_cli.api import Ion
from ion_cli.errors import IonError
from ion_cli.results import Position


@dataclass
class Band:
    market: str
    low: Decimal
    high: Decimal
    target: Decimal

    def __post_init__(self) -> None:
        if not Decimal(1) < self.low < self.target < self.high:
            raise ValueError("the band needs 1 < low < target < high")


@dataclass
class Action:
    block: int
    leverage_before: Decimal | None
    action: str  # "leverage", "deleverage", "none", or "failed: <message>"
    leverage_after: Decimal | None = None


@dataclass
class Report:
    actions: list[Action] = field(default_factory=list)

    @property
    def writes(self) -> list[Action]:
        return [a for a in self.actions if a.action in ("leverage", "deleverage")]


def _leverage(position: Position) -> Decimal | None:
    if position.leverage is None or str(position.debt) == "0":
        return None
    return Decimal(str(position.leverage))


def health_at(leverage: Decimal, threshold: Decimal) -> Decimal:
    """The health of a vault at `leverage`: H = L * LT / (L - 1) (from L = H / (H - LT))."""
    return (leverage * threshold / (leverage - 1)).quantize(Decimal("0.0001"))


def band_guards(ion: Ion, band: Band) -> list[int]:
    """The two guards of the band on the account's vault (added unless already there)."""
    (market,) = [m for m in ion.markets() if m.market.lower() == band.market.lower()]
    threshold = market.liquidation_threshold
    if not isinstance(threshold, Decimal):
        raise IonError(f"the liquidation threshold of {band.market} is not known")
    wanted = {
        "repay_below": str(health_at(band.high, threshold)),
        "boost_above": str(health_at(band.low, threshold)),
    }
    target = f"{band.target}x"
    ids: list[int] = []
    existing = ion.guards.list()
    for kind, level in wanted.items():
        same = [
            g.id
            for g in existing
            if g.market == market.market
            and g.trigger.kind == kind
            and Decimal(g.trigger.params["health"]) == Decimal(level)
            and g.action.leverage is not None
            and Decimal(g.action.leverage) == band.target * 10**27
        ]
        ids.append(
            same[0]
            if same
            else ion.guards.add(market.market, trigger=kind, value=level, to=target).id
        )
    return ids


def check_once(ion: Ion, band: Band, guards: list[int], block: int) -> Action:
    """One `guard run --once` of the band's guards: at most one write back to the target."""
    before = _leverage(ion.position(band.market))
    done = "none"
    try:
        for event in ion.guard_run(once=True, guard_ids=guards):
            if event.kind == "guard_acted":
                done = "deleverage" if "deleverage" in event.message else "leverage"
            elif event.kind in ("guard_failed", "guard_refused"):
                done = f"failed: {event.message}"
    except IonError as exc:
        return Action(block, before, f"failed: {exc.message}")
    after = _leverage(ion.position(band.market)) if done != "none" else before
    return Action(block, before, done, after)


def wait_for_next_block(ion: Ion, after: int, timeout: float = 12.0, poll: float = 1.0) -> int:
    """The head once a block after `after` exists, or after `timeout` seconds anyway (a quiet
    devnet has no new blocks: the band is checked again, never waited on forever)."""
    reader = ion.session.reader()
    deadline = time.monotonic() + timeout
    while True:
        number = int(reader.block("latest")["number"])
        if number > after or time.monotonic() >= deadline:
            return number
        time.sleep(poll)


def run(
    ion: Ion,
    band: Band,
    blocks: int,
    wait: Callable[[Ion, int], int] = wait_for_next_block,
    on_action: Callable[[Action], None] | None = None,
) -> Report:
    """Check the band up to `blocks` times (the current block first)."""
    report = Report()
    guards = band_guards(ion, band)
    block = int(ion.session.reader().block("latest")["number"])
    for i in range(blocks):
        if i:
            block = wait(ion, block)
        action = check_once(ion, band, guards, block)
        report.actions.append(action)
        if on_action is not None:
            on_action(action)
        # a write mines blocks of its own: continue from the chain's head
        block = max(block, int(ion.session.reader().block("latest")["number"]))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("market")
    parser.add_argument("--low", type=Decimal, required=True)
    parser.add_argument("--high", type=Decimal, required=True)
    parser.add_argument("--target", type=Decimal, required=True)
    parser.add_argument("--network", default=None)
    parser.add_argument("--account", default=None)
    parser.add_argument("--blocks", type=int, default=100)
    parser.add_argument("--interval", type=float, default=12.0)
    args = parser.parse_args(argv)
    try:
        band = Band(args.market, args.low, args.high, args.target)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ion = Ion(network=args.network, account=args.account)

    def show(a: Action) -> None:
        print(f"block {a.block}: leverage {a.leverage_before} -> {a.action} -> {a.leverage_after}")

    def wait(api: Ion, after: int) -> int:
        return wait_for_next_block(api, after, timeout=args.interval)

    try:
        run(ion, band, args.blocks, wait=wait, on_action=show)
    except KeyboardInterrupt:
        return 130
    except IonError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
