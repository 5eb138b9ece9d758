"""`ion prove` and `ion verify`: fetch -> features -> witness -> proof -> local verify -> receipt.

The proof binds the slot, the state root and the model id as public instances (see
`ion_cli.zk.layout`), so the receipt cannot be relabelled. The output folder holds everything
ezkl needs to re-verify (receipt, proof, settings, verifying key, the snapshot; the receipt names
the SRS by file and hash).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli.errors import IonError, RefusedError, UsageError
from ion_cli.flows.network import network_name
from ion_cli.flows.risk import (
    Assessment,
    Progress,
    SnapshotRequest,
    assess,
    load_snapshot,
    network_context,
)
from ion_cli.zk import layout, receipt_checks
from ion_cli.zk import receipt as rc
from ion_cli.zk.anchor_check import STATE_PROOF  # the file `ion verify` reads back

if TYPE_CHECKING:
    from ion_cli.beacon.snapshot import Snapshot
    from ion_cli.chain.rpc import Reader
    from ion_cli.flows.anchored import Anchored
    from ion_cli.flows.session import Session
    from ion_cli.zk.ezkl_runner import Circuit


class VerificationFailed(IonError):
    """A receipt or proof did not pass `ion verify` (exit 1, the failing check named)."""


@dataclass(frozen=True)
class ProveResult:
    folder: Path
    receipt: dict[str, Any]
    seconds: float


def canonical_lrt(session: Session, symbol: str) -> str:
    """The market's own spelling of the LRT ("weeth" -> "weETH"): the proof's model id hashes
    it, so it must be the exact symbol the market's RiskFeed was deployed with."""
    try:
        return session.profile.market(symbol).symbol
    except IonError:
        return symbol.strip()


def default_out(symbol: str, slot: int) -> Path:
    return Path(f"ion-proof-{symbol}-{slot}")


def prove(
    session: Session,
    request: SnapshotRequest,
    progress: Progress,
    *,
    out: Path | None = None,
    srs_file: Path | None = None,
    force: bool = False,
) -> ProveResult:
    from ion_cli.zk import ezkl_runner as er

    started = time.monotonic()
    if out is not None and (out.exists() or out.is_symlink()) and not out.is_dir():
        raise UsageError(
            f"`out` {out} is not a folder: give a folder for the proof's files", params=("out",)
        )
    if out is not None and out.is_dir() and any(out.iterdir()) and not force:
        raise UsageError(
            f"{out} is not empty: choose another `out` or pass `force`", params=("out", "force")
        )
    request = replace(request, symbol=canonical_lrt(session, request.symbol))
    chain_name, devnet = network_name(session)
    if request.cross_check and request.snapshot_file is not None:
        raise UsageError(
            "`cross_check` asks beacon nodes; a `snapshot_file` has none to ask",
            params=("cross_check", "snapshot_file"),
        )
    srs = er.resolve_srs(devnet=devnet, srs_file=srs_file)
    anchoring = None
    if request.snapshot_file is None:
        # From a beacon node: the post-state of one block, every record checked against the
        # state root its header names (ion_cli.flows.anchored).
        from ion_cli.flows.anchored import anchored_snapshot

        anchoring = anchored_snapshot(session, request, progress)
        snapshot = anchoring.snapshot
        if request.network_active_balance is None:
            request = replace(request, network_active_balance=anchoring.check.active_balance)
    else:
        snapshot = load_snapshot(session, request, progress)
    check_provable(snapshot, request)
    folder = out or default_out(request.symbol, snapshot.state.slot)
    if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
        raise UsageError(
            f"`out` {folder} is not a folder: give a folder for the proof's files", params=("out",)
        )
    if folder.exists() and any(folder.iterdir()) and not force:
        raise UsageError(
            f"{folder} is not empty: choose another `out` or pass `force`", params=("out", "force")
        )
    network = network_context(session, request, snapshot)
    if anchoring is not None:
        # The permissionless feed's rule (RiskFeedChallenges.challengeNetwork): otherSlashed is
        # the state's slashings-vector sum less the set's own slashed effective balance.
        from ion_cli.zk.features import sums_of

        own = sums_of(snapshot)[4]
        other = max(0, anchoring.check.slashings_total - own)
        network = replace(network, other_slashed=other)
    restaking, unread = _pinned_restaking(session, request, devnet, progress)
    assessment = assess(snapshot, network, progress, with_model=False, restaking=restaking)
    circuit = er.circuit(srs, progress)
    inputs = layout.PublicInputs(
        features_q=assessment.features.quantized,
        slot=snapshot.state.slot,
        state_root=snapshot.state.state_root.lower(),
        model_id=layout.model_id(circuit.base.model_sha256, request.symbol),
        restaking_q=restaking.quantized(),
        block=restaking.block,
    )
    folder.mkdir(parents=True, exist_ok=True)
    work = folder / ".work"
    try:
        progress("computing the witness")
        w = er.witness(circuit.base, inputs, work)
        if w.instances != inputs.instances(w.score):
            raise er.ProofError("the circuit's instances do not follow the layout")
        progress("proving")
        proof_started = time.monotonic()
        er.prove(circuit, w, folder / rc.PROOF)
        prove_seconds = time.monotonic() - proof_started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    shutil.copyfile(circuit.settings, folder / rc.SETTINGS)
    shutil.copyfile(circuit.vk, folder / rc.VK)
    rc.write_json(folder / rc.SNAPSHOT, snapshot.to_json())
    progress("committing the snapshot (Merkle-sum tree)")
    commitment = rc.write_sumtree(folder, snapshot)
    progress("verifying the proof locally")
    ok, why = er.verify(folder / rc.PROOF, folder / rc.SETTINGS, folder / rc.VK, srs.path)
    if not ok:
        raise er.ProofError(f"the new proof does not verify: {why}")
    scored = replace(assessment, score=w.score)
    doc = build_receipt(chain_name, request, snapshot, scored, circuit, folder, prove_seconds)
    doc["anchor"] = _anchor_section(anchoring, folder)
    doc["commitment"] = rc.commitment_section(folder, commitment, network)
    doc["restaking"]["unread"] = unread
    rc.write_json(folder / rc.RECEIPT, doc)
    return ProveResult(folder, doc, time.monotonic() - started)


def _pinned_restaking(
    session: Session, request: SnapshotRequest, devnet: bool, progress: Progress
) -> tuple[Any, str | None]:
    """The restaking features at the pinned block (the chain's latest block now), as the
    market's feed will recompute them; none (block 0, refused by the feed) when no chain is at
    hand: a snapshot file proven off the devnet reads no chain."""
    from ion_cli.flows import restaking_pin
    from ion_cli.zk import restaking_features as rf

    if request.snapshot_file is not None and not devnet:
        return rf.none(0), "a snapshot file proven off the devnet: no chain read"
    progress("reading the restaking features at the block before the latest")
    restaking, unread = restaking_pin.try_read(session, request.symbol)
    if unread is not None:
        progress(f"restaking features not read ({unread}): the feed will refuse this proof")
    return restaking, unread


def _anchor_section(anchoring: Anchored | None, folder: Path) -> dict[str, Any] | None:
    """The receipt's `anchor`: which block's post-state was rated and why, what was checked
    against its state root, and the multiproof file that lets `ion verify` re-check it."""
    from ion_cli.zk import ezkl_runner as er

    if anchoring is None:
        return None  # from a snapshot file: nothing ties it to a beacon state
    rc.write_json(folder / STATE_PROOF, anchoring.proof)
    return {
        **anchoring.to_json(),
        "state_proof": {"file": STATE_PROOF, "sha256": er.sha256_file(folder / STATE_PROOF)},
    }


def check_provable(snapshot: Snapshot, request: SnapshotRequest) -> None:
    if not snapshot.complete:
        raise RefusedError(
            "the token's validator set is incomplete here: a proof over part of it would "
            "understate the risk (see `ion validators`)"
        )
    if not snapshot.validators:
        raise RefusedError(f"no validators found for {request.symbol}: nothing to prove")
    if snapshot.state.execution_optimistic:
        raise RefusedError("the beacon node's answer is optimistic: prove a finalized state")


def build_receipt(
    network: str,
    request: SnapshotRequest,
    snapshot: Snapshot,
    assessment: Assessment,
    circuit: Circuit,
    folder: Path,
    prove_seconds: float,
) -> dict[str, Any]:
    from ion_cli import __version__
    from ion_cli.zk import ezkl_runner as er

    proof = json.loads((folder / rc.PROOF).read_text())
    raw = proof.get("proof")
    proof_size = len(raw) if isinstance(raw, list) else len(str(raw).removeprefix("0x")) // 2
    body = assessment.to_json()
    return {
        "format": rc.FORMAT,
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ion_version": __version__,
        "lrt": request.symbol,
        "network": network,
        "model": {
            "sha256": circuit.base.model_sha256,
            "id": layout.model_id(circuit.base.model_sha256, request.symbol),
            "id_binds": "sha256(model sha256 || lrt)[:8]",
            "file": er.MODEL_FILE.name,
        },
        "settings": {"file": rc.SETTINGS, "sha256": er.sha256_file(folder / rc.SETTINGS)},
        "vk": {"file": rc.VK, "sha256": er.sha256_file(folder / rc.VK)},
        "proof": {
            "file": rc.PROOF,
            "sha256": er.sha256_file(folder / rc.PROOF),
            "bytes": proof_size,
            "seconds": round(prove_seconds, 3),
        },
        "srs": circuit.srs.to_json(),
        "ezkl_version": er.ezkl_version(),
        "beacon": {
            "url": snapshot.source
            or (f"file:{request.snapshot_file.name}" if request.snapshot_file else ""),
            "state_id": request.state,
            # Which node(s) the validators came from, and whether two or more agreed on the
            # finalized checkpoint; a snapshot file is one source's word.
            "nodes": [n.strip() for n in snapshot.source.split(",") if n.strip()]
            or ([f"file:{request.snapshot_file.name}"] if request.snapshot_file else []),
            "cross_checked": snapshot.cross_checked,
            "slot": snapshot.state.slot,
            "epoch": snapshot.state.epoch,
            "state_root": snapshot.state.state_root.lower(),
            "block_root": snapshot.state.block_root.lower(),
            "finalized": snapshot.state.finalized,
            "execution_optimistic": snapshot.state.execution_optimistic,
        },
        "snapshot": {"file": rc.SNAPSHOT, "sha256": er.sha256_file(folder / rc.SNAPSHOT)},
        "validator_indices": [v.index for v in snapshot.validators],
        "network_context": body["network"],
        "features": body["features"],
        "output": {
            "score": assessment.score,
            "p": assessment.score / layout.SCORE_ONE,
            "haircut_wad": str(assessment.haircut_wad),
            "haircut": body["model"]["haircut"],
        },
        "rule": body["rule"],
        # The restaking features and the execution block they were read at (pinned_block).
        "restaking": body["restaking"],
        "instances": {
            "count": layout.N_INSTANCES,
            "layout": "ion_cli.zk.layout: features[0:8], slot[8:10], state_root[10:26], "
            "model_id[26:30], restaking[30:32], block[32:34], score[34]",
        },
        "submission": None,
    }


def verify(
    path: Path,
    progress: Progress,
    *,
    srs_file: Path | None = None,
    session: Session | None = None,
    onchain: Session | None = None,
) -> rc.Report:
    """Re-check a receipt folder: every offline check; with `onchain`, its block root against
    that chain's EIP-4788 contract; with `session` (when a node for the receipt's chain
    answers), its submission record against the chain. A bad `--srs` (missing, not a regular
    file) is bad input; a receipt that cannot be read at all is too."""
    if srs_file is not None:
        why = rc.not_regular(srs_file)
        if why is not None:
            raise UsageError(f"`srs_file`: {why}", params=("srs_file",))
    try:
        report = receipt_checks.check(path, srs_file=srs_file, progress=progress)
        if onchain is not None:
            from ion_cli.zk import anchor_check

            progress("asking the chain's beacon roots contract for the receipt's block")
            anchor_check.check_onchain(report, rc.load(path), onchain.reader())
    except rc.ReceiptError as exc:
        raise UsageError(str(exc)) from exc
    if session is not None:
        check_submission_on_chain(report, rc.load(path), session)
    return report


SUBMISSION_ON_CHAIN = "submission on chain"


def submission_session(path: Path, network: str | None, rpc_url: str | None) -> Session | None:
    """A session for the chain a receipt's submission names (the network given on the command
    line wins); None when the receipt records no submission or cannot be read."""
    from ion_cli.flows.session import Session

    try:
        sub = rc.load(path).data.get("submission")
    except rc.ReceiptError:
        return None
    if not isinstance(sub, dict):
        return None
    name = network or sub.get("network")
    return Session(network=str(name) if name else None, rpc_url=rpc_url)


def check_submission_on_chain(report: rc.Report, r: rc.LoadedReceipt, session: Session) -> None:
    """The receipt's `submission` against the chain: the transaction exists on the chain the
    record names, was sent to the feed it names, mined in its block with success, and carries
    exactly this proof, these instances and the receipt's roots. No node: shown as skipped."""
    sub = r.data.get("submission")
    if not isinstance(sub, dict) or not isinstance(sub.get("tx_hash"), str):
        return
    try:
        reader = session.reader()
        chain_id = reader.chain_id()
    except Exception as exc:  # no node at hand: the record is not checked, and it says so
        detail = exc.message if isinstance(exc, IonError) else type(exc).__name__
        report.skip(
            SUBMISSION_ON_CHAIN, f"not checked: no node for {sub.get('network')} ({detail})"
        )
        return
    if chain_id != sub.get("chain_id"):
        report.skip(
            SUBMISSION_ON_CHAIN,
            f"not checked: the node answers for chain {chain_id}, the record names chain "
            f"{sub.get('chain_id')}",
        )
        return
    problems = _submission_problems(reader, sub, r)
    report.add(SUBMISSION_ON_CHAIN, not problems, "; ".join(problems))


# The header, then the committed snapshot (root, root sums, first and last index, T, W_o).
COMMITMENT_TYPE = (
    "(bytes32,(uint128,uint128,uint128,uint128,uint128,uint128,uint128,uint128,uint128,"
    "uint128),uint64,uint64,uint128,uint128)"
)
SUBMIT_SIGNATURE = (
    "submit(bytes,uint256[],uint256,(uint64,uint64,bytes32,bytes32,bytes32),"
    + COMMITMENT_TYPE
    + ")"
)


def _submitted_proof(data: bytes) -> tuple[bytes, list[int]] | None:
    """The proof bytes and instances a `RiskFeed.submit` calldata carries (None: not one)."""
    from eth_abi.abi import decode

    from ion_cli.keccak import keccak256

    if data[:4] != keccak256(SUBMIT_SIGNATURE.encode())[:4]:
        return None
    try:
        proof, instances, _, _, _ = decode(
            [
                "bytes",
                "uint256[]",
                "uint256",
                "(uint64,uint64,bytes32,bytes32,bytes32)",
                COMMITMENT_TYPE,
            ],
            data[4:],
        )
    except Exception:  # eth_abi's decoding errors: not a submit of this shape
        return None
    return bytes(proof), [int(i) for i in instances]


def _submission_problems(reader: Reader, sub: dict[str, Any], r: rc.LoadedReceipt) -> list[str]:
    from ion_cli.chain.node import receipt, transaction
    from ion_cli.zk.feed import load_proof

    tx_hash = str(sub["tx_hash"])
    try:
        tx = transaction(reader, tx_hash)
        mined = receipt(reader, tx_hash)
    except Exception:  # TransactionNotFound, or a node that cannot say
        return [f"no transaction {tx_hash} on chain {sub.get('chain_id')}"]
    problems = []
    feed = str(sub.get("feed", ""))
    if str(tx.get("to") or "").lower() != feed.lower():
        problems.append(f"the transaction went to {tx.get('to')}, not the feed {feed}")
    if int(mined.get("status", 0)) != 1:
        problems.append("the transaction reverted")
    if mined.get("blockNumber") != sub.get("block"):
        problems.append(f"mined in block {mined.get('blockNumber')}, not {sub.get('block')}")
    proof, instances = load_proof(r.file(rc.PROOF))
    sent = tx.get("input") or b""
    sent_bytes = bytes(sent) if not isinstance(sent, str) else bytes.fromhex(sent[2:])
    if _submitted_proof(sent_bytes) != (proof, instances):
        problems.append("the transaction carries another proof or other public inputs")
    return problems
