"""Loop mode (not built yet): refused with one line rather than half done."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ion_cli.errors import UsageError

if TYPE_CHECKING:
    from ion_cli.flows.leverage import Built, Context, LeverageRequest


def build_loop(ctx: Context, request: LeverageRequest, target: int, force: bool) -> Built:
    raise UsageError("--mode loop is not available yet: use --mode flash")
