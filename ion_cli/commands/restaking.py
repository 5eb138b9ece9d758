"""`ion restaking --lrt SYMBOL [--since 30d]`: the operators and AVSs an LRT's ETH is exposed to."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ion_cli.commands.base import GlobalOptions, command
from ion_cli.readable import scaled

if TYPE_CHECKING:
    from ion_cli.restaking_results import RestakingExposure


def register(app: typer.Typer) -> None:
    @command(app, "restaking", rich_help_panel="Risk")
    def restaking(
        lrt: Annotated[str, typer.Option("--lrt", help="The LRT (ezETH, rsETH, weETH, rswETH).")],
        since: Annotated[
            str, typer.Option("--since", help="Window for slashes: 30d, 12h, 600s.")
        ] = "30d",
        wide: Annotated[
            bool, typer.Option("--wide", help="One table row per operator set however wide.")
        ] = False,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Per operator: its operator sets (AVS, id), magnitude allocated over max, the LRT's
        slashable ETH in each, slashes in the window and each pod's beacon-chain slashing
        factor; totals: the share slashable by any AVS, by how many AVSs, the largest
        single-AVS exposure, queued withdrawals still slashable, pending allocation changes."""
        result = opts.api().restaking(lrt, since=since)
        opts.output.result(result, lambda console: render(console, result, wide))


def _eth(wei: int) -> str:
    from ion_cli.amounts import format_amount

    return format_amount(wei, 18, places=4)


def _pct(value: Any) -> str:
    from ion_cli.render import fmt_pct

    return fmt_pct(value if isinstance(value, Decimal) else Decimal(str(value)), 2)


def render(console: Any, r: RestakingExposure, wide: bool = False) -> None:
    from ion_cli.render import print_rows

    console.print(
        f"{r.lrt} restaking on {r.network} at block {r.block} (slashes since block {r.since_block})"
    )
    if not r.complete:
        console.print(f"incomplete: the sources do not settle {', '.join(r.unknown)}")
    for note in r.notes:
        console.print(f"note: {note}")
    for op in r.operators:
        console.print(
            f"operator {op.operator}: {_eth(op.lrt_withdrawable_wei)} ETH of {r.lrt} "
            f"(of {_eth(op.operator_shares_wei)}), "
            f"max magnitude {_pct(Decimal(op.max_magnitude).scaleb(-18))}, "
            f"slashed in window {_pct(op.slashed_in_window)} "
            f"({_eth(op.lrt_slashed_in_window_wei)} ETH of {r.lrt})"
        )
        rows = []
        for s in op.sets:
            pending = (
                f"{scaled(s.pending_diff, places=4, sign=True)} @ {s.effect_block}"
                if s.pending_diff
                else "-"
            )
            slashes = ", ".join(
                f"{scaled(x.wad_slashed, places=4)} ({_eth(x.lrt_lost_wei)} ETH)" for x in s.slashes
            )
            rows.append(
                (
                    s.avs,
                    str(s.id),
                    _pct(Decimal(s.magnitude) / Decimal(s.max_magnitude))
                    if s.max_magnitude
                    else "0",
                    _eth(s.lrt_slashable_wei),
                    pending,
                    slashes or "-",
                )
            )
        headers = ("AVS", "set", "allocated", f"{r.lrt} slashable ETH", "pending", "slashes")
        print_rows(console, headers, rows, wide=wide, right=(1, 2, 3, 4, 5))
        for pod in op.pods:
            console.print(
                f"  {pod.kind} {pod.staker} pod {pod.pod or '-'}: beacon-chain slashing factor "
                f"{scaled(pod.beacon_chain_slashing_factor, places=4)}"
            )
    largest = r.largest_avs
    console.print(
        f"slashable by any AVS: {_eth(r.slashable_any_wei)} of {_eth(r.total_restaked_wei)} ETH "
        f"({_pct(r.slashable_share)}), by {r.avs_count} AVS(s)"
        + (f"; largest single AVS {largest[0]}: {_eth(largest[1])} ETH" if largest else "")
    )
    console.print(
        f"queued withdrawals still slashable: {_eth(r.queued_slashable_wei)} ETH of {r.lrt} "
        f"({_eth(r.operators_queued_slashable_wei)} ETH behind these operators, all stakers)"
    )
    for p in r.pending:
        hours = max(p.effect_block - r.block, 0) * 12 / 3600  # 12 s slots
        console.print(
            f"pending: {p.operator} -> {p.avs}/{p.id} "
            f"{scaled(p.pending_diff, places=4, sign=True)} at block "
            f"{p.effect_block} (in about {hours:.1f} h; {_eth(p.lrt_slashable_change_wei)} ETH "
            f"of {r.lrt} slashable)"
        )
