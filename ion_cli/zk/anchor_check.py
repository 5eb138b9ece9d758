"""`ion verify`'s anchor checks, kept apart from the rest of the receipt's (named "anchor: ..."):
offline, the receipt's header is the block its root names and the snapshot's validators are
the ones the state proof ties to the header's state root; with `--onchain`, the chain's
EIP-4788 contract holds that block root.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ion_cli.zk import ezkl_runner as er
from ion_cli.zk.receipt_keys import nested as _get

if TYPE_CHECKING:
    from ion_cli.chain.rpc import Reader
    from ion_cli.zk.receipt import LoadedReceipt, Report

STATE_PROOF = "state_proof.json"
SNAPSHOT = "snapshot.json"


def check(report: Report, r: LoadedReceipt) -> None:
    """Add the offline anchor checks to `report`."""
    from ion_cli.beacon import proofs
    from ion_cli.beacon.anchored import verify_state_proof

    d = r.data
    anchor = d.get("anchor")
    if anchor is None:
        report.add(
            "anchor: none (made from a snapshot file: nothing ties its validators to a state)",
            True,
            "not anchored",
        )
        return
    proof_file = r.folder / STATE_PROOF
    want = _get(anchor, "state_proof", "sha256")
    if not proof_file.is_file():
        report.add("anchor: state proof present", False, f"missing {proof_file}")
        return
    got = er.sha256_file(proof_file)
    if not report.add("anchor: state_proof.json hash", got == want, f"{got} != {want}"):
        return
    snap_file = r.folder / SNAPSHOT
    try:
        doc = json.loads(proof_file.read_text())
        snapshot = json.loads(snap_file.read_text())
        header, problems = verify_state_proof(doc, snapshot["validators"])
    except (OSError, ValueError, KeyError, TypeError, proofs.ProofError) as exc:
        report.add("anchor: state proof readable", False, str(exc))
        return
    block_root = "0x" + header.root().hex()
    same_block = (
        block_root == str(_get(d, "beacon", "block_root")).lower() == str(anchor.get("block_root"))
    )
    report.add(
        "anchor: header is the receipt's block",
        same_block
        and header.slot == _get(d, "beacon", "slot")
        and "0x" + header.state_root.hex() == str(_get(d, "beacon", "state_root")).lower(),
        "" if same_block else f"the header hashes to {block_root}",
    )
    report.add(
        "anchor: validators proven against the state root",
        not problems,
        "; ".join(problems[:3]),
    )


def check_onchain(report: Report, r: LoadedReceipt, reader: Reader) -> None:
    """`--onchain`: the chain's EIP-4788 contract holds the receipt's block root (at the
    recorded execution timestamp, else at the first execution block of a later slot)."""
    from ion_cli.chain.beacon_roots import find_anchor, has_contract, root_at

    d = r.data
    block_root = str(_get(d, "beacon", "block_root") or "").lower()
    if not has_contract(reader):
        report.add("anchor: beacon root on chain", False, "the chain has no 4788 contract")
        return
    timestamp = _get(d, "anchor", "beacon_root_on_chain", "timestamp")
    root: bytes | None = None
    if isinstance(timestamp, int):
        root = root_at(reader, timestamp)
    if root is None:
        genesis = _get(d, "anchor", "genesis_time")
        slot = _get(d, "beacon", "slot")
        if isinstance(genesis, int) and isinstance(slot, int):
            found = find_anchor(reader, genesis, slot)
            if found is not None:
                timestamp, root = found
    if root is None:
        report.add(
            "anchor: beacon root on chain",
            False,
            "the chain's beacon roots contract holds no root for this block (too old for its "
            "ring, or another chain)",
        )
        return
    ok = "0x" + root.hex() == block_root
    report.add(
        "anchor: beacon root on chain",
        ok,
        f"at {timestamp}" if ok else f"the chain holds 0x{root.hex()} at {timestamp}",
    )
