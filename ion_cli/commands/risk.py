"""`ion risk --lrt SYMBOL`: features, the model's score and haircut, the plain rule beside it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ion_cli.commands._write_options import _markets
from ion_cli.commands.base import GlobalOptions, command
from ion_cli.readable import figure, scaled

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
        what_if_avs_slashed: Annotated[
            str | None,
            typer.Option(
                "--what-if-avs-slashed",
                help="Apply a hypothetical AVS slash (P% of each allocation to the AVS, for "
                "every operator the LRT delegates to) and show its effect on the reserve rate "
                "and on each vault.",
                metavar="AVS:P%",
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
            what_if_avs_slashed=what_if_avs_slashed,
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
        table.add_row(name, figure(value, 4), str(q), "" if q2 is None else str(q2))
    console.print(table)
    if committed:
        sums = committed["sums"]
        console.print(
            f"committed snapshot: {sums['leaves']} leaves, {sums['live']} live, "
            f"{scaled(sums['live_effective'], 9, 0)} ETH effective (the feed recomputes the "
            "features from these sums on chain)"
        )
    _render_restaking(console, doc)
    m, r = doc["model"], doc["rule"]
    console.print(f"model: score {figure(m['p'], 4)}, haircut {_pct(m['haircut'])}")
    console.print(
        f"rule:  loss {_pct(r['fraction'])} of the set's effective balance "
        f"(shortfall {scaled(r['shortfall_gwei'], 9, 4)} ETH, correlation penalty still to come "
        f"{scaled(r['correlation_pending_gwei'], 9, 4)} ETH) + realized AVS loss "
        f"{_pct(r.get('avs_loss_fraction', 0))}, haircut {_pct(r['haircut'])}"
    )
    console.print("the model is a surrogate of the rule, proven in zk; the rule is the reference")
    _render_avs_what_if(console, doc.get("what_if_avs"))
    w = doc.get("what_if")
    if not w:
        return
    a = w["after"]
    console.print(
        f"\nwhat if {w['slashed']} of {w['slashable']} slashable validators were slashed: "
        f"added loss {_pct(w['added_loss'])}, model haircut {_pct(a['model']['haircut'])}, "
        f"rule haircut {_pct(a['rule']['haircut'])}"
    )
    console.print(
        f"reserve rate {figure(w['reserve_rate_before'])} -> {figure(w['reserve_rate_after'])}"
    )
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
            figure(v["debt"]),
            _health(v["health_before"]),
            _health(v["health_after"]) + (" LIQUIDATABLE" if v["liquidatable_after"] else ""),
            to_liq,
        )
    console.print(vt)
    console.print(f"assumes {w['assumption']}")


def _pct(ratio: object) -> str:
    """A ratio of the report ("0.000168", or a float the model computed) as people read it:
    0.0168%."""
    from ion_cli.render import fmt_pct

    return fmt_pct(figure(ratio, grouping=False) if isinstance(ratio, float) else str(ratio), 4)


def _health(value: str | None) -> str:
    return "-" if value is None else figure(value, 4)


def _render_restaking(console: Console, doc: dict[str, Any]) -> None:
    """The restaking features beside the beacon ones (their pinned block and window)."""
    from rich.table import Table

    r = doc.get("restaking")
    if not r:
        return
    if doc.get("restaking_unread"):
        console.print(f"[yellow]restaking features not read: {doc['restaking_unread']}[/]")
    table = Table("restaking feature", "value", "q (/1024)")
    for name, value, q in zip(r["names"], r["values"], r["quantized"], strict=True):
        table.add_row(name, figure(value, 4), str(q))
    console.print(table)
    counted = "counted" if r["counts_loss"] else "not counted: the LRT's rate reflects it"
    console.print(
        f"at block {r['pinned_block']} (window {r['window_blocks']} blocks): "
        f"{scaled(r['held_wei'], 18, 4)} ETH restaked, {scaled(r['lost_wei'])} ETH "
        f"lost to AVS slashes ({counted}); {len(r['operators'])} operator(s)"
    )


def _render_avs_what_if(console: Console, w: dict[str, Any] | None) -> None:
    from rich.table import Table

    if not w:
        return
    a = w["after"]
    console.print(
        f"\nwhat if {w['avs']} slashed {_pct(w['share'])} of each allocation: "
        f"{len(w['operators'])} operator(s) of the LRT hit, added loss "
        f"{_pct(w['added_loss'])}, model haircut {_pct(a['model']['haircut'])}, "
        f"rule haircut {_pct(a['rule']['haircut'])}"
    )
    console.print(
        f"reserve rate {figure(w['reserve_rate_before'])} -> {figure(w['reserve_rate_after'])}"
    )
    vt = Table("vault", "debt", "health now", "health after")
    for v in w["vaults"]:
        vt.add_row(
            v["address"],
            figure(v["debt"]),
            _health(v["health_before"]),
            _health(v["health_after"]) + (" LIQUIDATABLE" if v["liquidatable_after"] else ""),
        )
    console.print(vt)
    console.print(f"assumes {w['assumption']}")
