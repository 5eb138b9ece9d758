"""`ion submit RECEIPT_OR_DIR --market MARKET`: a risk proof to the market's RiskFeed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ion_cli.commands._write_options import _markets
from ion_cli.commands.base import GlobalOptions, command
from ion_cli.render import fmt_amount


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
        """Submit a risk proof: the feed verifies it on chain and applies its haircut; the
        reserve oracle is then updated when its cooldown allows."""
        result = opts.api().submit_proof(receipt, market)
        opts.output.result(result, lambda console: render_submit(console, result))


def render_submit(console: Any, result: dict[str, Any]) -> None:
    from ion_cli.commands.render_position import render_positions, risk_text

    if result.get("dry_run"):
        console.print("[bold]dry run[/bold]: the feed would accept the proof; nothing was sent")
        return
    latest = result.get("latest") or {}
    console.print(f"[green]accepted[/green] by the feed {result.get('feed')}: {risk_text(latest)}")
    oracle = result.get("oracle") or {}
    if result.get("reserve_rate_updated"):
        console.print(
            f"reserve rate updated: now {fmt_amount(oracle.get('current_rate'), 6)} "
            f"(target {fmt_amount(oracle.get('target_rate'), 6)}; "
            f"{oracle.get('updates_to_target')} more update(s) to reach it)"
        )
    elif result.get("next_update"):
        console.print(f"reserve rate unchanged for now: {result['next_update']}")
    if result.get("position"):
        render_positions(console, [result["position"]])
