"""The CLI as an observer of the transaction pipeline: the preview, progress and warnings on
stderr (stdout carries only the result), and the terminal's confirmation prompt."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from ion_cli.chain.observer import Observer, Preview

if TYPE_CHECKING:
    from ion_cli.chain.pipeline import ExecutionResult, StepResult
    from ion_cli.output import Output


def _plain(text: str) -> str:
    """Text from plans and nodes, escaped so rich prints it as is (a "[x]" is not markup)."""
    from rich.markup import escape

    return escape(text)


class TerminalObserver(Observer):
    """Renders each stage on the output's stderr console."""

    def __init__(self, output: Output) -> None:
        self.output = output

    def on_warning(self, message: str) -> None:
        self.output.warn(_plain(message))

    def on_preview(self, preview: Preview) -> None:
        render_preview(self.output, preview)

    def on_dry_run(self, result: ExecutionResult) -> None:
        self.output.info("dry run: nothing was signed or sent")

    def on_sent(self, step: StepResult) -> None:
        self.output.info(_plain(f"sent {step.name}: {step.tx_hash}"))

    def on_receipt(self, step: StepResult) -> None:
        if step.status == 1:
            self.output.info(
                _plain(f"mined {step.name} in block {step.block_number} (gas {step.gas_used:,})")
            )


def render_preview(output: Output, preview: Preview) -> None:
    from ion_cli.chain.fees import format_eth, format_gwei
    from ion_cli.chain.plan import format_amount

    console = output.err
    plan, sim, fees = preview.plan, preview.simulation, preview.fees
    console.print(f"[bold]{_plain(plan.title)}[/bold]")
    if plan.summary:
        width = max(len(k) for k in plan.summary)
        for key, value in plan.summary.items():
            console.print(f"  {_plain(key.ljust(width))}  {_plain(value)}")
    console.print(f"From {preview.sender} on chain {preview.chain_id}:")
    total = len(plan.calls)
    for i, call in enumerate(plan.calls):
        gas = f"gas {sim.steps[i].limit():,}" if i < len(sim.steps) else "gas estimated later"
        value = f", sends {format_amount(call.value)} ETH" if call.value else ""
        line = f"  {i + 1}/{total} {call.description or call.label} ({call.kind}{value}; {gas})"
        console.print(_plain(line))
    price = (
        f"base fee {format_gwei(fees.base_fee)} gwei + tip {format_gwei(fees.tip)} gwei"
        if fees.base_fee is not None
        else f"gas price {format_gwei(fees.max_fee)} gwei"
    )
    partial = "" if sim.complete else f" for step 1 of {total} (later steps not simulated)"
    console.print(
        f"Network fee: about {format_eth(preview.likely_fee)} ETH, at most "
        f"{format_eth(preview.max_fee)} ETH{partial} ({price})"
    )


def terminal_confirm(question: str) -> bool:
    """Ask on the terminal; without one (a pipe, CI) the answer is no and says to pass --yes."""
    import typer

    from ion_cli.errors import RefusedError

    if not sys.stdin.isatty():
        raise RefusedError("refusing to send without confirmation: pass --yes")
    try:
        return bool(typer.confirm(question, default=False, err=True))
    except (typer.Abort, EOFError):
        return False
