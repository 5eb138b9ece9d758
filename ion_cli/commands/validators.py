"""`ion validators`: validator state from the beacon chain (show, summary).

Thin: parse the options, call ion_cli.api, render. Every output (table, --json,
--csv) names the slot, state root and finality of the data it shows.
"""

# No `from __future__ import annotations`: typer reads these annotations at run time.

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ion_cli.commands.base import GlobalOptions, command
from ion_cli.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from ion_cli.beacon.snapshot import StateRef
    from ion_cli.validator_results import ValidatorSet

app = typer.Typer(
    help="Validator state from the beacon chain: balances, statuses, slashings.",
    no_args_is_help=True,
)

StateOption = Annotated[
    str,
    typer.Option(
        "--state",
        help="finalized (default: what proofs use), head, justified, a slot, or a 0x root.",
        rich_help_panel="Beacon",
    ),
]
BeaconUrlOption = Annotated[
    list[str] | None,
    typer.Option(
        "--beacon-url",
        help="Beacon node API URL; repeat for failover (else ION_BEACON_URL, comma-separated; "
        "the profile's beacon_urls; the devnet's server).",
        rich_help_panel="Beacon",
        show_default=False,
    ),
]
CrossCheckFlag = Annotated[
    bool,
    typer.Option(
        "--cross-check",
        help="Refuse unless every beacon node agrees on the finalized checkpoint.",
        rich_help_panel="Beacon",
    ),
]
CsvFlag = Annotated[bool, typer.Option("--csv", help="Print CSV on stdout.")]
WideFlag = Annotated[
    bool, typer.Option("--wide", help="One table row each however wide it gets (else records).")
]


class _Progress:
    """`fetching validators: 12,000/100,000` on stderr, rewritten in place (terminals only)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        figure = f"{done:,}/{total:,}" if total else f"{done:,}"
        sys.stderr.write(f"\r{self.label}: {figure}\x1b[K")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _check_formats(opts: GlobalOptions, csv: bool) -> None:
    if csv and opts.json:
        raise UsageError("--json and --csv exclude each other")


def _write_csv(rows: Any) -> None:
    import csv as csvlib

    writer: Any = None
    for row in rows:
        if writer is None:
            writer = csvlib.DictWriter(sys.stdout, fieldnames=list(row), lineterminator="\n")
            writer.writeheader()
        writer.writerow(row)
    sys.stdout.flush()


@command(app, "show")
def show(
    ids: Annotated[
        list[str] | None,
        typer.Argument(help="Validator indices or 0x pubkeys; - reads them from stdin."),
    ] = None,
    from_file: Annotated[
        Path | None,
        typer.Option("--from-file", help="Read ids from a file (- for stdin).", dir_okay=False),
    ] = None,
    state: StateOption = "finalized",
    beacon_url: BeaconUrlOption = None,
    cross_check: CrossCheckFlag = False,
    csv: CsvFlag = False,
    wide: WideFlag = False,
    *,
    opts: GlobalOptions,
) -> None:
    """Show validators: status, balance, effective balance, slashed, epochs."""
    _check_formats(opts, csv)
    progress = _Progress("fetching validators")
    api = opts.api()
    result = api.validators(
        ids or [],
        ids_file=from_file,
        state=state,
        beacon_urls=beacon_url or (),
        cross_check=cross_check,
        progress=progress,
    )
    progress.clear()
    if csv:
        _write_csv(api.validators_csv(result))
        return
    opts.output.result(result, lambda console: _render_show(console, result, wide))


@command(app, "summary")
def summary(
    lrt: Annotated[
        str,
        typer.Option("--lrt", help="The token (weETH, ezETH, ...).", show_default=False),
    ],
    state: StateOption = "finalized",
    beacon_url: BeaconUrlOption = None,
    cross_check: CrossCheckFlag = False,
    credentials_file: Annotated[
        Path | None,
        typer.Option(
            "--credentials-file",
            help="Withdrawal credentials (or pod addresses) to add to the adapter's.",
            dir_okay=False,
        ),
    ] = None,
    indices_file: Annotated[
        Path | None,
        typer.Option("--indices-file", help="Validator indices or pubkeys to add.", dir_okay=False),
    ] = None,
    rescan: Annotated[
        bool, typer.Option("--rescan", help="Rescan the whole validator set (skip the cache).")
    ] = False,
    csv: CsvFlag = False,
    wide: WideFlag = False,
    *,
    opts: GlobalOptions,
) -> None:
    """The validators behind a token: counts by status, slashed, balances, shortfall, per pod."""
    _check_formats(opts, csv)
    progress = _Progress("scanning validators")
    api = opts.api()
    summary = api.validator_summary(
        lrt,
        state=state,
        beacon_urls=beacon_url or (),
        cross_check=cross_check,
        credentials_file=credentials_file,
        indices_file=indices_file,
        rescan=rescan,
        progress=progress,
    )
    progress.clear()
    if csv:
        _write_csv(api.validators_csv(summary))
        return
    from ion_cli.commands._restaking_note import restaking_note

    # EigenLayer exposure beside the validators
    summary = summary.with_extra("restaking", restaking_note(opts, lrt))
    doc = dict(summary.document)
    opts.output.result(summary, lambda console: _render_summary(console, doc, wide))


# ---- tables ----


def _eth(gwei: int, places: int = 4) -> str:
    from decimal import ROUND_HALF_UP, Decimal

    value = (Decimal(gwei) / Decimal(10**9)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )
    return f"{value:,}"


def _epoch(value: int) -> str:
    from ion_cli.consensus_rules import FAR_FUTURE_EPOCH

    return "-" if value == FAR_FUTURE_EPOCH else str(value)


def _state_line(state: "StateRef", source: str, cross_checked: bool) -> str:
    finality = "finalized" if state.finalized else "not finalized"
    optimistic = ", [yellow]execution optimistic[/yellow]" if state.execution_optimistic else ""
    trust = (
        "cross-checked: the nodes agree on the finalized checkpoint"
        if cross_checked
        else "not cross-checked (one node's word; --cross-check with two or more --beacon-url)"
    )
    return (
        f"slot {state.slot} (epoch {state.epoch}), state root {state.state_root}, "
        f"{finality}{optimistic}; from {source}, {trust}"
    )


def _render_show(console: "Console", snapshot: "ValidatorSet", wide: bool = False) -> None:
    from ion_cli.render import print_rows

    rows = [
        (
            str(v.index),
            v.status,
            _eth(v.balance_gwei),
            _eth(v.effective_balance_gwei, 0),
            "yes" if v.slashed else "no",
            v.withdrawal_credentials,
            _epoch(v.exit_epoch),
        )
        for v in snapshot.validators
    ]
    headers = ("index", "status", "balance", "effective", "slashed", "credentials", "exit")
    print_rows(console, headers, rows, key=5, wide=wide, right=(2, 3, 6), title="Validators")
    line = _state_line(snapshot.state, snapshot.source, snapshot.cross_checked)
    console.print(f"[dim]{line}[/dim]")
    console.print("[dim]balances in ETH; --json for every field (pubkeys), exact in Gwei.[/dim]")


def _render_summary(console: "Console", doc: dict[str, Any], wide: bool = False) -> None:
    from ion_cli.beacon.snapshot import StateRef

    s = doc["state"]
    state = StateRef(
        slot=s["slot"],
        state_root=s["state_root"],
        block_root=s["block_root"],
        finalized=s["finalized"],
        execution_optimistic=s["execution_optimistic"],
    )
    complete = "" if doc["complete"] else " [yellow](incomplete: at least these)[/yellow]"
    console.print(f"[bold]{doc['symbol']}[/bold] validators: {doc['count']}{complete}")
    statuses = ", ".join(f"{k} {v}" for k, v in doc["by_status"].items()) or "none"
    creds = ", ".join(f"{k} {v}" for k, v in doc["credential_types"].items()) or "none"
    console.print(f"  by status: {statuses}")
    console.print(f"  slashed: {doc['slashed']}; credential types: {creds}")
    console.print(
        f"  balance {_eth(doc['balance_gwei'])} ETH, effective "
        f"{_eth(doc['effective_balance_gwei'], 0)} ETH, shortfall "
        f"{_eth(doc['shortfall_gwei'])} ETH"
    )
    from ion_cli.render import print_rows

    print_rows(
        console,
        ("withdrawal address", "pod", "validators", "slashed", "balance", "shortfall"),
        [
            (
                entry["address"],
                "yes" if entry["pod"] else "-",
                str(entry["count"]),
                str(entry["slashed"]),
                _eth(entry["balance_gwei"]),
                _eth(entry["shortfall_gwei"]),
            )
            for entry in doc["by_address"]
        ],
        wide=wide,
        right=(2, 3, 4, 5),
    )
    from ion_cli.commands._restaking_note import note_line

    restaking = note_line(doc.get("restaking"))
    if restaking:
        console.print(f"  {restaking}")
    for note in doc["notes"]:
        console.print(f"[dim]note: {note}[/dim]")
    line = _state_line(state, doc["source"], bool(doc.get("cross_checked")))
    console.print(f"[dim]{line}[/dim]")
    console.print(
        "[dim]ETH; shortfall: principal below 32 ETH lost to penalties and slashings.[/dim]"
    )
