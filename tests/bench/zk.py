"""Risk-proof benchmark: cold (first setup) and warm proving, `ion prove` end to end, proof size,
and, when the generated verifier artifact exists, its bytecode size and verify gas on anvil.

Prints figures; asserts nothing. Run: `.venv/bin/python tests/bench/zk.py [runs]`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ion_cli.zk import ezkl_runner as er
from ion_cli.zk import layout, synthetic

BIN = Path(sys.executable).parent
ARTIFACT = Path(
    os.environ.get("ION_VERIFIER_ARTIFACT")
    or Path(er.PACKAGE_DIR).parent / "devnet" / "artifacts" / "Halo2Verifier.json"
)


def _snapshot_file(folder: Path) -> Path:
    f = folder / "snap.json"
    f.write_text(json.dumps(synthetic.uniform_set(64, slashed=5, credentials=4).to_json()))
    return f


def _ion_prove(snap: Path, out: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "ion"), "prove", "--lrt", "weETH", "--snapshot", str(snap), "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    return time.perf_counter() - started


def _gas(proof_dir: Path) -> None:
    if not ARTIFACT.is_file():
        print("verifier artifact: not in this tree (zkchain's Halo2Verifier.json)")
        return
    from web3 import Web3

    from ion_cli.devnet import node
    from ion_cli.zk import receipt as rc

    artifact = json.loads(ARTIFACT.read_text())
    code = artifact["bytecode"]
    code = code["object"] if isinstance(code, dict) else code
    print(f"verifier creation bytecode: {len(code.removeprefix('0x')) // 2} bytes")
    with tempfile.TemporaryDirectory() as tmp:
        proc, info = node.spawn(Path(tmp), extra_args=["--code-size-limit", "100000"])
        try:
            w3 = Web3(Web3.HTTPProvider(info.rpc_url))
            sender = w3.eth.accounts[0]
            tx = w3.eth.send_transaction({"from": sender, "data": code, "gas": 15_000_000})
            receipt = w3.eth.wait_for_transaction_receipt(tx)
            address = receipt["contractAddress"]
            runtime = w3.eth.get_code(address)
            print(f"verifier deployed code: {len(runtime)} bytes (limit 24,576)")
            print(f"verifier deploy gas: {receipt['gasUsed']:,}")
            loaded = rc.load(proof_dir)
            contract = w3.eth.contract(address=address, abi=artifact["abi"])
            fn = next(f for f in artifact["abi"] if f.get("name") == "verifyProof")
            call = contract.get_function_by_name(fn["name"])(
                loaded.proof_bytes(), loaded.instances()
            )
            gas = call.estimate_gas({"from": sender})
            print(f"verifyProof gas (estimate, tx included): {gas:,}")
        finally:
            node.terminate(proc.pid, timeout=5)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = dict(os.environ, ION_ZK_CACHE=str(folder / "cache"))
        os.environ["ION_ZK_CACHE"] = env["ION_ZK_CACHE"]
        snap = _snapshot_file(folder)
        started = time.perf_counter()
        circuit = er.circuit(er.devnet_srs(), lambda _: None)
        cold_setup = time.perf_counter() - started
        cold_cli = _ion_prove(snap, folder / "cold", env)  # keys cached: first CLI run
        inputs = layout.PublicInputs(
            features_q=(10,) * layout.N_FEATURES,
            slot=123,
            state_root="0x" + "12" * 32,
            model_id=layout.model_id(er.model_hash(), "weETH"),
        )
        prove_times, verify_times = [], []
        for i in range(runs):
            w = er.witness(circuit.base, inputs, folder / f"w{i}")
            started = time.perf_counter()
            er.prove(circuit, w, folder / f"p{i}.json")
            prove_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            er.verify(folder / f"p{i}.json", circuit.settings, circuit.vk, circuit.srs.path)
            verify_times.append(time.perf_counter() - started)
        cli_times = [_ion_prove(snap, folder / f"cli{i}", env) for i in range(runs)]
        proof = json.loads((folder / "cli0" / "proof.json").read_text())
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"model {er.model_hash()[:18]}, logrows {er.LOGROWS}, {layout.N_INSTANCES} instances")
        print(f"{os.cpu_count()} cores, load average {load} (other work slows every figure)")
        print(
            f"cold setup (compile + keys): {cold_setup:.2f} s; first `ion prove`: {cold_cli:.2f} s"
        )
        print(f"warm prove (ezkl.prove, median of {runs}): {statistics.median(prove_times):.3f} s")
        print(f"verify (ezkl.verify, median): {statistics.median(verify_times):.4f} s")
        print(
            f"warm `ion prove` end to end (median of {runs}): {statistics.median(cli_times):.2f} s"
        )
        print(f"proof: {len(proof['proof'])} bytes; pk {circuit.pk.stat().st_size:,} bytes")
        _gas(folder / "cli0")


if __name__ == "__main__":
    main()
