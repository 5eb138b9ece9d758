"""`ion submit RECEIPT_OR_DIR --market MARKET`: a risk proof to the market's RiskFeed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ion_cli.commands._write_options import _markets
from ion_cli.commands.base import GlobalOptions, command
from ion_cli.readable import scaled
from ion_cli.render import fmt_amount

if TYPE_CHECKING:
    from ion_cli.results import SubmitResult


def register(app: typer.Typer) -> None:
    @command(app, "submit", rich_help_panel="Risk proofs", signing=True)
    def submit(
        receipt: Annotated[
            Path,
            typer.Argument(
                help="The receipt.json `ion prove` wrote, or its folder.", show_default=False
            ),
        ],
        market: Annotated[
            str,
            typer.Option(
                "--market",
                help="Market whose risk feed takes the proof (weETH, rsETH, rswETH, ezETH).",
                autocompletion=lambda: _markets(),
                show_default=False,
            ),
        ],
        *,
        opts: GlobalOptions,
    ) -> None:
        """Submit a risk proof with the feed's bond: the feed verifies it on chain and holds it
        pending for its challenge window; `ion oracle finalize` then makes its haircut final."""
        result = opts.api().submit_proof(receipt, market)
        opts.output.result(result, lambda console: render_submit(console, result))


def render_submit(console: Any, submitted: SubmitResult) -> None:
    from ion_cli.commands.render_position import render_positions, risk_text
    from ion_cli.results import Position

    result = submitted.to_json()
    if result.get("dry_run"):
        console.print("[bold]dry run[/bold]: the feed would accept the proof; nothing was sent")
        return
    latest = result.get("latest") or {}
    pending = result.get("pending")
    if pending:
        console.print(
            f"[green]pending[/green] at the feed {result.get('feed')}: submission "
            f"{pending['id']}, bond {scaled(pending['bond_wei'])} ETH, challengeable "
            f"until {pending['deadline']}"
        )
        console.print(f"final score (unchanged until then): {risk_text(latest)}")
    else:
        console.print(
            f"[green]accepted[/green] by the feed {result.get('feed')}: {risk_text(latest)}"
        )
    oracle = result.get("oracle") or {}
    if result.get("reserve_rate_updated"):
        console.print(
            f"reserve rate updated: now {fmt_amount(oracle.get('current_rate'), 6)} "
            f"(target {fmt_amount(oracle.get('target_rate'), 6)}; "
            f"{oracle.get('updates_to_target')} more update(s) to reach it)"
        )
    elif result.get("next_update"):
        console.print(f"reserve rate unchanged for now: {result['next_update']}")
    position = submitted.position
    if isinstance(position, Position):
        render_positions(console, [position])
