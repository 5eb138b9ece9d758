"""What `ion submit` adds for the feed's EIP-4788 anchoring: the header of the receipt's block
(from the receipt, else from the beacon node, its root checked either way) and the execution
timestamp whose beacon root is that block's (the first execution block of a later slot)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ion_cli.errors import IonError, UsageError
from ion_cli.zk.receipt_keys import nested as _get

if TYPE_CHECKING:
    from ion_cli.beacon.proofs import Header
    from ion_cli.flows.session import Session


class NotAnchorable(IonError):
    """The chain cannot anchor the receipt's block (yet, or at all): nothing is sent."""


def receipt_header(session: Session, receipt: dict[str, Any]) -> Header:
    """The header of the receipt's block: recorded by `ion prove`, or (a receipt made from a
    snapshot file) read from the beacon node by the block root. Its root must be the
    receipt's block root and its state root the receipt's."""
    from ion_cli.beacon.proofs import Header, ProofError

    block_root = str(_get(receipt, "beacon", "block_root") or "").lower()
    state_root = str(_get(receipt, "beacon", "state_root") or "").lower()
    if not block_root or int(block_root, 16) == 0:
        raise UsageError("the receipt names no beacon block root: the feed cannot anchor it")
    recorded = _get(receipt, "anchor", "header")
    try:
        if isinstance(recorded, dict):
            header = Header.from_json(recorded)
        else:
            from ion_cli.flows.beacon_source import beacon_options
            from ion_cli.flows.validators import open_client

            with open_client(beacon_options(session, None, lambda _: None)) as client:
                h = client.header(block_root)
            header = Header.from_json(
                {
                    "slot": h.slot,
                    "proposer_index": h.proposer_index,
                    "parent_root": h.parent_root,
                    "state_root": h.state_root,
                    "body_root": h.body_root,
                }
            )
    except ProofError as exc:
        raise UsageError(f"the receipt's block header is malformed: {exc}") from None
    if "0x" + header.root().hex() != block_root:
        raise UsageError(f"the header of block {block_root[:12]}… does not hash to it")
    if "0x" + header.state_root.hex() != state_root:
        raise UsageError("the receipt's state root is not the one its block's header names")
    return header


def anchor_timestamp(session: Session, header: Header, genesis_time: int) -> int:
    """The execution timestamp whose EIP-4788 root is the header's block root (or the first
    candidate, whose root the feed will then refuse with its own reason)."""
    from ion_cli.chain.beacon_roots import find_anchor, has_contract

    reader = session.reader()
    if not has_contract(reader):
        raise NotAnchorable(
            "this chain has no EIP-4788 beacon roots contract: the feed cannot anchor a proof"
        )
    found = find_anchor(reader, genesis_time, header.slot)
    if found is None:
        raise NotAnchorable(
            f"no execution block of a slot after {header.slot} yet holds block "
            f"0x{header.root().hex()[:12]}…'s root: submit after the next block"
        )
    return found[0]
