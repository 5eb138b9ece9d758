"""`ion validators`: validator state from the beacon chain (show, summary).

Thin: parse the options, call ion_cli.flows.validators, render. Every output (table, --json,
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

    from ion_cli.beacon.snapshot import Snapshot, StateRef
    from ion_cli.flows.validators import BeaconOptions

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


def _options(
    opts: GlobalOptions, urls: list[str] | None, cross_check: bool, progress: _Progress
) -> "BeaconOptions":
    from ion_cli.flows.validators import BeaconOptions

    def warn(message: str) -> None:
        progress.clear()
        opts.output.warn(message)

    return BeaconOptions(
        urls=list(urls or []),
        network=opts.network,
        cross_check=cross_check,
        progress=progress,
        warn=warn,
    )


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
    *,
    opts: GlobalOptions,
) -> None:
    """Show validators: status, balance, effective balance, slashed, epochs."""
    from ion_cli.flows import validators as flow

    _check_formats(opts, csv)
    wanted = flow.collect_ids(ids or [], from_file)
    progress = _Progress("fetching validators")
    snapshot = flow.show(wanted, state, _options(opts, beacon_url, cross_check, progress))
    progress.clear()
    if csv:
        _write_csv(flow.snapshot_csv_rows(snapshot))
        return
    from ion_cli.validator_results import ValidatorSet

    opts.output.result(ValidatorSet.of(snapshot), lambda console: _render_show(console, snapshot))


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
    *,
    opts: GlobalOptions,
) -> None:
    """The validators behind a token: counts by status, slashed, balances, shortfall, per pod."""
    from ion_cli.flows import validators as flow

    _check_formats(opts, csv)
    progress = _Progress("scanning validators")
    doc = flow.summary(
        lrt,
        state,
        _options(opts, beacon_url, cross_check, progress),
        rpc_url=opts.rpc_url,
        credentials_file=credentials_file,
        indices_file=indices_file,
        rescan=rescan,
    )
    progress.clear()
    if csv:
        _write_csv(flow.summary_csv_rows(doc))
        return
    from ion_cli.commands._restaking_note import restaking_note

    doc["restaking"] = restaking_note(opts, lrt)  # EigenLayer exposure beside the validators
    opts.output.result(doc, lambda console: _render_summary(console, doc))


# ---- tables ----


def _eth(gwei: int, places: int = 4) -> str:
    from decimal import ROUND_HALF_UP, Decimal

    value = (Decimal(gwei) / Decimal(10**9)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )
    return f"{value:,}"


def _short(hex_text: str) -> str:
    """The address part of a credential (or an address), shortened: 0xcc70a97f…640d615b."""
    body = hex_text[-40:]
    return f"0x{body[:8]}…{body[-8:]}"


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


def _table(title: str, headers: list[str]) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        collapse_padding=True,
    )
    for i, header in enumerate(headers):
        table.add_column(header, justify="left" if i < 2 else "right", no_wrap=True)
    return table


def _render_show(console: "Console", snapshot: "Snapshot") -> None:
    table = _table(
        "Validators",
        ["index", "status", "balance", "effective", "slashed", "credentials", "exit"],
    )
    for v in snapshot.validators:
        table.add_row(
            str(v.index),
            v.status,
            _eth(v.balance),
            _eth(v.effective_balance, 0),
            "[red]yes[/red]" if v.slashed else "no",
            f"{v.credential_type}…{v.withdrawal_credentials[-8:]}",
            _epoch(v.exit_epoch),
        )
    console.print(table)
    line = _state_line(snapshot.state, snapshot.source, snapshot.cross_checked)
    console.print(f"[dim]{line}[/dim]")
    console.print("[dim]balances in ETH; --json for every field (pubkeys), exact in Gwei.[/dim]")


def _render_summary(console: "Console", doc: dict[str, Any]) -> None:
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
    table = _table(
        "", ["withdrawal address", "pod", "validators", "slashed", "balance", "shortfall"]
    )
    for entry in doc["by_address"]:
        table.add_row(
            _short(entry["address"]),
            "yes" if entry["pod"] else "-",
            str(entry["count"]),
            str(entry["slashed"]),
            _eth(entry["balance_gwei"]),
            _eth(entry["shortfall_gwei"]),
        )
    console.print(table)
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
