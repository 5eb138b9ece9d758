"""`ion prove`'s data, believed from no node: the post-state of one beacon block, its
validators checked against the state root the block's header names, that root against the
chain's EIP-4788 beacon root when the chain has one.

Order: pin the block (`ion_cli.beacon.anchored.pin_block`: the finalized checkpoint's block, or
the latest block at or before a slot, ...) -> read the token's validators at its state root
(the usual streamed reads) -> read the state as SSZ, require its root to be the header's and the
node's records to be the state's (`check_snapshot`) -> the multiproof for the receipt ->
with a chain at hand, the beacon root of the next execution slot must be the block's root.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ion_cli.errors import IonError

if TYPE_CHECKING:
    from ion_cli.beacon.anchored import PinnedBlock, StateCheck
    from ion_cli.beacon.snapshot import Snapshot
    from ion_cli.flows.risk import SnapshotRequest
    from ion_cli.flows.session import Session

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Anchored:
    snapshot: Snapshot
    pinned: PinnedBlock
    check: StateCheck
    proof: dict[str, Any]  # the state proof document (state_proof.json)
    onchain: dict[str, Any]  # what the chain's beacon roots contract said
    genesis_time: int  # the beacon chain's (slot times, for finding the block on chain later)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.pinned.to_json(),
            "genesis_time": self.genesis_time,
            "state_check": self.check.to_json(),
            "beacon_root_on_chain": self.onchain,
        }


def anchored_snapshot(session: Session, request: SnapshotRequest, progress: Progress) -> Anchored:
    from ion_cli.beacon import proofs
    from ion_cli.beacon.anchored import check_snapshot, pin_block, state_proof
    from ion_cli.beacon.errors import NotTheState
    from ion_cli.flows import beacon_source
    from ion_cli.flows.validators import open_client, token_validators

    options = beacon_source.beacon_options(session, request, progress)
    with open_client(options) as client:
        pinned = pin_block(client, request.state)
        genesis_time = client.genesis().genesis_time
    progress(
        f"rating the post-state of {pinned.why}: slot {pinned.header.slot}, "
        f"block {pinned.root}"  # whole: people copy it
    )
    token = token_validators(request.symbol, session.network, session.rpc_url)
    snapshot = beacon_source.token_snapshot(
        session, replace(request, state=pinned.state_root), progress, token
    )
    if snapshot.state.state_root.lower() != pinned.state_root:
        raise NotTheState("the node answered for another state than the block's")
    ref = pinned.state_ref()
    snapshot = replace(
        snapshot,
        state=replace(
            ref,
            finalized=ref.finalized or snapshot.state.finalized,
            execution_optimistic=ref.execution_optimistic or snapshot.state.execution_optimistic,
        ),
    )
    progress("reading the state as SSZ to check the node's answers against its root")
    with open_client(options) as client:
        raw = client.state_ssz(pinned.state_root)
    try:
        tree = proofs.state_tree(raw)
    except proofs.ProofError as exc:
        raise NotTheState(f"the node's SSZ state does not parse: {exc}") from None
    ids = [int(i) for i in token.ids if str(i).isdigit()]
    keys = {str(i).lower() for i in token.ids if not str(i).isdigit()}
    ids += [v.index for v in snapshot.validators if v.pubkey.lower() in keys]
    check = check_snapshot(snapshot, tree, pinned.header, token.credentials, ids)
    doc = state_proof(tree, pinned.header, [v.index for v in snapshot.validators])
    onchain = beacon_root_on_chain(session, pinned, genesis_time)
    return Anchored(snapshot, pinned, check, doc, onchain, genesis_time)


def beacon_root_on_chain(
    session: Session, pinned: PinnedBlock, genesis_time: int
) -> dict[str, Any]:
    """Ask the chain's EIP-4788 contract for the block's root (the first execution block of a
    later slot holds it). A different root there is a refusal: the node's block is not the
    chain's. No contract, no later block yet, or no chain at hand: recorded, not refused."""
    from ion_cli.beacon.errors import NotTheState
    from ion_cli.chain.beacon_roots import find_anchor, has_contract

    try:
        reader = session.reader()
        if not has_contract(reader):
            return {"checked": False, "why": "this chain has no EIP-4788 beacon roots contract"}
        found = find_anchor(reader, genesis_time, pinned.header.slot)
    except IonError as exc:
        return {"checked": False, "why": f"no chain to ask: {exc.message}"}
    if found is None:
        return {"checked": False, "why": "no execution block of a later slot yet: submit later"}
    timestamp, root = found
    if root is None:
        return {
            "checked": False,
            "timestamp": timestamp,
            "why": "the contract holds no root for that block (outside its ring)",
        }
    if "0x" + root.hex() != pinned.root:
        raise NotTheState(
            f"the chain's beacon roots contract says the block before the execution block at "
            f"{timestamp} is 0x{root.hex()[:12]}…, not the node's {pinned.root[:12]}…"
        )
    return {
        "checked": True,
        "timestamp": timestamp,
        "chain_id": session.profile.chain_id,
        "block_root": pinned.root,
    }
