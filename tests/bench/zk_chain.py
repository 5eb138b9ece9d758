"""On-chain figures of risk proofs: verifier size, verify gas, RiskFeed.submit gas (first and
later submissions) and the reserve oracle update that follows, on a fresh devnet (anvil).

Prints figures; asserts nothing. Run: `.venv/bin/python tests/bench/zk_chain.py`.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from ion_cli.beacon.snapshot import Snapshot, StateRef, Validator
from ion_cli.cli import app
from ion_cli.devnet.artifacts import load_artifact
from ion_cli.testing.devnet import start_devnet, stop_devnet, warp
from ion_cli.zk.feed import load_proof

FAR = 2**64 - 1


def _snapshot(path: Path, credential: str, block: dict[str, Any], slashed: int) -> Path:
    """64 validators said to be at the post-state of `block` (a devnet beacon header answer):
    the feed anchors the block through EIP-4788, not yet the validators."""
    slot = int(block["header"]["message"]["slot"])
    epoch = slot // 32
    validators = tuple(
        Validator(
            index=9000 + i,
            pubkey="0x" + f"{i:096x}",
            withdrawal_credentials=credential,
            effective_balance=32 * 10**9,
            balance=32 * 10**9 - (2 * 10**9 if i < slashed else 0),
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
        state_root=block["header"]["message"]["state_root"],
        block_root=block["root"],
        finalized=True,
        execution_optimistic=False,
    )
    path.write_text(json.dumps(Snapshot(state=state, validators=validators).to_json()))
    return path


def _ion(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    if result.exit_code != 0:
        raise SystemExit(f"ion {' '.join(args)} failed: {result.stderr.strip()}")
    return json.loads(result.stdout)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ion-bench-zk-chain-") as tmp:
        root = Path(tmp)
        os.environ.update(
            {
                "ION_DEVNET_DIR": str(root / "devnet"),
                "ION_ZK_CACHE": str(root / "zk-cache"),
                "XDG_CONFIG_HOME": str(root / "config"),
                "XDG_DATA_HOME": str(root / "data"),
                "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
            }
        )
        (root / "devnet").mkdir()
        handle = start_devnet(root / "devnet")  # its beacon server feeds EIP-4788
        try:
            _measure(handle, root)
        finally:
            stop_devnet(handle)


def _measure(handle: Any, root: Path) -> None:
    w3 = handle.w3
    zk = handle.deployment.zk
    market = handle.deployment.market("weETH")
    credential = handle.deployment.token("weETH").withdrawal_credentials[0]
    code = w3.eth.get_code(zk.verifier)
    print(f"verifier runtime bytecode: {len(code):,} bytes (limit 24,576)")
    feed_code = w3.eth.get_code(market.risk_feed)
    print(f"RiskFeed runtime bytecode: {len(feed_code):,} bytes")

    def new_block() -> dict[str, Any]:
        warp(w3, 12)
        answer = httpx.get(f"{handle.beacon_url}/eth/v1/beacon/headers/head", timeout=30)
        return dict(answer.json()["data"])

    blocks = [new_block(), new_block()]
    warp(w3, 12)  # a block of a later slot holds the second one's root
    folders = []
    for n, block in enumerate(blocks):
        snap = _snapshot(root / f"snap{n}.json", credential, block, 16)
        out = root / f"proof{n}"
        _ion("prove", "--lrt", "weETH", "--snapshot", str(snap), "--out", str(out), "--json")
        folders.append(out)

    proof, instances = load_proof(folders[0] / "proof.json")
    verifier = w3.eth.contract(address=zk.verifier, abi=load_artifact("Halo2Verifier").abi)
    gas = verifier.functions.verifyProof(proof, instances).estimate_gas({"from": handle.dev})
    print(f"proof: {len(proof):,} bytes, {len(instances)} public instances")
    print(f"verifyProof gas (estimate, the 21,000 base and calldata included): {gas:,}")

    first = _ion("submit", str(folders[0]), "--market", "weETH", "--yes", "--json")
    steps = first["execution"]["steps"]
    print(f"submit gas, first proof (cold storage): {steps[0]['gas_used']:,}")
    warp(w3, 58 * 60)
    second = _ion("submit", str(folders[1]), "--market", "weETH", "--yes", "--json")
    steps = second["execution"]["steps"]
    print(f"submit gas, a later proof: {steps[0]['gas_used']:,}")
    if len(steps) > 1:
        print(f"reserve oracle update after it (QUORUM 1, the feed): {steps[1]['gas_used']:,}")


if __name__ == "__main__":
    main()
