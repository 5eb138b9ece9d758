"""Options shared by the write commands (beyond the global ones)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
PasswordFile = Annotated[
    Path | None,
    typer.Option(
        "--password-file", help="File holding the keystore password.", envvar="ION_PASSWORD_FILE"
    ),
]
Confirmations = Annotated[
    int, typer.Option("--confirmations", min=0, help="Blocks to wait for after inclusion.")
]
Timeout = Annotated[
    float, typer.Option("--timeout", min=1, help="Seconds to wait for each receipt.")
]


def _markets() -> list[str]:
    from ion_cli.completion_data import market_names

    return market_names()


# Lets "-1" reach the amount parser (which says negatives are not amounts) instead of being
# taken for an unknown option.
NEGATIVE_AMOUNTS = {"ignore_unknown_options": True}
