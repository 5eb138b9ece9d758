"""The terminal's side of the accounts layer: what it may read from the environment and how it
asks for a secret (the accounts layer itself neither reads os.environ nor prompts)."""

from __future__ import annotations

import os

from ion_cli.accounts.sources import Sources


def hidden_prompt(text: str, confirm: bool) -> str:
    """Ask on stderr without echo; `confirm` asks twice."""
    import typer

    value: str = typer.prompt(
        text,
        hide_input=True,
        err=True,
        confirmation_prompt="Repeat for confirmation" if confirm else False,
    )
    return value


def terminal_sources() -> Sources:
    """The process environment (live: read when a value is needed) and the terminal prompt."""
    return Sources(environ=os.environ, ask_hidden=hidden_prompt)
