"""The preview printed before signing (always on stderr: stdout carries only the result)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ion_cli.chain.fees import FeeQuote, format_eth, format_gwei
from ion_cli.chain.plan import Plan, format_amount
from ion_cli.chain.simulate import Simulation

if TYPE_CHECKING:
    from rich.console import Console


def estimated_fee(sim: Simulation, fees: FeeQuote) -> tuple[int, int]:
    """(likely fee, most the fee can be) in wei, over the simulated steps."""
    likely = sum(s.gas_used for s in sim.steps) * fees.expected_price
    most = sum(s.limit() for s in sim.steps) * fees.max_fee
    return likely, most


def render(
    console: Console,
    plan: Plan,
    sim: Simulation,
    fees: FeeQuote,
    *,
    sender: str,
    chain_id: int,
    extra: Callable[[], None] | None = None,
) -> None:
    from rich.markup import escape

    console.print(f"[bold]{escape(plan.title)}[/bold]")
    if plan.summary:
        width = max(len(k) for k in plan.summary)
        for key, value in plan.summary.items():
            console.print(f"  {escape(key.ljust(width))}  {escape(value)}")
    if extra is not None:
        extra()
    console.print(f"From {sender} on chain {chain_id}:")
    total = len(plan.calls)
    for i, call in enumerate(plan.calls):
        gas = f"gas {sim.steps[i].limit():,}" if i < len(sim.steps) else "gas estimated later"
        value = f", sends {format_amount(call.value)} ETH" if call.value else ""
        line = f"  {i + 1}/{total} {call.description or call.label} ({call.kind}{value}; {gas})"
        console.print(escape(line))
    likely, most = estimated_fee(sim, fees)
    price = (
        f"base fee {format_gwei(fees.base_fee)} gwei + tip {format_gwei(fees.tip)} gwei"
        if fees.base_fee is not None
        else f"gas price {format_gwei(fees.max_fee)} gwei"
    )
    partial = "" if sim.complete else f" for step 1 of {total} (later steps not simulated)"
    console.print(
        f"Network fee: about {format_eth(likely)} ETH, at most {format_eth(most)} ETH"
        f"{partial} ({price})"
    )
