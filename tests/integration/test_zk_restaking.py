"""Restaking risk in the proven score (issue 25), on the devnet.

weETH's stakers are ether.fi nodes (op-3 800 ETH, op-4 400 ETH): the LRT's contracts cannot
enumerate them on chain, so its RiskFeed's RestakingFeatures follows the credential registry
(credential -> EigenPod -> owner -> operator). An AVS slash of op-3 raises the proven score and,
once submitted, lowers the reserve rate; a slash of op-1 (no weETH there) changes nothing; a
proof whose restaking features differ from the chain's at its pinned block is refused; an
allocation change (and a slash) after the pinned block leaves a sound proof acceptable.
Proofs are slow: keys are made once per module (ION_ZK_CACHE), each test proves at most once.
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
from ion_cli.devnet.txbatch import encode_artifact_call as encode_call
from ion_cli.testing.devnet import DevnetHandle, Protocol, Reverted, warp

pytestmark = pytest.mark.integration

FAR = 2**64 - 1


def ion(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    if code != 0:
        return result.stderr
    return json.loads(result.stdout) if "--json" in args else result.stdout


@pytest.fixture(scope="module")
def zk_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("zk-cache")


@pytest.fixture
def protocol(devnet: DevnetHandle, zk_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Protocol:
    monkeypatch.setenv("ION_ZK_CACHE", str(zk_cache))
    return Protocol(devnet)


def snapshot_file(devnet: DevnetHandle, path: Path) -> Path:
    """64 healthy weETH validators at a new anchored beacon block's post-state: the beacon
    part of the score is zero, so what moves it is restaking."""
    assert devnet.beacon_url is not None
    made = []
    for _ in range(2):  # the block, then one whose EIP-4788 entry holds its root
        warp(devnet.w3, 12)
        data = httpx.get(f"{devnet.beacon_url}/eth/v1/beacon/headers/head", timeout=30).json()
        message = data["data"]["header"]["message"]
        made.append((int(message["slot"]), message["state_root"], data["data"]["root"]))
    slot, state_root, block_root = made[0]
    credential = devnet.deployment.token("weETH").withdrawal_credentials[0]
    validators = tuple(
        Validator(
            index=6000 + i,
            pubkey="0x" + f"{i:096x}",
            withdrawal_credentials=credential,
            effective_balance=32 * 10**9,
            balance=32 * 10**9,
            slashed=False,
            activation_eligibility_epoch=0,
            activation_epoch=10,
            exit_epoch=FAR,
            withdrawable_epoch=FAR,
            status="active_ongoing",
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


def risk(snap: Path) -> dict[str, Any]:
    return dict(ion("risk", "--lrt", "weETH", "--snapshot", str(snap), "--json"))


def prove(snap: Path, out: Path) -> dict[str, Any]:
    ion("prove", "--lrt", "weETH", "--snapshot", str(snap), "--out", str(out), "--json")
    return dict(json.loads((out / "receipt.json").read_text()))


# Issue 20's standing bound, for a first bonded submit with the restaking reads (698k measured:
# weETH, perf's verifier pipeline; test_zk_standing_bounds measures it through `ion submit`).
FIRST_SUBMIT_GAS_BOUND = 700_000
FEATURES_AT_GAS_BOUND = 120_000  # weETH's two ether.fi nodes (measured 90k, cold)


def submit(protocol: Protocol, folder: Path) -> tuple[int, int]:
    """RiskFeed.submit with the receipt's proof, anchor, header and commitment and the feed's
    bond (what `ion submit` sends); returns the submission's id and the gas it used. A revert
    raises `Reverted`."""
    from ion_cli.flows.anchor_submit import anchor_timestamp, receipt_header
    from ion_cli.flows.session import Session
    from ion_cli.zk.feed import commitment_tuple, load_proof

    receipt = json.loads((folder / "receipt.json").read_text())
    session = Session()
    zk = protocol.devnet.deployment.zk
    assert zk is not None
    header = receipt_header(session, receipt)
    stamp = anchor_timestamp(session, header, zk.beacon_genesis_time)
    proof, instances = load_proof(folder / "proof.json")
    h = (
        header.slot,
        header.proposer_index,
        header.parent_root,
        header.state_root,
        header.body_root,
    )
    commitment = commitment_tuple(receipt["commitment"])
    feed = protocol.market("weETH").risk_feed
    assert feed is not None
    bond = protocol.call(feed, "RiskFeed", "bond")[0]
    args = (proof, instances, stamp, h, commitment)
    sent = protocol.send(protocol.dev, feed, "RiskFeed", "submit", *args, value=bond)
    return int(protocol.call(feed, "RiskFeed", "submissionCount")), int(sent["gasUsed"])


def finalize(protocol: Protocol, submission: int) -> None:
    """Past the challenge window, unchallenged: the submission becomes final (its rate)."""
    feed = protocol.market("weETH").risk_feed
    assert feed is not None
    warp(protocol.w3, int(protocol.call(feed, "RiskFeed", "CHALLENGE_WINDOW")) + 1)
    protocol.send(protocol.dev, feed, "RiskFeed", "finalize", submission)


def reserve_rate(protocol: Protocol) -> int:
    oracle = protocol.market("weETH").reserve_oracle
    return int(protocol.call(oracle, "ReserveOracle", "currentExchangeRate"))


def avs_slash(avs: str, set_id: int, operator: str, wad: str) -> dict[str, Any]:
    args = ["devnet", "avs-slash", "--avs", avs, "--set", str(set_id), "--operator", operator]
    return dict(ion(*args, "--wad", wad, "--yes", "--json"))


def test_restaking_features_are_read_through_the_registry(
    protocol: Protocol, tmp_path: Path
) -> None:
    doc = risk(snapshot_file(protocol.devnet, tmp_path / "snap.json"))
    r = doc["restaking"]
    assert r["names"] == ["avs_loss", "largest_operator_share"]
    # op-3 800 (its history slash is before the feed started counting), op-4 400
    assert len(r["operators"]) == 2 and len(r["positions"]) == 2
    assert r["quantized"] == [0, round(800 * 0.9 / (800 * 0.9 + 400) * 1024)]
    assert float(doc["rule"]["avs_loss_fraction"]) == 0.0


def test_a_slash_of_an_operator_it_does_not_use_changes_nothing(
    protocol: Protocol, tmp_path: Path
) -> None:
    snap = snapshot_file(protocol.devnet, tmp_path / "snap.json")
    before = risk(snap)
    avs_slash("avs-a", 0, "op-1", "50%")  # op-1: ezETH's and rswETH's, not weETH's
    after = risk(snap)
    assert after["restaking"]["quantized"] == before["restaking"]["quantized"]
    assert after["model"]["score"] == before["model"]["score"]
    assert after["restaking"]["pinned_block"] > before["restaking"]["pinned_block"]


def test_an_avs_slash_raises_the_proven_score_and_the_rate_falls(
    protocol: Protocol, tmp_path: Path
) -> None:
    snap = snapshot_file(protocol.devnet, tmp_path / "snap.json")
    before = risk(snap)
    rate_before = reserve_rate(protocol)
    # avs-c/7 takes 50% of op-3's allocation (0.30 of its 0.9 max): 1/6 of op-3's stake
    avs_slash("avs-c", 7, "op-3", "50%")
    warp(protocol.w3, 12)  # a proof pins the block before the latest: the slash's, here
    receipt = prove(snap, tmp_path / "proof")
    r = receipt["restaking"]
    assert r["pinned_block"] > 0 and r["unread"] is None
    assert receipt["instances"]["count"] == 35
    lost = 800 * 0.9 / 6
    assert float(r["loss_fraction"]) == pytest.approx(lost / (800 * 0.9 + 400), rel=1e-9)
    assert receipt["output"]["score"] > before["model"]["score"]
    assert float(receipt["rule"]["avs_loss_fraction"]) == pytest.approx(float(r["loss_fraction"]))

    # Between proving and submitting: an allocation change and another slash of op-3. The
    # feed reads the magnitudes as of the pinned block: the proof stays acceptable.
    ion(
        "devnet", "allocate", "--operator", "op-3", "--avs", "avs-a", "--set", "0",
        "--magnitude", "10%", "--yes", "--json",
    )  # fmt: skip
    avs_slash("avs-a", 0, "op-3", "10%")
    feed = protocol.market("weETH").risk_feed
    restaking = protocol.w3.to_checksum_address(protocol.call(feed, "RiskFeed", "RESTAKING"))
    reads = protocol.w3.eth.estimate_gas(
        {"to": restaking, "data": encode_call("RestakingFeatures", "featuresAt", r["pinned_block"])}
    )
    assert reads - 21_000 <= FEATURES_AT_GAS_BOUND, f"featuresAt costs {reads - 21_000:,} gas"
    submission, gas = submit(protocol, tmp_path / "proof")
    print(f"featuresAt {reads - 21_000:,} gas; first submit {gas:,} gas")
    assert gas <= FIRST_SUBMIT_GAS_BOUND, f"a first submit costs {gas:,} gas"
    finalize(protocol, submission)
    assert int(protocol.call(feed, "RiskFeed", "finalId")) == submission
    ion("oracle", "update", "weETH", "--yes")
    assert reserve_rate(protocol) < rate_before


def test_a_proof_with_other_restaking_features_is_refused(
    protocol: Protocol, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from ion_cli.flows import restaking_pin

    snap = snapshot_file(protocol.devnet, tmp_path / "snap.json")
    honest = restaking_pin.read

    def lying(session: Any, symbol: str, block: int | None = None) -> Any:
        found = honest(session, symbol, block)  # as if op-4 had been slashed by a quarter
        positions = tuple(
            replace(p, max_now=p.max_now * 3 // 4) if p.operator and p.max_now == p.max_then
            else p
            for p in found.positions
        )  # fmt: skip
        return replace(found, positions=positions)

    monkeypatch.setattr(restaking_pin, "read", lying)
    receipt = prove(snap, tmp_path / "proof")
    assert receipt["restaking"]["quantized"][0] > 0
    monkeypatch.setattr(restaking_pin, "read", honest)
    with pytest.raises(Reverted, match="RestakingMismatch"):
        submit(protocol, tmp_path / "proof")


def test_what_if_an_avs_slashed_shows_the_rate_and_the_vault_falling(
    protocol: Protocol, tmp_path: Path
) -> None:
    ion("deposit", "weETH", "10", "--yes")
    ion("borrow", "weETH", "6", "--yes")
    snap = snapshot_file(protocol.devnet, tmp_path / "snap.json")
    args = ["risk", "--lrt", "weETH", "--snapshot", str(snap), "--json"]
    doc = dict(ion(*args, "--what-if-avs-slashed", "avs-c:5%"))
    w = doc["what_if_avs"]
    # avs-c/7 holds op-3 (0.30 of its 0.9 stake) and op-4 (0.50): 5% of each allocation takes
    # 0.015 of op-3's stake and 0.025 of op-4's: 12 + 10 of weETH's 1,120 ETH
    names = protocol.devnet.deployment.raw["restaking"]["operators"]
    hit = {o["operator"].lower() for o in w["operators"]}
    assert hit == {names["op-3"].lower(), names["op-4"].lower()}
    assert float(w["added_loss"]) == pytest.approx(22 / 1120, rel=1e-6)
    assert float(w["reserve_rate_after"]) < float(w["reserve_rate_before"])
    (vault,) = w["vaults"]
    assert float(vault["health_after"]) < float(vault["health_before"])
    assert int(w["after"]["model"]["score"]) > int(doc["model"]["score"])
    # nothing was sent: the chain's features are as they were
    assert (
        ion("risk", "--lrt", "weETH", "--snapshot", str(snap), "--json")["restaking"]["quantized"]
        == doc["restaking"]["quantized"]
    )
