"""Gas breakdown of the risk model's Halo2 verifier on anvil, and of candidate circuit settings.

    .venv/bin/python tests/bench/zk_verifier.py               # the shipped verifier
    .venv/bin/python tests/bench/zk_verifier.py --candidates  # + settings candidates (1-2 min)

Each verifier is deployed on a throwaway anvil (`--steps-tracing`), called once with a real proof
in a transaction, and the trace counts the precompile calls: ecMul (0x07, 6,000 gas each), ecAdd
(0x06, 150), the pairing (0x08, 45,000 + 34,000 per pair); calldata is priced from the bytes (16
per non-zero, 4 per zero); opcodes are the rest after the 21,000 base. Candidates are built the
way `make verifier` builds the shipped one (ezkl's Solidity, build_verifier.transform's steps,
solc-js with the optimizer runs given), each with its own throwaway SRS. Prints; asserts nothing
(the bounds are tests/integration/test_zk_standing_bounds.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ion_cli.zk import ezkl_runner as er
from ion_cli.zk import layout
from ion_cli.zk.build_verifier import _CHILD, transform

ROOT = Path(__file__).resolve().parents[2]
SOLC = ROOT / "ion_cli/devnet/solc/solc"
RUNS = 1_000_000  # foundry.toml's profile for Halo2Verifier.sol

# (name, run-argument overrides of ezkl_runner.PINNED, optimizer runs)
CANDIDATES: list[tuple[str, dict[str, Any], int]] = [
    ("shipped settings, runs 200 (before)", {}, 200),
    ("shipped settings", {}, RUNS),
    ("decomp 256 x 3", {"decomp_base": 256, "decomp_legs": 3}, RUNS),
    ("decomp 1024 x 3", {"decomp_base": 1024, "decomp_legs": 3}, RUNS),
    ("decomp 16 x 7", {"decomp_base": 16, "decomp_legs": 7}, RUNS),
    ("decomp 2 x 16", {"decomp_base": 2, "decomp_legs": 16}, RUNS),
    ("no rebase (scale_rebase_multiplier 3)", {"scale_rebase_multiplier": 3}, RUNS),
    ("bounded_log_lookup", {"bounded_log_lookup": True}, RUNS),
    ("freivalds off", {"disable_freivalds": True}, RUNS),
    ("logrows 12", {"logrows": 12}, RUNS),
    ("2 inner columns, logrows 10", {"num_inner_cols": 2, "logrows": 10}, RUNS),
]


def sample_inputs() -> layout.PublicInputs:
    return layout.PublicInputs(
        features_q=tuple((100 + 137 * i) % 1024 for i in range(layout.N_FEATURES)),
        slot=123_456,
        state_root="0x" + "ab" * 32,
        model_id=layout.model_id(er.model_hash(), "weETH"),
    )


def compile_sol(source: str, runs: int) -> str:
    std = {
        "language": "Solidity",
        "sources": {"V.sol": {"content": source}},
        "settings": {
            "optimizer": {"enabled": True, "runs": runs},
            "evmVersion": "cancun",
            "outputSelection": {"*": {"*": ["evm.bytecode.object"]}},
        },
    }
    out = subprocess.run(
        [str(SOLC), "--standard-json"],
        input=json.dumps(std),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result = json.loads(out.stdout)
    errors = [e["message"] for e in result.get("errors", []) if e["severity"] == "error"]
    if errors:
        raise SystemExit(f"solc: {errors[0]}")
    return str(next(iter(result["contracts"]["V.sol"].values()))["evm"]["bytecode"]["object"])


def breakdown(code: str, proof: bytes, instances: list[int]) -> dict[str, int]:
    from eth_abi import encode
    from web3 import Web3

    from ion_cli.devnet import node

    with tempfile.TemporaryDirectory() as tmp:
        extra = ["--code-size-limit", "100000", "--steps-tracing"]
        proc, info = node.spawn(Path(tmp), extra_args=extra)
        try:
            w3 = Web3(Web3.HTTPProvider(info.rpc_url))
            sender = w3.eth.accounts[0]
            code = code if code.startswith("0x") else "0x" + code
            tx = w3.eth.send_transaction({"from": sender, "data": code, "gas": 15_000_000})
            deployed = w3.eth.wait_for_transaction_receipt(tx)
            selector = Web3.keccak(text="verifyProof(bytes,uint256[])")[:4]
            data = selector + encode(["bytes", "uint256[]"], [proof, instances])
            call = {"from": sender, "to": deployed["contractAddress"], "data": "0x" + data.hex()}
            tx = w3.eth.send_transaction({**call, "gas": 3_000_000})
            receipt = w3.eth.wait_for_transaction_receipt(tx)
            if receipt["status"] != 1:
                raise SystemExit("the verifier rejected a valid proof")
            trace = w3.provider.make_request(
                "debug_traceTransaction", ["0x" + bytes(tx).hex(), {"disableStorage": True}]
            )["result"]["structLogs"]
            runtime = len(w3.eth.get_code(deployed["contractAddress"]))
        finally:
            node.terminate(proc.pid, timeout=5)
    calls = {6: 0, 7: 0, 8: 0}
    for step in trace:
        if step["op"] == "STATICCALL":
            address = int(step["stack"][-2], 16)
            if address in calls:
                calls[address] += 1
    total = int(receipt["gasUsed"])
    parts = {
        "ecMul": calls[7] * 6000,
        "ecAdd": calls[6] * 150,
        "pairing": calls[8] * (45_000 + 2 * 34_000),
        "calldata": sum(16 if b else 4 for b in data),
        "base": 21_000,
    }
    return {
        "total": total,
        **parts,
        "opcodes": total - sum(parts.values()),
        "ecMuls": calls[7],
        "runtime": runtime,
        "proof": len(proof),
    }


def show(name: str, b: dict[str, int], extra: str = "") -> None:
    print(
        f"{name:40s} {b['total']:>8,} gas | {b['ecMuls']} ecMul {b['ecMul']:,} | "
        f"pairing {b['pairing']:,} | calldata {b['calldata']:,} | opcodes {b['opcodes']:,} | "
        f"ecAdd {b['ecAdd']:,} | proof {b['proof']:,} B | code {b['runtime']:,} B {extra}"
    )


def shipped() -> None:
    artifact = json.loads((ROOT / "ion_cli/devnet/artifacts/Halo2Verifier.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        c = er.circuit(er.devnet_srs(), lambda _: None)
        w = er.witness(c.base, sample_inputs(), folder)
        er.prove(c, w, folder / "proof.json")
        proof = json.loads((folder / "proof.json").read_text())
    data = bytes.fromhex(proof["hex_proof"].removeprefix("0x"))
    show("shipped verifier (artifact)", breakdown(artifact["bytecode"], data, w.instances))


def candidate(name: str, over: dict[str, Any], runs: int, folder: Path) -> None:
    import ezkl

    args = ezkl.PyRunArgs()
    for key, value in {**er.PINNED, **over}.items():
        setattr(args, key, value)
    settings, compiled = folder / "settings.json", folder / "model.compiled"
    ezkl.gen_settings(str(er.MODEL_FILE), str(settings), py_run_args=args)
    meta = json.loads(settings.read_text())
    logrows = meta["run_args"]["logrows"]
    ezkl.compile_circuit(str(er.MODEL_FILE), str(compiled), str(settings))
    srs = folder.parent / f"k{logrows}.srs"
    if not srs.exists():
        ezkl.gen_srs(str(srs), logrows)
    vk, pk = folder / "vk.key", folder / "pk.key"
    ezkl.setup(str(compiled), str(vk), str(pk), str(srs), None, False)
    (folder / "input.json").write_text(json.dumps({"input_data": sample_inputs().graph_input()}))
    witness, proof_file = folder / "witness.json", folder / "proof.json"
    ezkl.gen_witness(str(folder / "input.json"), str(compiled), str(witness), None, None)
    ezkl.prove(str(witness), str(compiled), str(pk), str(proof_file), str(srs))
    sol = folder / "Verifier.sol"
    child = [sys.executable, "-c", _CHILD, str(vk), str(settings), str(srs), str(sol)]
    subprocess.run([*child, str(folder / "v.abi")], cwd=folder, check=True, capture_output=True)
    source, dropped = transform(sol.read_text())
    proof = json.loads(proof_file.read_text())
    data = bytes.fromhex(proof["hex_proof"].removeprefix("0x"))
    instances = [layout.felt_from_ezkl_hex(x) for x in proof["instances"][0]]
    tables = len(meta["required_range_checks"])
    extra = f"| {tables} range tables, rows {meta['num_rows']}, zero folds dropped {dropped}"
    show(f"{name}, runs {runs:,}", breakdown(compile_sol(source, runs), data, instances), extra)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", action="store_true", help="also sweep CANDIDATES")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ion-bench-verifier-") as tmp:
        os.environ["ION_ZK_CACHE"] = str(Path(tmp) / "cache")
        os.environ["EZKL_REPO_PATH"] = str(Path(tmp) / "ezkl-home")
        shipped()
        if options.candidates:
            for i, (name, over, runs) in enumerate(CANDIDATES):
                folder = Path(tmp) / "candidates" / str(i)
                folder.mkdir(parents=True)
                candidate(name, over, runs, folder)
    sys.stdout.flush()
    os._exit(0)  # ezkl's EVM helper ran in a child, but keep the exit-time crash away anyway


if __name__ == "__main__":
    main()
