"""`ion risk --lrt SYMBOL`: features, the model's score and haircut, the plain rule beside it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ion_cli.commands._write_options import _markets
from ion_cli.commands.base import GlobalOptions, command

if TYPE_CHECKING:
    from rich.console import Console

LRT_OPTION = typer.Option(
    "--lrt", help="The LRT (collateral symbol), e.g. weETH.", autocompletion=lambda: _markets()
)
STATE_OPTION = typer.Option(
    "--state", help="Beacon state: finalized, head, a slot or a root.", show_default=True
)
SNAPSHOT_OPTION = typer.Option(
    "--snapshot",
    help="Read the validators from a snapshot JSON file (as `ion prove` writes) instead of the "
    "beacon node.",
    exists=False,
)
BEACON_OPTION = typer.Option(
    "--beacon-url", envvar="ION_BEACON_URL", help="Beacon node URL (repeatable)."
)


def register(app: typer.Typer) -> None:
    @command(app, "risk", rich_help_panel="Risk proofs")
    def risk(
        lrt: Annotated[str, LRT_OPTION],
        state: Annotated[str, STATE_OPTION] = "finalized",
        what_if_slashed: Annotated[
            str | None,
            typer.Option(
                "--what-if-slashed",
                help="Apply a hypothetical slashing of N validators (or P% of them) and show its "
                "effect on the reserve rate and on each vault.",
                metavar="N|P%",
            ),
        ] = None,
        address: Annotated[
            list[str] | None,
            typer.Option(
                "--address",
                help="Vault owner (address or account name) for --what-if-slashed; repeatable "
                "(default: the account).",
            ),
        ] = None,
        snapshot: Annotated[Path | None, SNAPSHOT_OPTION] = None,
        beacon_url: Annotated[list[str] | None, BEACON_OPTION] = None,
        *,
        opts: GlobalOptions,
    ) -> None:
        """The consensus-layer risk of the validators behind an LRT (no proof)."""
        report = opts.api().risk(
            lrt,
            state=state,
            snapshot_file=snapshot,
            beacon_urls=beacon_url or (),
            what_if_slashed=what_if_slashed,
            addresses=address or (),
            progress=opts.output.info,
        )
        doc = dict(report.document)
        opts.output.result(report, lambda console: render_risk(console, doc))


def render_risk(console: Console, doc: dict[str, Any]) -> None:
    from rich.table import Table

    s = doc["state"]
    console.print(
        f"{doc['lrt']}: {doc['validators']} validators at slot {s['slot']} "
        f"({'finalized' if s['finalized'] else 'not finalized'}), state root {s['state_root']}"
    )
    if not doc["complete"]:
        console.print("[yellow]incomplete validator set: the figures understate the risk[/]")
    table = Table("feature", "value", "q (/1024)", "from the sums")
    f = doc["features"]
    committed = doc.get("committed_snapshot") or {}
    from_sums = committed.get("features_from_sums") or [None] * len(f["names"])
    for name, value, q, q2 in zip(f["names"], f["values"], f["quantized"], from_sums, strict=True):
        table.add_row(name, f"{value:.4f}", str(q), "" if q2 is None else str(q2))
    console.print(table)
    if committed:
        sums = committed["sums"]
        console.print(
            f"committed snapshot: {sums['leaves']} leaves, {sums['live']} live, "
            f"{sums['live_effective'] / 1e9:,.0f} ETH effective (the feed recomputes the "
            "features from these sums on chain)"
        )
    m, r = doc["model"], doc["rule"]
    console.print(f"model: score {m['p']:.4f}, haircut {_pct(m['haircut'])}")
    console.print(
        f"rule:  loss {r['fraction'] * 100:.4f}% of the set's effective balance "
        f"(shortfall {r['shortfall_gwei'] / 1e9:.4f} ETH, correlation penalty still to come "
        f"{r['correlation_pending_gwei'] / 1e9:.4f} ETH), haircut {_pct(r['haircut'])}"
    )
    console.print("the model is a surrogate of the rule, proven in zk; the rule is the reference")
    w = doc.get("what_if")
    if not w:
        return
    a = w["after"]
    console.print(
        f"\nwhat if {w['slashed']} of {w['slashable']} slashable validators were slashed: "
        f"added loss {w['added_loss'] * 100:.4f}%, model haircut {_pct(a['model']['haircut'])}, "
        f"rule haircut {_pct(a['rule']['haircut'])}"
    )
    console.print(f"reserve rate {w['reserve_rate_before']} -> {w['reserve_rate_after']}")
    vt = Table("vault", "debt", "health now", "health after", "slashings to liquidation")
    for v in w["vaults"]:
        n = v.get("slashings_to_liquidation")
        if v["health_before"] is None:
            to_liq = "no debt"
        elif n is None:
            to_liq = "not even all of them"
        else:
            to_liq = f"{n} ({v['share_to_liquidation']})"
        vt.add_row(
            v["address"],
            v["debt"],
            _health(v["health_before"]),
            _health(v["health_after"]) + (" LIQUIDATABLE" if v["liquidatable_after"] else ""),
            to_liq,
        )
    console.print(vt)
    console.print(f"assumes {w['assumption']}")


def _pct(ratio: str) -> str:
    """A ratio of the report ("0.000168") as people read it: 0.0168%."""
    from ion_cli.render import fmt_pct

    return fmt_pct(ratio, 4)


def _health(value: str | None) -> str:
    return "-" if value is None else f"{float(value):.4f}"
