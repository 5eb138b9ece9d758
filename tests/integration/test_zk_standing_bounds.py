"""Standing bounds of risk proofs on the devnet (issue 20 item 5), measured as gas on anvil.

Any later change of the model, its features or settings, the generated verifier or the feed
that makes on-chain checks dearer trips these: a real proof of the shipped model, checked by the
shipped Halo2 verifier (a transaction calling `verifyProof`, its 21,000 base and calldata
included) and by the weETH market's RiskFeed (a first `ion submit`, cold storage).

The bounds and the figures they were set against (tests/bench/zk_verifier.py prints the
breakdown): verifyProof 436,151 gas before issue 20, 416,207 after the zero commitment's fold and
optimizer runs 1e6, 388.4k after the generator's unrolling steps (zk/verifier_lagrange.py,
verifier_transcript.py, verifier_unroll.py; build_verifier.py lists them). The ceiling is a
ratchet a few k above today's figure (a retrained model with a few more instances costs about
330 gas per instance); the issue's bound of 400k is the hard one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ion_cli.beacon.snapshot import Snapshot, StateRef, Validator
from ion_cli.cli import app
from ion_cli.devnet.artifacts import load_artifact
from ion_cli.testing.devnet import DevnetHandle, warp
from ion_cli.zk.feed import load_proof

pytestmark = pytest.mark.integration

VERIFY_GAS_CEILING = 395_000  # today 388.4k: a ratchet, lowered whenever the verifier gets cheaper
VERIFY_GAS_GOAL = 400_000  # issue 20's bound (goal beyond it: 350k)
FIRST_SUBMIT_GAS_BOUND = 700_000  # issue 20's bound; today about 558k (anchoring included)
FAR = 2**64 - 1


def _ion(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return json.loads(result.stdout)


def _anchored_block(devnet: DevnetHandle) -> tuple[int, str, str]:
    """A new beacon block (slot, state root, block root) and one more anvil block after it, whose
    EIP-4788 entry holds its root: the feed anchors a proof only to a block the chain knows."""
    assert devnet.beacon_url is not None
    made = []
    for _ in range(2):
        warp(devnet.w3, 12)
        answer = httpx.get(f"{devnet.beacon_url}/eth/v1/beacon/headers/head", timeout=30)
        data = answer.json()["data"]
        message = data["header"]["message"]
        made.append((int(message["slot"]), message["state_root"], data["root"]))
    return made[0]


def _snapshot(devnet: DevnetHandle, path: Path, slashed: int) -> Path:
    """64 weETH validators said to be at a new anchored block's post-state, `slashed` of them
    slashed."""
    slot, state_root, block_root = _anchored_block(devnet)
    epoch = slot // 32
    credential = devnet.deployment.token("weETH").withdrawal_credentials[0]
    validators = tuple(
        Validator(
            index=7000 + i,
            pubkey="0x" + f"{i:096x}",
            withdrawal_credentials=credential,
            effective_balance=32 * 10**9,
            balance=32 * 10**9 - (10**9 if i < slashed else 0),
            slashed=i < slashed,
            activation_eligibility_epoch=0,
            activation_epoch=10,
            exit_epoch=epoch + 5 if i < slashed else FAR,
            withdrawable_epoch=epoch + 8192 if i < slashed else FAR,
            status="active_slashed" if i < slashed else "active_ongoing",
        )
        for i in range(64)
    )
    state = StateRef(
        slot=slot,
        state_root=state_root,
        block_root=block_root,
        finalized=True,
        execution_optimistic=False,
    )
    path.write_text(json.dumps(Snapshot(state=state, validators=validators).to_json()))
    return path


@pytest.fixture(scope="module")
def zk_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("zk-cache")


@pytest.fixture
def proof(
    devnet: DevnetHandle, zk_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.setenv("ION_ZK_CACHE", str(zk_cache))
    snap = _snapshot(devnet, tmp_path / "snap.json", slashed=8)
    out = tmp_path / "proof"
    _ion("prove", "--lrt", "weETH", "--snapshot", str(snap), "--out", str(out), "--json")
    return out


def _verify_gas(devnet: DevnetHandle, proof: Path) -> int:
    """Gas used by a transaction calling verifyProof with a real proof (it must accept it)."""
    zk = devnet.deployment.zk
    assert zk is not None
    data, instances = load_proof(proof / "proof.json")
    verifier = devnet.w3.eth.contract(address=zk.verifier, abi=load_artifact("Halo2Verifier").abi)
    call = verifier.functions.verifyProof(data, instances)
    assert call.call({"from": devnet.dev}) is True
    tx = call.transact({"from": devnet.dev, "gas": 2_000_000})
    receipt = devnet.w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1
    return int(receipt["gasUsed"])


def test_verify_proof_stays_under_its_ceiling(devnet: DevnetHandle, proof: Path) -> None:
    gas = _verify_gas(devnet, proof)
    assert gas <= VERIFY_GAS_CEILING, f"verifyProof costs {gas:,} gas"


def test_verify_proof_meets_the_issue_bound(devnet: DevnetHandle, proof: Path) -> None:
    gas = _verify_gas(devnet, proof)
    assert gas <= VERIFY_GAS_GOAL, f"verifyProof costs {gas:,} gas"


def test_first_submit_stays_under_its_bound(devnet: DevnetHandle, proof: Path) -> None:
    result = _ion("submit", str(proof), "--market", "weETH", "--yes", "--json")
    assert result["accepted"] is True
    gas = int(result["execution"]["steps"][0]["gas_used"])
    assert gas <= FIRST_SUBMIT_GAS_BOUND, f"a first submit costs {gas:,} gas"
