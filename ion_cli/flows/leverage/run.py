"""Running a built plan: simulate and write a plan file, or send it and read the vault back;
after a close, sweep what the slippage bound kept back."""

from __future__ import annotations

from typing import Any

from ion_cli.chain.market_state import read_market, read_vault
from ion_cli.flows.installed import require_market
from ion_cli.flows.leverage.context import Built
from ion_cli.flows.leverage.deleverage import build_deleverage
from ion_cli.flows.leverage.lever import build_leverage
from ion_cli.flows.leverage.requests import DeleverageRequest, LeverageRequest
from ion_cli.flows.position import position_figures
from ion_cli.flows.session import Session
from ion_cli.flows.writes import WriteOptions, result_document, run_plan
from ion_cli.results import Position, WriteResult

# ---- running --------------------------------------------------------------------------------


def run_built(
    session: Session,
    built: Built,
    options: WriteOptions,
    plan_out: Any = None,
    request: LeverageRequest | DeleverageRequest | None = None,
) -> WriteResult:
    """Write the plan file (simulating, nothing sent), or run the plan and read the vault back."""
    if plan_out is not None:
        from dataclasses import replace

        from ion_cli.flows.leverage.plan_file import save_plan

        dry = replace(options, dry_run=True)
        result = run_plan(session, built.plan, dry)
        assert request is not None  # a plan file holds the inputs it is rebuilt from
        save_plan(plan_out, built, request)
        return WriteResult(plan=built.plan.to_json(), dry_run=True, execution=result, position=None)
    result = run_plan(session, built.plan, options)
    ctx = built.ctx

    def read_back() -> Position:
        if options.dry_run:  # nothing was sent: the position is the one the plan was built on
            return position_figures(
                ctx.market, ctx.vault, session.safety_margin, session.profile.name
            )
        fresh = read_market(session.reader(), session.profile, require_market(session, ctx.symbol))
        return position_figures(
            fresh,
            read_vault(session.reader(), session.profile, fresh, ctx.me),
            session.safety_margin,
            session.profile.name,
        )

    return result_document(session, built.plan, result, options, read_back)


def _check_plan_out(plan_out: Any) -> None:
    """--plan-out is checked before anything is read: a device, FIFO or directory is refused."""
    if plan_out is not None:
        from pathlib import Path

        from ion_cli.atomic import check_output

        check_output(Path(plan_out), "plan file")


def leverage(
    session: Session, request: LeverageRequest, options: WriteOptions, plan_out: Any = None
) -> WriteResult:
    _check_plan_out(plan_out)
    built = build_leverage(session, request, options.force)
    return run_built(session, built, options, plan_out, request)


def deleverage(
    session: Session, request: DeleverageRequest, options: WriteOptions, plan_out: Any = None
) -> WriteResult:
    _check_plan_out(plan_out)
    built = build_deleverage(session, request, options.force)
    result = run_built(session, built, options, plan_out, request)
    if plan_out is None and request.close and not options.dry_run:
        result = _sweep(session, built, options, result)
    return result


def _sweep(
    session: Session, built: Built, options: WriteOptions, result: WriteResult
) -> WriteResult:
    """After a close: collateral the slippage bound kept back goes to the wallet too."""
    position = result.position
    if not isinstance(position, Position) or position.collateral in (0, None):
        return result
    if position.debt not in (0, None):
        return result
    from ion_cli.flows import vault

    swept = vault.withdraw(session, built.ctx.symbol, None, options)
    return WriteResult(
        plan=result.plan,
        dry_run=result.dry_run,
        execution=result.execution,
        position=swept.position,
        followups=[swept.execution] if swept.execution is not None else [],
    )
