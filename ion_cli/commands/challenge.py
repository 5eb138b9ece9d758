"""`ion challenge MARKET [SUBMISSION]`: prove a false risk submission false, or say it is sound."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ion_cli.commands._write_options import MarketArg
from ion_cli.commands.base import GlobalOptions, command

if TYPE_CHECKING:
    from ion_cli.challenge_results import ChallengeResult

SubmissionArg = Annotated[
    str | None,
    typer.Argument(
        help="The submission's id on the market's feed (default: the newest still open to "
        "challenge; `ion oracle show` lists them).",
        show_default=False,
    ),
]
TreeOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--tree",
        help="The tree file the submitter published (ion-sumtree-nodes/1 or sumtree.json), or "
        "a folder to search for it by its root; repeatable. Also searched: the data dir's "
        "trees/ folder.",
        show_default=False,
    ),
]


def register(app: typer.Typer) -> None:
    @command(app, "challenge", rich_help_panel="Risk proofs", signing=True)
    def challenge(
        market: MarketArg,
        submission: SubmissionArg = None,
        tree: TreeOption = None,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Check a pending risk submission against the beacon state at its root and send the
        cheapest fraud proof when it is false (exit 0 when it is sound)."""
        from ion_cli.commands._write_options import failure_document
        from ion_cli.errors import IonError

        wanted = parse_submission(submission)
        try:
            result = opts.api().challenge(
                market, wanted, trees=tree or [], progress=opts.output.info
            )
        except IonError as exc:
            if opts.json:
                opts.output.result(failure_document(opts, exc))
            raise
        opts.output.result(result, lambda console: render_challenge(console, result))


def render_challenge(console: Any, result: ChallengeResult) -> None:
    j = result.judgement
    if j is None:  # a write's result without its judgement (never from `Ion.challenge`)
        console.print("sent" if result.tx_hashes else "nothing sent")
        return
    sub = j.submission
    head = f"submission {sub.id} (slot {sub.slot}, {sub.status})"
    if result.sound:
        console.print(f"[green]sound[/green]: {head}: {j.why}")
        return
    console.print(f"[red]false[/red]: {head}: {j.why}")
    console.print(f"fraud proof: {j.fraud_proof} ({j.finding})")
    if result.dry_run:
        console.print("[bold]dry run[/bold]: the challenge simulated; nothing was sent")
        return
    hashes = result.tx_hashes
    console.print("sent: " + ", ".join(hashes) if hashes else "sent")


def parse_submission(value: str | None) -> int | None:
    """A submission id argument ("12", "#12"); bad input exits 2."""
    from ion_cli.errors import UsageError

    if value is None:
        return None
    text = value.strip().removeprefix("#")
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**63:
        raise UsageError(f"a submission is a positive integer id, got {value!r}")
    return int(text)
