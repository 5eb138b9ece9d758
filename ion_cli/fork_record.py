"""The record of a forked devnet (`ion devnet up --fork-url`): fork.json in the devnet dir.

Outside the devnet package because the network profiles read it (the devnet's profile follows
the forked chain's id) and nothing outside ion_cli/devnet imports that package.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ion_cli.errors import IonError

FORK_FILE = "fork.json"


@dataclass
class ForkInfo:
    source: str  # the forked URL, path and query hidden
    block: int  # the fork block (the first block of the fork is the next one)
    chain_id: int
    profile: str | None  # "devnet", "mainnet", a config profile's name, or None (unknown chain)
    started_at: float
    rpc_url: str = ""  # the local node that serves the fork
    funded: dict[str, str] = field(default_factory=dict)  # symbol -> how (or why not)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        of = {"mainnet": "mainnet", "devnet": "another devnet"}.get(
            self.profile or "", f"profile {self.profile}" if self.profile else "an unknown chain"
        )
        return f"fork of {of} (chain id {self.chain_id}) at block {self.block}, from {self.source}"


def path(directory: Path) -> Path:
    return directory / FORK_FILE


def load(directory: Path) -> ForkInfo | None:
    """The recorded fork of this devnet dir, None when the devnet is a local chain."""
    try:
        data = json.loads(path(directory).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise IonError(f"{path(directory)} is unreadable ({exc}): run `ion devnet reset`") from None
    return ForkInfo(**data)


def save(directory: Path, info: ForkInfo) -> None:
    path(directory).write_text(json.dumps(info.to_json(), indent=2, sort_keys=True) + "\n")


def forget(directory: Path) -> None:
    path(directory).unlink(missing_ok=True)
