"""A lying submitter for devnet tests: it proves the features of a false commitment (so the
proof verifies and the feed accepts it as pending), submits it with the bond straight to the
feed (`ion submit` checks a receipt and refuses lies), and publishes its tree where a challenger
can find it.

Built on a sound `ion prove` folder of the devnet (its anchored block, slot and state root are
reused: several submissions may be pending for one slot).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ion_cli.testing.feed_lies import Lie
from ion_cli.zk import layout


@dataclass(frozen=True)
class Anchor:
    """What every submission of the sound receipt's block shares."""

    feed: str
    lrt: str
    slot: int
    state_root: str
    header: Any  # ion_cli.beacon.proofs.Header
    anchor_timestamp: int
    # the sound proof's restaking features and pinned block: the feed reads them from the
    # chain at that block and refuses any other, so a lie about the beacon part keeps them
    restaking_q: tuple[int, ...] = ()
    block: int = 0


def read(w3: Any, call: Any) -> Any:
    """A contract wrapper's read, over web3."""
    from ion_cli.abi.codec import decode_output

    raw = w3.eth.call({"to": call.to, "data": "0x" + call.data.hex()})
    return decode_output(call.function, bytes(raw))


def anchor_of(receipt_dir: Path, feed: str) -> Anchor:
    """The anchoring of a sound receipt's block (ION_DEVNET_DIR must name the devnet)."""
    from ion_cli.api import Ion
    from ion_cli.flows.anchor_submit import anchor_timestamp, receipt_header
    from ion_cli.zk.feed import load_proof, read_latest

    session = Ion(network="devnet").session
    data = json.loads((receipt_dir / "receipt.json").read_text())
    sound = layout.decode(load_proof(receipt_dir / "proof.json")[1]).inputs
    header = receipt_header(session, data)
    genesis = read_latest(session.reader(), feed).genesis_time
    return Anchor(
        feed=feed,
        lrt=str(data["lrt"]),
        slot=int(data["beacon"]["slot"]),
        state_root=str(data["beacon"]["state_root"]).lower(),
        header=header,
        anchor_timestamp=anchor_timestamp(session, header, genesis),
        restaking_q=sound.restaking_q,
        block=sound.block,
    )


def prove_features(anchor: Anchor, features_q: tuple[int, ...], work: Path) -> Path:
    """A proof (ezkl, the devnet SRS) that carries `features_q` for the anchor's slot and root:
    the model's score of whatever features a liar wants, bound to the real block."""
    from ion_cli.zk import ezkl_runner as er

    work.mkdir(parents=True, exist_ok=True)
    srs = er.resolve_srs(devnet=True, srs_file=None)
    circuit = er.circuit(srs, lambda _: None)
    inputs = layout.PublicInputs(
        features_q=features_q,
        slot=anchor.slot,
        state_root=anchor.state_root,
        model_id=layout.model_id(circuit.base.model_sha256, anchor.lrt),
        restaking_q=anchor.restaking_q or (0,) * layout.N_RESTAKING,
        block=anchor.block,
    )
    w = er.witness(circuit.base, inputs, work / ".w")
    out = work / "proof.json"
    er.prove(circuit, w, out)
    return out


@dataclass(frozen=True)
class Submitted:
    id: int
    tx_hash: str
    submitter: str
    kind: str
    tree_file: Path | None


def submit(
    w3: Any, anchor: Anchor, lie: Lie, proof_file: Path, sender: str, trees: Path | None
) -> Submitted:
    """Submit `lie` with its proof from `sender` (an unlocked anvil account) with the bond;
    publish its tree in `trees` (None: withheld)."""
    from ion_cli.chain.contracts import Contract
    from ion_cli.zk.challenge_proof import claim_commitment
    from ion_cli.zk.feed import ProofCall, load_proof, submit_call

    proof, instances = load_proof(proof_file)
    call = submit_call(
        anchor.feed,
        ProofCall(
            proof, instances, anchor.anchor_timestamp, anchor.header, claim_commitment(lie.claim)
        ),
        f"lie: {lie.kind}",
    )
    feed = Contract(anchor.feed, interface="RiskFeed")
    bond = int(read(w3, feed.bond())[0])
    tx = w3.eth.send_transaction(
        {
            "from": sender,
            "to": anchor.feed,
            "data": "0x" + call.data.hex(),
            "value": bond,
            "gas": 3_000_000,
        }
    )
    receipt = w3.eth.wait_for_transaction_receipt(tx, timeout=60)
    if receipt["status"] != 1:
        raise AssertionError(f"the feed refused the lying submission {lie.kind}")
    id_ = int(read(w3, feed.submissionCount()))
    tree_file = None
    if trees is not None:
        trees.mkdir(parents=True, exist_ok=True)
        tree_file = trees / f"{lie.kind}-{id_}.json"
        tree_file.write_text(json.dumps(lie.tree.to_json()))
    return Submitted(id_, "0x" + bytes(tx).hex(), sender, lie.kind, tree_file)
