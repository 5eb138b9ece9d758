"""Options and the body shared by the write commands (beyond the global options)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from ion_cli.api import Ion
    from ion_cli.commands.base import GlobalOptions
    from ion_cli.errors import IonError
    from ion_cli.results import WriteResult

MarketArg = Annotated[
    str,
    typer.Argument(
        help="Market, by collateral symbol (weETH, rsETH, rswETH, ezETH); case-insensitive.",
        autocompletion=lambda: _markets(),
        show_default=False,
    ),
]
ApproveMax = Annotated[
    bool,
    typer.Option(
        "--approve-max", help="Approve an unlimited allowance instead of the exact amount."
    ),
]
Force = Annotated[
    bool,
    typer.Option("--force", help="Allow a position within the safety margin of liquidation."),
]


def _markets() -> list[str]:
    from ion_cli.completion_data import market_names

    return market_names()


# Lets "-1" reach the amount parser (which says negatives are not amounts) instead of being
# taken for an unknown option.
NEGATIVE_AMOUNTS = {"ignore_unknown_options": True}


def run_write(
    opts: GlobalOptions,
    write: Callable[[Ion], WriteResult],
    *,
    wrote: str | None = None,
    next_command: str | None = None,
) -> None:
    """The body every write command shares: call the API (which renders its stages on stderr
    through the terminal observer), then print the result. With --json a failure prints the
    result document too, with its `error` (and the hashes of any step already sent). `wrote`:
    the file the write produced, named on stderr with `next_command`."""
    from ion_cli.commands.render_position import print_write_result
    from ion_cli.errors import IonError

    try:
        if opts.unsigned is not None:  # --unsigned: a Safe batch, nothing signed
            from ion_cli.commands._safe_render import print_batch, unsigned_next

            batch = opts.api().unsigned(opts.unsigned, write, safe=opts.safe)
            if batch.batch_file is not None:
                opts.output.wrote(batch.batch_file, unsigned_next(batch))
            print_batch(opts, batch)
            return
        result = write(opts.api())
    except IonError as exc:
        if opts.json:
            opts.output.result(failure_document(opts, exc))
        raise
    if wrote is not None:
        opts.output.wrote(wrote, next_command)
    from ion_cli.safe_results import SafeApplyResult

    if isinstance(result, SafeApplyResult):
        from ion_cli.commands._safe_render import print_applied

        print_applied(opts, result)
        return
    print_write_result(opts, result)


def failure_document(opts: GlobalOptions, error: IonError) -> WriteResult:
    from ion_cli.errors import PlanFailed
    from ion_cli.redact import scrub
    from ion_cli.results import ErrorInfo, WriteResult

    execution = error.result if isinstance(error, PlanFailed) else None
    plan = execution.plan if execution is not None else None
    return WriteResult(
        plan=plan.to_json() if plan is not None else None,
        dry_run=opts.dry_run,
        execution=execution,
        position=None,
        error=ErrorInfo(
            message=scrub(" ".join(error.message.split())),
            exit_code=error.exit_code,
            kind=type(error).__name__,
        ),
    )
