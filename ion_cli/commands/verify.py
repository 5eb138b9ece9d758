"""`ion verify RECEIPT_OR_DIR`: re-check a proof and its receipt offline."""

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
        """Check the proof, the receipt's fields and every hash, without a network (with
        --onchain, the block root against the chain's beacon roots contract too)."""
        from ion_cli.flows.prove import VerificationFailed
        from ion_cli.flows.prove import verify as run

        session = None
        if onchain:
            from ion_cli.flows.session import Session

            session = Session(network=opts.network, rpc_url=opts.rpc_url)
        report = run(path, opts.output.info, srs_file=srs, onchain=session)

        def render(console: Any) -> None:
            for c in report.checks:
                mark = "ok  " if c.ok else "FAIL"
                console.print(
                    f"{mark} {c.name}" + (f": {c.detail}" if c.detail and not c.ok else "")
                )
            console.print("receipt verified" if report.ok else "receipt REJECTED")

        opts.output.result(report.to_json(), render)
        failure = report.first_failure()
        if failure is not None:
            raise VerificationFailed(f"{failure.name}: {failure.detail or 'failed'}")
