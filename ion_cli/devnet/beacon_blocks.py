"""The synthetic chain's block bodies in the beacon API's JSON form: a deterministic function of
the chain's seed, the slot and the operations recorded at it (slashings become proposer and
attester slashings with made-up signatures; everything else is empty or zero)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from ion_cli import consensus_rules as cr
from ion_cli.devnet.beacon_records import ZERO_ROOT, Operation


def body(
    seed: bytes, genesis_time: int, block_slot: int, operations: Sequence[Operation]
) -> dict[str, Any]:
    """The block body in the API's JSON form; slashings from the operations at that slot."""
    proposer_slashings: list[dict[str, Any]] = []
    attester_slashings: list[dict[str, Any]] = []
    epoch = block_slot // cr.SLOTS_PER_EPOCH
    for op in operations:
        if op.kind != "slash":
            continue
        singles = op.indices[: 16 - len(proposer_slashings)]
        for index in singles:
            proposer_slashings.append(_proposer_slashing(seed, index, block_slot))
        rest = sorted(op.indices[len(singles) :])
        if rest and not attester_slashings:
            attester_slashings.append(_attester_slashing(seed, rest, block_slot, epoch))
    randao = hashlib.sha256(b"randao" + seed + block_slot.to_bytes(8, "little")).digest()
    return {
        "randao_reveal": "0x" + (randao * 3).hex(),
        "eth1_data": {"deposit_root": ZERO_ROOT, "deposit_count": "0", "block_hash": ZERO_ROOT},
        "graffiti": "0x" + b"ion devnet".ljust(32, b"\0").hex(),
        "proposer_slashings": proposer_slashings,
        "attester_slashings": attester_slashings,
        "attestations": [],
        "deposits": [],
        "voluntary_exits": [],
        "sync_aggregate": {
            "sync_committee_bits": "0x" + "00" * 64,
            "sync_committee_signature": "0x" + "00" * 96,
        },
        "execution_payload": {
            "parent_hash": ZERO_ROOT,
            "fee_recipient": "0x" + "00" * 20,
            "state_root": ZERO_ROOT,
            "receipts_root": ZERO_ROOT,
            "logs_bloom": "0x" + "00" * 256,
            "prev_randao": "0x" + randao.hex(),
            "block_number": "0",
            "gas_limit": "30000000",
            "gas_used": "0",
            "timestamp": str(genesis_time + block_slot * cr.SECONDS_PER_SLOT),
            "extra_data": "0x",
            "base_fee_per_gas": "1000000000",
            "block_hash": ZERO_ROOT,
            "transactions": [],
            "withdrawals": [],
            "blob_gas_used": "0",
            "excess_blob_gas": "0",
        },
        "bls_to_execution_changes": [],
        "blob_kzg_commitments": [],
        "execution_requests": {"deposits": [], "withdrawals": [], "consolidations": []},
    }


def signature(seed: bytes, *parts: object) -> str:
    text = ":".join(str(p) for p in parts).encode()
    return "0x" + (hashlib.sha512(seed + text).digest() + hashlib.sha256(text).digest()).hex()[:192]


def _proposer_slashing(seed: bytes, index: int, slot: int) -> dict[str, Any]:
    """Two different headers signed by `index` for one earlier slot (a double proposal)."""
    target = max(0, slot - 1)

    def signed(variant: int) -> dict[str, Any]:
        body = hashlib.sha256(f"double:{index}:{variant}".encode() + seed).hexdigest()
        return {
            "message": {
                "slot": str(target),
                "proposer_index": str(index),
                "parent_root": ZERO_ROOT,
                "state_root": ZERO_ROOT,
                "body_root": "0x" + body,
            },
            "signature": signature(seed, "proposal", index, variant),
        }

    return {"signed_header_1": signed(1), "signed_header_2": signed(2)}


def _attester_slashing(seed: bytes, indices: list[int], slot: int, epoch: int) -> dict[str, Any]:
    """Two conflicting attestations (a double vote) by all `indices`."""
    target = max(0, epoch - 1)

    def attestation(variant: int) -> dict[str, Any]:
        root = hashlib.sha256(f"vote:{variant}:{slot}".encode() + seed).hexdigest()
        return {
            "attesting_indices": [str(i) for i in indices],
            "data": {
                "slot": str(max(0, slot - 1)),
                "index": "0",
                "beacon_block_root": "0x" + root,
                "source": {"epoch": str(max(0, target - 1)), "root": ZERO_ROOT},
                "target": {"epoch": str(target), "root": "0x" + root},
            },
            "signature": signature(seed, "vote", slot, variant),
        }

    return {"attestation_1": attestation(1), "attestation_2": attestation(2)}
