"""The chain ids ion knows by name: one place, so that "31337" is written once."""

from __future__ import annotations

from typing import Final

MAINNET: Final = 1
DEVNET: Final = 31337  # anvil's default chain id, which `ion devnet` keeps

NAMES: Final[dict[int, str]] = {MAINNET: "mainnet", DEVNET: "devnet"}
