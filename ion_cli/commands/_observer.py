"""The CLI as an observer of the transaction pipeline: the preview, progress and warnings on
stderr (stdout carries only the result), and the terminal's confirmation prompt."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ion_cli.chain.observer import Observer, Preview

if TYPE_CHECKING:
    from ion_cli.chain.execution import ExecutionResult, StepResult
    from ion_cli.output import Output


def _plain(text: str) -> str:
    """Text from plans and nodes, without control characters (no escape sequence reaches the
    terminal), escaped so rich prints it as is (a "[x]" is not markup), figures at most 6
    decimals (the --json document keeps them exact)."""
    from rich.markup import escape

    from ion_cli.abi.describe import clean
    from ion_cli.render import readable

    return escape(readable(clean(text)))


Targets = Callable[[], Mapping[str, tuple[str, str]]]


class TerminalObserver(Observer):
    """Renders each stage on the output's stderr console. `targets` gives the network
    profile's contracts (address -> label, interface): each call is shown decoded from its
    calldata, its target named from the profile."""

    def __init__(self, output: Output, targets: Targets | None = None) -> None:
        self.output = output
        self.targets = targets

    def on_warning(self, message: str) -> None:
        self.output.warn(_plain(message))

    def on_preview(self, preview: Preview) -> None:
        targets: Mapping[str, tuple[str, str]] = {}
        if self.targets is not None:
            try:
                targets = self.targets()
            except Exception:  # names are a courtesy: the preview shows addresses without them
                targets = {}
        render_preview(self.output, preview, targets)

    def on_dry_run(self, result: ExecutionResult) -> None:
        self.output.info("dry run: nothing was signed or sent")

    def on_sent(self, step: StepResult) -> None:
        self.output.info(_plain(f"sent {step.name}: {step.tx_hash}"))

    def on_receipt(self, step: StepResult) -> None:
        if step.status == 1:
            self.output.info(
                _plain(f"mined {step.name} in block {step.block_number} (gas {step.gas_used:,})")
            )


def render_preview(
    output: Output, preview: Preview, targets: Mapping[str, tuple[str, str]] | None = None
) -> None:
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
        console.print(_plain(f"      signs: {describe_call(call.to, call.data, targets or {})}"))
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


def describe_call(to: str, data: bytes, targets: Mapping[str, tuple[str, str]]) -> str:
    """The call as its calldata says: the target named from the network profile (or its bare
    address), the function and the decoded arguments, addresses named where the profile knows
    them."""
    from ion_cli.abi.describe import decode_calldata

    label, interface = targets.get(to.lower(), ("", ""))
    target = f"{label} {to}" if label else to
    decoded = decode_calldata(data, [interface] if interface else [])
    names = {address: name for address, (name, _) in targets.items()}
    if decoded is None:
        what = "plain transfer" if not data else f"unknown call 0x{bytes(data[:4]).hex()}"
        return f"{target}: {what} ({len(data)} bytes of calldata)"
    return f"{target}: {decoded.interface}.{decoded.text(names)}"


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
