"""Which network a command works on, as the proofs name it: read from the session and the
config alone, so it answers without a node (a proof from a snapshot file works offline)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ion_cli.flows.session import Session

__all__ = ["network_name"]


def network_name(session: Session) -> tuple[str, bool]:
    """The network a proof is for and whether it is the devnet, without needing the devnet to
    be running (a proof from a snapshot file works offline)."""
    from ion_cli.config import load_config

    config = load_config()
    name = session.network or config.default_network or "devnet"
    raw = config.networks.get(name)
    devnet = name == "devnet" or (isinstance(raw, dict) and raw.get("base") == "devnet")
    return name, devnet
