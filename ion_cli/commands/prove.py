"""`ion prove --lrt SYMBOL`: a zk proof of the risk score of an LRT's validators, with a receipt."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ion_cli.commands.base import GlobalOptions, command
from ion_cli.commands.risk import BEACON_OPTION, LRT_OPTION, SNAPSHOT_OPTION, STATE_OPTION


def register(app: typer.Typer) -> None:
    @command(app, "prove", rich_help_panel="Risk proofs")
    def prove(
        lrt: Annotated[str, LRT_OPTION],
        state: Annotated[str, STATE_OPTION] = "finalized",
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Output folder (default: ./ion-proof-SYMBOL-SLOT)."),
        ] = None,
        srs: Annotated[
            Path | None,
            typer.Option(
                "--srs",
                help="KZG SRS file from a trusted setup (required outside the devnet, where the "
                "shipped development SRS is refused).",
            ),
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help="Write into a non-empty output folder.")
        ] = False,
        snapshot: Annotated[Path | None, SNAPSHOT_OPTION] = None,
        beacon_url: Annotated[list[str] | None, BEACON_OPTION] = None,
        cross_check: Annotated[
            bool,
            typer.Option(
                "--cross-check",
                help="Refuse unless every beacon node (two or more --beacon-url) agrees on the "
                "finalized checkpoint; the receipt records it.",
            ),
        ] = False,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Fetch, compute the features, prove the model's score, verify it, write a receipt."""
        result = opts.api().prove(
            lrt,
            out=out,
            state=state,
            snapshot_file=snapshot,
            beacon_urls=beacon_url or (),
            cross_check=cross_check,
            srs_file=srs,
            force=force,
            progress=opts.output.info,
        )

        def render(console: Any) -> None:
            from ion_cli.render import figure, fmt_pct

            r = result.receipt
            console.print(
                f"proof written to {result.folder} ({r['proof']['bytes']} bytes, "
                f"{result.seconds:.2f} s)"
            )
            console.print(
                f"{r['lrt']} at slot {r['beacon']['slot']}: score {figure(r['output']['p'], 4)}, "
                f"haircut {fmt_pct(r['output']['haircut'], 4)} "
                f"(rule: {fmt_pct(r['rule']['haircut'], 4)})"
            )
            nodes = ", ".join(r["beacon"].get("nodes") or []) or "?"
            checked = "cross-checked" if r["beacon"].get("cross_checked") else "not cross-checked"
            console.print(f"validators from {nodes} ({checked})")
            anchor = r.get("anchor")
            if anchor:
                checked = anchor["state_check"]
                onchain = anchor["beacon_root_on_chain"]
                console.print(
                    f"rated the post-state of {anchor['why']}; "
                    f"{checked['validators_compared']} validators checked against its state "
                    "root"
                    + (
                        "; the chain's EIP-4788 root agrees"
                        if onchain.get("checked")
                        else f"; on chain: {onchain.get('why')}"
                    )
                )

        import shlex

        opts.output.wrote(result.folder, f"ion verify {shlex.quote(str(result.folder))}")
        opts.output.result(result, render)
