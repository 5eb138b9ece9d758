"""Keep a vault's leverage inside a band, re-checking it every block.

    python -m ion_cli.examples.keep_leverage_band weETH --low 2.5 --high 3.5 --target 3 \\
        [--network devnet] [--blocks 100]

Each new block: read the position; above `high`, deleverage to `target`; below `low` (with
debt), lever up to `target` from the vault itself (no deposit). Every write goes through the
Python API (simulated, bounded by the slippage cap, journaled); a refused or failed write is
reported and the strategy keeps watching. It stops after `blocks` blocks (or on Ctrl-C).
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
        if not Decimal(1) <= self.low < self.target < self.high:
            raise ValueError("the band needs 1 <= low < target < high")


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


def check_once(ion: Ion, band: Band, block: int) -> Action:
    """One look at the vault and, if it left the band, one write back to the target."""
    before = _leverage(ion.position(band.market))
    target = f"{band.target}x"
    try:
        if before is not None and before > band.high:
            result = ion.deleverage(band.market, to=target)
            action = "deleverage"
        elif before is not None and before < band.low:
            result = ion.leverage(band.market, 0, to=target)
            action = "leverage"
        else:
            return Action(block, before, "none", before)
    except IonError as exc:
        return Action(block, before, f"failed: {exc.message}")
    after = _leverage(result.position) if isinstance(result.position, Position) else None
    return Action(block, before, action, after)


def wait_for_next_block(ion: Ion, after: int, poll: float = 1.0) -> int:
    """Poll the node until a block after `after` exists; its number."""
    reader = ion.session.reader()
    while True:
        number = reader.block("latest")["number"]
        if number > after:
            return number
        time.sleep(poll)


def run(
    ion: Ion,
    band: Band,
    blocks: int,
    wait: Callable[[Ion, int], int] = wait_for_next_block,
    on_action: Callable[[Action], None] | None = None,
) -> Report:
    """Check the band at each of the next `blocks` blocks (the current one first)."""
    report = Report()
    block = ion.session.reader().block("latest")["number"]
    for i in range(blocks):
        if i:
            block = wait(ion, block)
        action = check_once(ion, band, block)
        report.actions.append(action)
        if on_action is not None:
            on_action(action)
        # a write mines blocks of its own: continue from the chain's head
        block = max(block, ion.session.reader().block("latest")["number"])
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
    args = parser.parse_args(argv)
    try:
        band = Band(args.market, args.low, args.high, args.target)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ion = Ion(network=args.network, account=args.account)

    def show(a: Action) -> None:
        print(f"block {a.block}: leverage {a.leverage_before} -> {a.action} -> {a.leverage_after}")

    try:
        run(ion, band, args.blocks, on_action=show)
    except KeyboardInterrupt:
        return 130
    except IonError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
