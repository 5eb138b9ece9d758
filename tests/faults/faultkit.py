"""Helpers of the fault scenarios: run `ion` as a real process (so it can be killed), read the
chain (nonce, txpool, gem, collateral, debt), and audit the journal against the chain."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ion_cli.chain.journal import Journal
from ion_cli.testing.devnet import DevnetHandle, Protocol

RESULTS: list[str] = []
ION = str(Path(sys.executable).parent / "ion")
CHAIN_ID = 31337
WAD = 10**18


def _default_signals() -> None:
    """A test run in the background inherits SIGINT ignored, and Python keeps it so: give the
    child the defaults a user's terminal would."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def run_ion(
    *args: str,
    env: dict[str, str] | None = None,
    stdout: Any = subprocess.PIPE,
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "ION_TESTING": "1", **(env or {})}
    done = subprocess.run(
        [ION, *args],
        env=full,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
        check=False,
        preexec_fn=_default_signals,
    )
    assert "Traceback" not in (done.stderr or "") + (done.stdout or "")
    return done


def ion(*args: str) -> subprocess.CompletedProcess[str]:
    """`ion` in-process (typer's runner): the same code without a process start (~1 s under
    load); for the runs that are not killed, raced or cut off from stdout."""
    from typer.testing import CliRunner

    from ion_cli.cli import app

    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def start_ion(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    full = {**os.environ, "ION_TESTING": "1", **(env or {})}
    return subprocess.Popen(
        [ION, *args],
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_signals,
    )


@dataclass
class Chain:
    devnet: DevnetHandle

    @property
    def w3(self) -> Any:
        return self.devnet.w3

    @property
    def me(self) -> str:
        return self.devnet.dev

    def rpc(self, method: str, *params: Any) -> Any:
        answer = self.w3.provider.make_request(method, list(params))
        assert "error" not in answer, answer
        return answer.get("result")

    def nonce(self, tag: str = "latest") -> int:
        return int(self.w3.eth.get_transaction_count(self.me, tag))

    def txpool(self) -> int:
        status = self.rpc("txpool_status")
        return int(status["pending"], 16) + int(status["queued"], 16)

    def automine(self, on: bool) -> None:
        self.rpc("evm_setAutomine", on)

    def mine(self) -> None:
        self.rpc("anvil_mine", "0x1")

    def _pool(self, market: str) -> tuple[str, int]:
        m = self.devnet.deployment.market(market)
        return m.pool, m.ilk_index

    def gem(self, market: str = "weETH") -> int:
        pool, ilk = self._pool(market)
        lens = self.devnet.deployment.shared.lens
        return int(Protocol(self.devnet).call(lens, "IonLens", "gem", pool, ilk, self.me))

    def collateral(self, market: str = "weETH") -> int:
        pool, ilk = self._pool(market)
        return int(Protocol(self.devnet).call(pool, "IonPool", "collateral", ilk, self.me))

    def debt(self, market: str = "weETH") -> int:
        pool, ilk = self._pool(market)
        return int(Protocol(self.devnet).call(pool, "IonPool", "normalizedDebt", ilk, self.me))


def journal() -> Journal:
    """The dev account's journal on the test devnet: the one chain identity of chain 31337 that
    this test's state dir has a journal for (journals are keyed by chain id + genesis)."""
    from ion_cli.chain.journal import chain_journals

    folders = chain_journals(CHAIN_ID)
    assert len(folders) <= 1, folders
    identity = folders[0].name if folders else f"{CHAIN_ID}-none"
    return Journal.for_chain(identity, DEV, chain_id=CHAIN_ID, genesis="")


DEV = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def audit(name: str, chain: Chain, base_nonce: int, *, pending_ok: int = 0) -> dict[str, Any]:
    """Reconcile (through `ion tx list`, as a user would) and check the journal against the
    chain: every entry resolved, every mined entry's receipt on chain in its recorded block, no
    plan step mined twice, and every nonce the account used since `base_nonce` accounted for by
    exactly one mined journal entry. Appends one line to the scenario report."""
    listed = ion("tx", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)["transactions"]
    everything = list(journal().entries().values())
    assert len(rows) == len(everything)
    entries = [e for e in everything if e.nonce >= base_nonce]  # this scenario's
    unresolved = [e for e in entries if e.state in ("signed", "sent", "reorged")]
    mined = [e for e in entries if e.state == "mined"]
    for entry in mined:
        receipt = chain.w3.eth.get_transaction_receipt(entry.hash)
        assert receipt["blockNumber"] == entry.block_number, entry
        assert receipt["blockHash"].hex().removeprefix("0x") == str(entry.block_hash).removeprefix(
            "0x"
        )
    steps = [(e.plan_id, e.step) for e in mined if not e.plan_id.startswith("cancel-")]
    twice = len(steps) - len(set(steps))
    nonces = [e.nonce for e in mined]
    used = chain.nonce() - base_nonce
    lost = len(unresolved) - pending_ok + abs(used - len(mined))
    assert len(nonces) == len(set(nonces)), "two mined entries share a nonce"
    assert twice == 0, f"a plan step was mined twice: {steps}"
    assert lost == 0, (used, len(mined), unresolved)
    RESULTS.append(
        f"{name:44} signed={len(entries):2} mined={len(mined):2} nonces={used:2} "
        f"twice=0 lost=0 pending={len(unresolved)}"
    )
    return {"entries": entries, "mined": mined}


def wait_for_replacement(process: subprocess.Popen[str], original: str, timeout: float = 60) -> str:
    """The hash of the speed-up or cancel of `original`, once the node has it (journal: sent)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        for entry in journal().entries().values():
            if entry.replaces == original and entry.state == "sent":
                return entry.hash
        assert time.monotonic() < deadline and process.poll() is None, process.poll()
        time.sleep(0.1)
