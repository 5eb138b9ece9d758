"""`ion plugins list|check`: the per-token adapters installed (entry points `ion.adapters`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from ion_cli.commands.base import GlobalOptions, command
from ion_cli.errors import IonError

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(
    help="Per-token adapters (LRT plugins): list them, check them.",
    no_args_is_help=True,
)


def _table(title: str, columns: list[str], rows: list[list[str]]) -> Any:
    from rich.table import Table

    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    return table


@command(app, "list")
def list_plugins(opts: GlobalOptions) -> None:
    """List installed adapters: name, distribution, version, API version, status."""
    from ion_cli.plugins_registry import registry

    results = registry().load_results()
    data = [
        {
            "name": r.info.name,
            "distribution": r.info.distribution,
            "version": r.info.version,
            "api_version": r.api_version,
            "status": r.status,
        }
        for r in results
    ]

    def render(console: Console) -> None:
        if not data:
            console.print("no adapters installed (entry-point group ion.adapters)")
            return
        rows = [
            [
                str(d["name"]),
                str(d["distribution"]),
                str(d["version"]),
                str(d["api_version"]),
                str(d["status"]),
            ]
            for d in data
        ]
        columns = ["name", "distribution", "version", "api", "status"]
        console.print(_table("adapters", columns, rows))

    opts.output.result(data, render)


@command(app, "check")
def check_plugins(opts: GlobalOptions) -> None:
    """Load and validate every adapter offline; exit non-zero naming any that fails."""
    from ion_cli.plugins_registry import offline_problems, registry

    reg = registry()
    data: list[dict[str, Any]] = []
    for r in reg.load_results():
        problems = [str(r.error)] if r.adapter is None else offline_problems(r.info.name, r.adapter)
        data.append(
            {
                "name": r.info.name,
                "symbol": reg.symbol(r.info.name),
                "distribution": r.info.distribution,
                "version": r.info.version,
                "ok": not problems,
                "problems": problems,
            }
        )

    def render(console: Console) -> None:
        rows = [
            [
                d["name"],
                d["symbol"],
                str(d["distribution"]),
                str(d["version"]),
                "ok" if d["ok"] else "; ".join(d["problems"]),
            ]
            for d in data
        ]
        columns = ["name", "symbol", "distribution", "version", "result"]
        console.print(_table("adapter check", columns, rows))

    if not data:
        opts.output.warn("no adapters installed (entry-point group ion.adapters)")
    opts.output.result(data, render)
    failed = [d["name"] for d in data if not d["ok"]]
    if failed:
        raise IonError(f"adapter check failed: {', '.join(failed)}")
