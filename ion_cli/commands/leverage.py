"""Leverage commands: `ion leverage`, `ion deleverage`, `ion apply PLAN_FILE`."""

from __future__ import annotations

from typing import Annotated

import typer

from ion_cli.commands._write_options import NEGATIVE_AMOUNTS, Force, MarketArg, run_write
from ion_cli.commands.base import GlobalOptions, command

Slippage = Annotated[
    str,
    typer.Option("--max-slippage", help="Worst price move accepted: 0.5%, 0.005.", metavar="PCT"),
]
Deadline = Annotated[
    str | None,
    typer.Option(
        "--deadline",
        help=(
            "The handler refuses after this long: 30s, 10m, 1h [default: 10m; 1d with "
            "--unsigned, for the Safe's owners to sign]."
        ),
        show_default=False,
    ),
]
PlanOut = Annotated[
    str | None,
    typer.Option(
        "--plan-out",
        help="Write the plan (calls, quotes, bounds) to FILE and send nothing; `ion apply` it.",
        metavar="FILE",
    ),
]


def _plan_file(plan_out: str | None, opts: GlobalOptions) -> dict[str, str]:
    """A plan written is named on stderr with the command that sends it."""
    if plan_out is None:
        return {}
    if opts.unsigned is not None:
        from ion_cli.errors import UsageError

        raise UsageError("--plan-out and --unsigned both write the plan: give one")
    import shlex

    return {"wrote": plan_out, "next_command": f"ion apply {shlex.quote(plan_out)}"}


def register(app: typer.Typer) -> None:
    @command(
        app,
        "leverage",
        rich_help_panel="Borrow",
        context_settings=NEGATIVE_AMOUNTS,
        signing=True,
        batch=True,
    )
    def leverage(
        market: MarketArg,
        deposit: Annotated[
            str, typer.Option("--deposit", help="Collateral to bring from the wallet (0: none).")
        ] = "0",
        to: Annotated[
            str | None, typer.Option("--to", help="Target leverage: 3x.", metavar="LEVERAGE")
        ] = None,
        ltv: Annotated[
            str | None, typer.Option("--ltv", help="Target loan-to-value instead: 0.7 or 70%.")
        ] = None,
        max_slippage: Slippage = "0.5%",
        deadline: Deadline = None,
        mode: Annotated[
            str, typer.Option("--mode", help="flash (one transaction) or loop (step by step).")
        ] = "flash",
        plan_out: PlanOut = None,
        force: Force = False,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Lever a vault up to a target leverage or LTV, with a preview before signing."""
        run_write(
            opts,
            lambda ion: ion.leverage(
                market,
                deposit,
                to=to,
                ltv=ltv,
                max_slippage=max_slippage,
                deadline=deadline,
                mode=mode,
                plan_out=plan_out,
                force=force,
            ),
            **_plan_file(plan_out, opts),
        )

    @command(
        app,
        "deleverage",
        rich_help_panel="Borrow",
        context_settings=NEGATIVE_AMOUNTS,
        signing=True,
        batch=True,
    )
    def deleverage(
        market: MarketArg,
        to: Annotated[
            str | None, typer.Option("--to", help="Target leverage: 1.5x.", metavar="LEVERAGE")
        ] = None,
        repay: Annotated[
            str | None, typer.Option("--repay", help="Debt to repay by selling collateral.")
        ] = None,
        close: Annotated[
            bool, typer.Option("--close", help="Repay to exactly zero debt; collateral back.")
        ] = False,
        max_slippage: Slippage = "0.5%",
        deadline: Deadline = None,
        plan_out: PlanOut = None,
        force: Force = False,
        *,
        opts: GlobalOptions,
    ) -> None:
        """Lower a vault's leverage, repay part of its debt, or close it, selling collateral."""
        run_write(
            opts,
            lambda ion: ion.deleverage(
                market,
                to=to,
                repay=repay,
                close=close,
                max_slippage=max_slippage,
                deadline=deadline,
                plan_out=plan_out,
                force=force,
            ),
            **_plan_file(plan_out, opts),
        )

    @command(app, "apply", rich_help_panel="Borrow", signing=True)
    def apply(
        plan_file: Annotated[str, typer.Argument(help="A plan written by --plan-out.")],
        *,
        opts: GlobalOptions,
    ) -> None:
        """Send a plan file after re-checking it against the chain (refused if it moved)."""
        run_write(opts, lambda ion: ion.apply(plan_file))
