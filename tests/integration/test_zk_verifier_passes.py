"""The generator steps after ezkl (build_verifier.transform) change gas, never a verdict: the
shipped verifier and ezkl's own, untouched, deployed side by side on the devnet, agree on a real
proof (both accept) and on many forgeries of it (both reject): every public instance changed,
instances out of the field, proof words changed or out of range, a short proof."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ion_cli.devnet.artifacts import load_artifact
from ion_cli.paths import project_root
from ion_cli.testing.devnet import DevnetHandle
from ion_cli.zk import build_verifier, layout
from ion_cli.zk import ezkl_runner as er

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(project_root() is None, reason="needs the source checkout (solc)"),
]

R = layout.FIELD_MODULUS
Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583


def _compile(source: str) -> str:
    root = project_root()
    assert root is not None
    std = {
        "language": "Solidity",
        "sources": {"V.sol": {"content": source}},
        "settings": {
            "optimizer": {"enabled": True, "runs": 1_000_000},
            "evmVersion": "cancun",
            "outputSelection": {"*": {"*": ["evm.bytecode.object"]}},
        },
    }
    out = subprocess.run(
        [str(root / "ion_cli/devnet/solc/solc"), "--standard-json"],
        input=json.dumps(std), capture_output=True, text=True, check=True, cwd=root,
    )  # fmt: skip
    result = json.loads(out.stdout)
    assert not [e for e in result.get("errors", []) if e["severity"] == "error"], result
    return "0x" + next(iter(result["contracts"]["V.sol"].values()))["evm"]["bytecode"]["object"]


@pytest.fixture(scope="module")
def real_proof(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[int]]:
    folder = tmp_path_factory.mktemp("proof")
    inputs = layout.PublicInputs(
        features_q=tuple((100 + 137 * i) % 1024 for i in range(layout.N_FEATURES)),
        slot=123_456,
        state_root="0x" + "ab" * 32,
        model_id=layout.model_id(er.model_hash(), "weETH"),
    )
    c = er.circuit(er.devnet_srs(), lambda _: None)
    w = er.witness(c.base, inputs, folder)
    er.prove(c, w, folder / "proof.json")
    proof = json.loads((folder / "proof.json").read_text())
    return bytes.fromhex(proof["hex_proof"].removeprefix("0x")), list(w.instances)


def _deploy(devnet: DevnetHandle, bytecode: str) -> str:
    tx = devnet.w3.eth.send_transaction({"from": devnet.dev, "data": bytecode, "gas": 10_000_000})
    receipt = devnet.w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1
    return str(receipt["contractAddress"])


def _verdict(devnet: DevnetHandle, address: str, proof: bytes, instances: list[int]) -> bool:
    contract = devnet.w3.eth.contract(address=address, abi=load_artifact("Halo2Verifier").abi)
    try:
        return bool(contract.functions.verifyProof(proof, instances).call({"from": devnet.dev}))
    except Exception:  # a revert: the verifier rejects
        return False


def _forgeries(proof: bytes, instances: list[int]) -> list[tuple[str, bytes, list[int]]]:
    rng = random.Random(20)
    cases: list[tuple[str, bytes, list[int]]] = []
    for i, value in enumerate(instances):
        changed = list(instances)
        changed[i] = (value + 1) % R
        cases.append((f"instance {i} + 1", proof, changed))
    out_of_field = list(instances)
    out_of_field[0] += R
    cases.append(("instance 0 + R", proof, out_of_field))
    cases.append(("one instance fewer", proof, instances[:-1]))
    words = len(proof) // 32
    for w in sorted(rng.sample(range(words), 24)):
        changed_proof = bytearray(proof)
        changed_proof[32 * w + 31] ^= 1
        cases.append((f"proof word {w} flipped", bytes(changed_proof), instances))
    big = bytearray(proof)
    big[0:32] = Q.to_bytes(32, "big")
    cases.append(("first point x = q", bytes(big), instances))
    cases.append(("short proof", proof[:-32], instances))
    return cases


def test_transformed_verifier_agrees_with_ezkls(
    devnet: DevnetHandle, real_proof: tuple[bytes, list[int]]
) -> None:
    inputs = build_verifier.default_inputs(Path("."))
    raw = build_verifier.ezkl_source(inputs["vk"], inputs["settings"], inputs["srs"])
    shipped = load_artifact("Halo2Verifier").bytecode
    ezkl_address = _deploy(devnet, _compile(raw))
    ion_address = _deploy(devnet, shipped if shipped.startswith("0x") else "0x" + shipped)
    proof, instances = real_proof
    assert _verdict(devnet, ezkl_address, proof, instances) is True
    assert _verdict(devnet, ion_address, proof, instances) is True
    disagreements: list[Any] = []
    for name, p, inst in _forgeries(proof, instances):
        theirs = _verdict(devnet, ezkl_address, p, inst)
        ours = _verdict(devnet, ion_address, p, inst)
        if theirs or ours:
            disagreements.append((name, theirs, ours))
    assert disagreements == []
