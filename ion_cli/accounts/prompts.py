"""Hidden prompts on stderr, and the rule that a missing terminal is a clear error, not a hang.

The prompt itself is the edge's (the CLI passes its terminal prompt in `Sources.ask_hidden`):
this layer only decides whether one may be asked."""

from __future__ import annotations

import sys

from ion_cli.accounts.sources import AskHidden
from ion_cli.errors import RefusedError, UsageError


def is_interactive() -> bool:
    """Whether a person can answer a prompt (tests replace this to drive prompts with input=)."""
    return sys.stdin.isatty()


def ask_hidden(
    text: str,
    *,
    hint: str,
    confirm: bool = False,
    ask: AskHidden | None,
    params: tuple[str, ...] = (),
) -> str:
    """Ask for a secret without echo through `ask`; without a terminal (or without a prompt
    handed in) raise UsageError carrying `hint` (naming `params`, see IonError)."""
    if ask is None or not is_interactive():
        raise UsageError(f"{hint} (no terminal to prompt on)", params=params)
    return ask(text, confirm)


def confirm(text: str, *, hint: str) -> None:
    """Ask yes/no on stderr; "no", end of input or no terminal raise RefusedError.

    Read by hand rather than with typer's confirm, which writes part of its prompt to stdout (a
    workaround for readline) and so would put a stray space into a piped result.
    """
    if not is_interactive():
        raise RefusedError(f"{hint} (no terminal to confirm on)")
    sys.stderr.write(f"{text} [y/N]: ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in {"y", "yes"}:
        raise RefusedError("declined: nothing changed")
