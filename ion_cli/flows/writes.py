"""Shared steps of every write: the balance and allowance a plan needs, run the pipeline.
Calls are built by the contract wrappers (ion_cli.chain.contracts), nowhere else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ion_cli.chain.common_calls import approval_call
from ion_cli.chain.observer import Observer
from ion_cli.chain.plan import MAX_UINT256, Call, Plan
from ion_cli.errors import IonError, UsageError
from ion_cli.flows.figures import WAD, text
from ion_cli.flows.session import Session

if TYPE_CHECKING:
    from ion_cli.chain.execution import ExecutionResult
    from ion_cli.chain.rpc import Reader
    from ion_cli.results import LenderPosition, Position, WriteResult


@dataclass(frozen=True)
class WriteOptions:
    """How to carry out a write: confirmation, simulation only, approvals, timeouts, and who
    watches the pipeline (`observer`) and answers its question (`confirm`; without it and
    without `yes`, a write is refused)."""

    observer: Observer = field(default_factory=Observer)
    confirm: Callable[[str], bool] | None = None
    yes: bool = False
    dry_run: bool = False
    approve_max: bool = False
    force: bool = False
    confirmations: int = 1
    timeout: float = 120.0


def token_balance(reader: Reader, token: str, owner: str) -> int:
    from ion_cli.chain.contracts import ERC20

    return int(
        reader.read_one(ERC20(token).balanceOf(owner), "latest", f"reading the balance of {owner}")
    )


def require_balance(reader: Reader, token: str, owner: str, needed: int, symbol: str) -> None:
    have = token_balance(reader, token, owner)
    if have < needed:
        raise UsageError(
            f"insufficient {symbol} balance: {owner} has {text(have, WAD)}, "
            f"needs {text(needed, WAD)}"
        )


def approval_calls(
    reader: Reader,
    token: str,
    owner: str,
    spender: str,
    amount: int,
    symbol: str,
    spender_name: str,
    approve_max: bool,
) -> list[Call]:
    """An approval when the current allowance is short: exact unless --approve-max."""
    from ion_cli.chain.contracts import ERC20

    allowance = int(
        reader.read_one(
            ERC20(token).allowance(owner, spender), "latest", f"reading the {symbol} allowance"
        )
    )
    if allowance >= amount:
        return []
    value = MAX_UINT256 if approve_max else amount
    return [approval_call(token, spender, value, symbol, spender_name=spender_name)]


def run_plan(session: Session, plan: Plan, options: WriteOptions) -> ExecutionResult:
    from ion_cli.chain.pipeline import execute

    return execute(
        plan,
        w3=session.reader(),
        sender=session.account(),
        yes=options.yes,
        dry_run=options.dry_run,
        confirmations=options.confirmations,
        timeout=options.timeout,
        confirm=options.confirm,
        observer=options.observer,
    )


def result_document(
    session: Session,
    plan: Plan,
    result: ExecutionResult,
    options: WriteOptions,
    read_position: Callable[[], Position | LenderPosition],
) -> WriteResult:
    """What a write returns: the plan, what was sent, and the resulting position. Reading the
    position happens after the transactions are mined: if it fails, the result (with the
    hashes) is still returned, so nobody sends again to find out what happened."""
    from ion_cli.results import WriteResult

    position: Position | LenderPosition | None = None
    try:
        position = read_position()
    except Exception as exc:  # the write is done; only the read-back failed
        message = exc.message if isinstance(exc, IonError) else type(exc).__name__
        warning = f"sent, but the position could not be read back: {message}"
        options.observer.on_warning(warning)
    return WriteResult(
        plan=plan.to_json(), dry_run=options.dry_run, execution=result, position=position
    )
