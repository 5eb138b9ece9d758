"""What a write for a Safe prints: the batch written (stdout: the Safe transaction, the
position the batch leads to), and what `ion apply` of a batch did."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ion_cli.commands.base import GlobalOptions
    from ion_cli.safe_results import SafeApplyResult, SafeBatchResult


def unsigned_next(batch: SafeBatchResult) -> str:
    """The step after writing a batch, named on stderr with the file."""
    name = shlex.quote(str(batch.batch_file))
    return (
        f"import it in the Safe{{Wallet}} Transaction Builder of {_safe(batch)} (chain "
        f"{batch.chain_id}), or `ion apply {name} --account OWNER` per owner"
    )


def _safe(result: Any) -> str:
    return result.safe.address if result.safe is not None else "the Safe"


def print_batch(opts: GlobalOptions, batch: SafeBatchResult) -> None:
    from ion_cli.commands.render_position import render_positions

    def render(console: Any) -> None:
        safe = batch.safe
        owners = f"{safe.threshold} of {len(safe.owners)} owners" if safe is not None else ""
        how = (
            f"{batch.transactions} calls through MultiSendCallOnly (delegatecall, atomic)"
            if batch.operation == "delegatecall"
            else "one call"
        )
        verb = "batch for" if batch.batch_file is not None else "dry run, no file written, for"
        console.print(f"[bold]{verb}[/bold] the Safe {_safe(batch)} ({owners}): {how}")
        console.print(
            f"Safe transaction hash at nonce {safe.nonce if safe else '?'}: {batch.safe_tx_hash}"
        )
        console.print(f"simulated from the Safe: {batch.simulated_gas:,} gas for the calls")
        if batch.execution_gas is not None:
            console.print(
                f"executing it (execTransaction, simulated): about {batch.execution_gas:,} gas"
            )
        projected = batch.projected_position
        if projected is not None:
            console.print("Position once the owners execute it:")
            render_positions(console, [projected])

    # its own document (whatever the command): a batch for a Safe, not a write's result
    opts.output.result(batch, render, schema="safe.batch")


def print_applied(opts: GlobalOptions, result: SafeApplyResult) -> None:
    def render(console: Any) -> None:
        if result.executed:
            console.print(
                f"[green]executed[/green] the batch from the Safe {_safe(result)} in block "
                f"{result.block} (gas {result.gas_used:,}); see `ion position --address "
                f"{_safe(result)}`"
            )
        elif result.approved:
            console.print(
                f"[green]approved[/green] by {result.owner}: {result.approvals} of "
                f"{result.threshold} approvals; the last owner's `ion apply "
                f"{shlex.quote(result.batch_file)}` executes it"
            )
        elif result.dry_run:
            console.print("[bold]dry run[/bold]: simulated, nothing sent")
        else:
            console.print(f"nothing sent for {result.batch_file}")

    opts.output.result(result, render, schema="safe.apply")
