"""`ion verify RECEIPT_OR_DIR`: re-check a proof and its receipt (offline, plus the submission
record against the chain when a node for it answers)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ion_cli.commands.base import GlobalOptions, command


def register(app: typer.Typer) -> None:
    @command(app, "verify", rich_help_panel="Risk proofs")
    def verify(
        path: Annotated[
            Path, typer.Argument(help="A receipt.json, or the folder `ion prove` wrote.")
        ],
        srs: Annotated[
            Path | None,
            typer.Option("--srs", help="The SRS file the receipt names (found by its hash)."),
        ] = None,
        offline: Annotated[
            bool,
            typer.Option(
                "--offline",
                help="Do not ask a node about the receipt's submission record (shown skipped).",
            ),
        ] = False,
        onchain: Annotated[
            bool,
            typer.Option(
                "--onchain",
                help="Also ask the chain (--network/--rpc-url) whether its EIP-4788 beacon "
                "roots contract holds the receipt's block root.",
            ),
        ] = False,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Check the proof, every field of the receipt and every file it names; with a node at
        hand, its submission record against the chain (with --onchain, the block root against
        the chain's beacon roots contract too)."""
        from ion_cli.api import VerificationFailed

        report = opts.api().verify(
            path, srs_file=srs, offline=offline, onchain=onchain, progress=opts.output.info
        )

        def render(console: Any) -> None:
            for c in report.checks:
                mark = "skip" if c.skipped else "ok  " if c.ok else "FAIL"
                shown = c.detail and (c.skipped or not c.ok)
                console.print(f"{mark} {c.name}" + (f": {c.detail}" if shown else ""))
            console.print("receipt verified" if report.ok else "receipt REJECTED")

        opts.output.result(report, render)
        if report.failed:
            failure = report.failed[0]
            raise VerificationFailed(f"{failure.name}: {failure.detail or 'failed'}")
