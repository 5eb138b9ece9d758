"""Errors that end a command with one line on stderr and a documented exit code.

Every failure a user can cause or meet (bad input, a node that is down, a revert) is raised as an
`IonError`; the command wrapper in `ion_cli.commands.base` prints `error: <message>` and exits with
`exit_code`. Anything else is a bug, still reported in one line (set ION_DEBUG=1 for the traceback).
"""

from __future__ import annotations


class ExitCode:
    """Exit codes, documented in the README."""

    OK = 0
    FAILURE = 1  # a transaction reverted, a plugin failed, or another runtime failure
    USAGE = 2  # bad input: amount, address, market, account, file, option
    REFUSED = 3  # refused for safety (unsafe position, declined confirmation, wrong chain)
    NODE = 4  # the node (RPC or beacon) is unreachable or answered an error
    NOT_RUNNING = 5  # the devnet is not running


class IonError(Exception):
    exit_code = ExitCode.FAILURE

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


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
