"""Fault scenarios of the risk-proof writes (`ion submit`, `ion oracle update`): they run under
the account's lock with the journal like every write. Checked through the chain (the feed's
accepted proofs, the oracle's update time, the account's nonce) and the journal (`audit`)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from faultkit import Chain, audit, ion, journal, run_ion, start_ion

from ion_cli.beacon.snapshot import Snapshot, StateRef, Validator
from ion_cli.testing.devnet import warp

pytestmark = pytest.mark.integration

COOLDOWN = 58 * 60
FAR = 2**64 - 1


@pytest.fixture(scope="module")
def zk_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("zk-cache")


def _proof(chain: Chain, folder: Path) -> Path:
    """A weETH risk proof of 64 validators (8 slashed) said to be at the post-state of a new
    devnet beacon block (the feed anchors the block through EIP-4788: a later block holds it)."""
    assert chain.devnet.beacon_url is not None
    warp(chain.w3, 12)
    head = httpx.get(f"{chain.devnet.beacon_url}/eth/v1/beacon/headers/head", timeout=30)
    block = head.json()["data"]
    slot = int(block["header"]["message"]["slot"])
    warp(chain.w3, 12)
    credential = chain.devnet.deployment.token("weETH").withdrawal_credentials[0]
    validators = tuple(
        Validator(
            index=7000 + i,
            pubkey="0x" + f"{i:096x}",
            withdrawal_credentials=credential,
            effective_balance=32 * 10**9,
            balance=32 * 10**9 - (10**9 if i < 8 else 0),
            slashed=i < 8,
            activation_eligibility_epoch=0,
            activation_epoch=10,
            exit_epoch=slot // 32 + 5 if i < 8 else FAR,
            withdrawable_epoch=slot // 32 + 8192 if i < 8 else FAR,
            status="active_slashed" if i < 8 else "active_ongoing",
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
    snap = folder / "snapshot.json"
    snap.write_text(json.dumps(Snapshot(state=state, validators=validators).to_json()))
    out = folder / "proof"
    made = ion("prove", "--lrt", "weETH", "--snapshot", str(snap), "--out", str(out))
    assert made.returncode == 0, made.stderr
    return out


def _start_cooldown(chain: Chain) -> None:
    """The reference oracle, like the public one, starts with lastUpdated = 0 (an update is
    allowed at once). One update by the admin starts the cooldown, so the submissions below are
    one step (the submit alone), and the dev account's nonce and journal are untouched."""
    from ion_cli.devnet.txbatch import encode_artifact_call

    oracle = chain.devnet.deployment.market("weETH").reserve_oracle
    tx = chain.w3.eth.send_transaction(
        {
            "from": chain.devnet.deployment.admin,
            "to": oracle,
            "data": encode_artifact_call("ReserveOracle", "updateExchangeRate"),
        }
    )
    assert chain.w3.eth.wait_for_transaction_receipt(tx, timeout=30)["status"] == 1


def _accepted_submissions(chain: Chain) -> int:
    """SubmissionPending events of the weETH feed (the chain's own count of submissions)."""
    feed = chain.devnet.deployment.market("weETH").risk_feed
    logs = chain.w3.eth.get_logs({"address": feed, "fromBlock": 0, "toBlock": "latest"})
    from ion_cli.adapters import event_topic

    topic = event_topic(
        "SubmissionPending(uint256,uint64,bytes32,bytes32,uint256,uint256,address,uint256,uint256)"
    )
    return sum(1 for log in logs if "0x" + bytes(log["topics"][0]).hex() == topic)


@pytest.mark.parametrize("stage", ["signed", "sent"])
def test_submit_killed_then_rerun_is_accepted_once(
    chain: Chain,
    stage: str,
    tmp_path: Path,
    zk_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ION_ZK_CACHE", str(zk_cache))
    proof = _proof(chain, tmp_path)
    _start_cooldown(chain)
    submit = ("submit", str(proof), "--market", "weETH", "--yes")
    before = _accepted_submissions(chain)
    base = chain.nonce()
    # signed: journaled, killed before the broadcast; sent: broadcast, killed before its receipt
    killed = run_ion(*submit, env={"ION_TEST_KILL_AT": f"{stage}:1"})
    assert killed.returncode == -9
    assert [e.method for e in journal().entries().values()], "journaled before the kill"
    again = ion(*submit, "--json")
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)
    assert result["accepted"] is True
    if stage == "sent":  # mined by then: the rerun sends nothing and says so
        assert "nothing more was sent" in again.stderr
    assert _accepted_submissions(chain) == before + 1
    receipt = json.loads((proof / "receipt.json").read_text())
    assert receipt["submission"]["tx_hash"] in [e.hash for e in journal().entries().values()]
    report = audit(f"submit: SIGKILL after {stage}, rerun", chain, base)
    assert len(report["mined"]) == 1
    # A third run sends nothing: the feed refuses the replay, in words.
    third = ion(*submit)
    assert third.returncode == 1 and "already accepted" in third.stderr
    assert chain.nonce() == base + 1 and _accepted_submissions(chain) == before + 1


def test_two_oracle_updates_at_once_update_once(chain: Chain) -> None:
    warp(chain.w3, COOLDOWN)
    base = chain.nonce()
    procs = [start_ion("oracle", "update", "weETH", "--yes") for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 3], outs  # one updates; the other is refused by the cooldown
    refused = next(err for p, (_, err) in zip(procs, outs, strict=True) if p.returncode == 3)
    assert "allows the next update" in refused and "Traceback" not in refused
    assert chain.nonce() == base + 1  # one transaction, never two
    report = audit("two oracle updates at once", chain, base)
    assert len(report["mined"]) == 1


@pytest.mark.parametrize("sig", ["INT", "TERM"])
def test_submit_interrupted_once_mined_reports_what_was_sent(
    chain: Chain, sig: str, tmp_path: Path, zk_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ION_ZK_CACHE", str(zk_cache))
    proof = _proof(chain, tmp_path)
    _start_cooldown(chain)
    submit = ("submit", str(proof), "--market", "weETH", "--yes")
    base = chain.nonce()
    stopped = run_ion(*submit, env={"ION_TEST_KILL_AT": f"mined:1:{sig}"})
    assert stopped.returncode == 130, stopped.stderr
    (entry,) = journal().entries().values()
    assert entry.hash in stopped.stderr  # the hash is printed
    assert "nothing to finish" in stopped.stderr
    # It was mined (and journaled so) before the signal, but its result was never printed: a
    # rerun reports it and sends nothing; the run after that is refused by the feed (a replay).
    again = ion(*submit, "--json")
    assert again.returncode == 0 and "nothing more was sent" in again.stderr, again.stderr
    assert json.loads(again.stdout)["accepted"] is True
    assert chain.nonce() == base + 1 and entry.state == "mined"
    third = ion(*submit)
    assert third.returncode == 1 and "already accepted" in third.stderr, third.stderr
    audit(f"submit: SIG{sig} once mined, rerun", chain, base)


def test_submit_killed_after_its_last_step_is_reported_not_repeated(
    chain: Chain, tmp_path: Path, zk_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ION_ZK_CACHE", str(zk_cache))
    proof = _proof(chain, tmp_path)
    submit = ("submit", str(proof), "--market", "weETH", "--yes")
    before = _accepted_submissions(chain)
    base = chain.nonce()
    killed = run_ion(*submit, env={"ION_TEST_KILL_AT": "done"})
    assert killed.returncode == -9
    again = ion(*submit, "--json")
    assert again.returncode == 0 and "nothing more was sent" in again.stderr, again.stderr
    assert json.loads(again.stdout)["accepted"] is True
    assert chain.nonce() == base + len(journal().entries())
    assert _accepted_submissions(chain) == before + 1
    receipt = json.loads((proof / "receipt.json").read_text())
    assert receipt["submission"]["tx_hash"] == next(iter(journal().entries()))
    audit("submit: SIGKILL after the last step, rerun", chain, base)
