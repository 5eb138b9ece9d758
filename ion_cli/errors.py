"""Errors that end a command with one line on stderr and a documented exit code.

Every failure a user can cause or meet (bad input, a node that is down, a revert) is raised as an
`IonError`; the command wrapper in `ion_cli.commands.base` prints `error: <message>` and exits with
`exit_code`. Anything else is a bug, still reported in one line (set ION_DEBUG=1 for the traceback).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

# What a failed plan carries: the chain layer's ExecutionResult (ion_cli.chain.execution). A
# type parameter, not an import: this module is the bottom of the house and imports nothing.
R = TypeVar("R")


class ExitCode:
    """Exit codes, documented in the README."""

    OK = 0
    FAILURE = 1  # a transaction reverted, a plugin failed, or another runtime failure
    USAGE = 2  # bad input: amount, address, market, account, file, option
    REFUSED = 3  # refused for safety (unsafe position, declined confirmation, wrong chain)
    NODE = 4  # the node (RPC or beacon) is unreachable or answered an error
    NOT_RUNNING = 5  # the devnet is not running


class IonError(Exception):
    """`params`: the parameters the message names, each in backticks as the Python API spells
    it (`max_slippage`), so the API's errors speak of its parameters; `spelled()` names them as
    another front end does (the CLI: `--max-slippage`)."""

    exit_code = ExitCode.FAILURE

    def __init__(
        self, message: str, *, exit_code: int | None = None, params: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.params = params
        if exit_code is not None:
            self.exit_code = exit_code

    def spelled(self, spell: Callable[[str], str]) -> str:
        """The message with each named parameter spelled by `spell` (its name -> the text)."""
        text = self.message
        for name in self.params:
            text = text.replace(f"`{name}`", spell(name))
        return text


class UsageError(IonError):
    """The user's input is wrong: fix the command line."""

    exit_code = ExitCode.USAGE


class RefusedError(IonError):
    """ion refuses to act: the action is unsafe, or the user declined."""

    exit_code = ExitCode.REFUSED


class NodeError(IonError):
    """The node cannot be reached, or answered with an error."""

    exit_code = ExitCode.NODE


class DevnetNotRunning(IonError):
    exit_code = ExitCode.NOT_RUNNING


class TransactionReverted(IonError):
    """A simulation or a sent transaction reverted; the message carries the decoded error."""

    exit_code = ExitCode.FAILURE


class PlanFailed(IonError, Generic[R]):
    """A plan stopped after the pipeline prepared it: `.result` is the whole execution so far
    (an `ion_cli.chain.execution.ExecutionResult`: every step, with the hash, nonce and receipt
    of those already sent). The pipeline raises the subclass that keeps the cause's family (a
    revert is still a `TransactionReverted`)."""

    def __init__(self, message: str, *, result: R, exit_code: int | None = None) -> None:
        super().__init__(message, exit_code=exit_code)
        self.result = result


class StepReverted(PlanFailed[R], TransactionReverted):
    """A step reverted (mined with status 0, or its estimate just before signing reverted)."""


class PlanNodeFailure(PlanFailed[R], NodeError):
    """The node failed mid-plan (a send that may or may not have arrived, an error answer)."""


class PlanRefused(PlanFailed[R], RefusedError):
    """The plan was refused after the prepare stage (not confirmed, a mismatched key)."""


def plan_failed(error: IonError, result: R) -> PlanFailed[R]:
    """`error` as the PlanFailed of its family, carrying `result` (the same message and code)."""
    if isinstance(error, PlanFailed):
        error.result = result
        return error
    cls: type[PlanFailed[Any]] = PlanFailed
    if isinstance(error, TransactionReverted):
        cls = StepReverted
    elif isinstance(error, NodeError):
        cls = PlanNodeFailure
    elif isinstance(error, RefusedError):
        cls = PlanRefused
    failed = cls(error.message, result=result, exit_code=error.exit_code)
    failed.__cause__ = error.__cause__
    return failed
