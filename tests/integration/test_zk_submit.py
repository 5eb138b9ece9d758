"""Risk proofs on the devnet: `ion prove` -> `ion submit` -> the reserve rate and the position.

Real proofs of the shipped model (ezkl, the shipped devnet SRS) checked by the shipped Halo2
verifier through each market's RiskFeed, the ReserveOracle's FEED0. The validator snapshots are
files (`ion prove --snapshot`) naming the post-states of real devnet beacon blocks just behind
the devnet's clock (the feed anchors each proof's slot and state root to its block through
EIP-4788), so the proofs are fresh and anchorable.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ion_cli.beacon.snapshot import Snapshot, StateRef, Validator
from ion_cli.cli import app
from ion_cli.testing.devnet import DevnetHandle, Protocol, module_state, warp
from ion_cli.zk import layout

pytestmark = pytest.mark.integration

WAD = 10**18
RAY = 10**27
FAR = 2**64 - 1
COOLDOWN = 58 * 60


def ion(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    if code != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.startswith("error:")]
        assert len(lines) == 1, result.stderr
        return lines[0]
    return json.loads(result.stdout) if "--json" in args else result.stdout


def now_slot(devnet: DevnetHandle) -> int:
    zk = devnet.deployment.zk
    assert zk is not None
    block = devnet.w3.eth.get_block("latest")
    return (int(block["timestamp"]) - zk.beacon_genesis_time) // 12


@dataclass(frozen=True)
class Block:
    slot: int
    state_root: str
    root: str


def new_blocks(devnet: DevnetHandle, count: int) -> list[Block]:
    """`count` beacon blocks at new slots (one anvil block 12 s apart each), then one more
    block whose EIP-4788 entry holds the last one's root."""
    assert devnet.beacon_url is not None
    made = []
    for _ in range(count + 1):
        warp(devnet.w3, 12)
        answer = httpx.get(f"{devnet.beacon_url}/eth/v1/beacon/headers/head", timeout=30)
        data = answer.json()["data"]
        message = data["header"]["message"]
        made.append(Block(int(message["slot"]), message["state_root"], data["root"]))
    return made[:count]


def snapshot_file(
    devnet: DevnetHandle, path: Path, block: Block, slashed: int, shortfall_gwei: int
) -> Path:
    """64 weETH validators said to be at `block`'s post-state, the first `slashed` slashed and
    short of balance (the feed anchors the block, not yet the validators)."""
    slot = block.slot
    credential = devnet.deployment.token("weETH").withdrawal_credentials[0]
    epoch = slot // 32
    validators = []
    for i in range(64):
        hit = i < slashed
        validators.append(
            Validator(
                index=5000 + i,
                pubkey="0x" + f"{i:096x}",
                withdrawal_credentials=credential,
                effective_balance=32 * 10**9,
                balance=32 * 10**9 - (shortfall_gwei if hit else 0),
                slashed=hit,
                activation_eligibility_epoch=0,
                activation_epoch=10,
                exit_epoch=epoch + 5 if hit else FAR,
                withdrawable_epoch=epoch + 8192 if hit else FAR,
                status="active_slashed" if hit else "active_ongoing",
            )
        )
    state = StateRef(
        slot=slot,
        state_root=block.state_root,
        block_root=block.root,
        finalized=True,
        execution_optimistic=False,
    )
    path.write_text(json.dumps(Snapshot(state=state, validators=tuple(validators)).to_json()))
    return path


@dataclass(frozen=True)
class Proofs:
    heavy: Path  # the second of three new blocks, haircut above the oracle's 3% clamp
    older: Path  # the first
    newer: Path  # the third, a light haircut
    folder: Path


@pytest.fixture(scope="module")
def zk_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("zk-cache")


@pytest.fixture(scope="module")
def made_proofs(
    devnet_session: DevnetHandle, zk_cache: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Proofs]:
    """The three proofs, made once for the module (3 ezkl proofs: seconds each) on new blocks
    that stay for every test (module_state: set up before each test's snapshot)."""
    base = tmp_path_factory.mktemp("zk-submit")
    with module_state(devnet_session, base / "home") as mp:
        mp.setenv("ION_ZK_CACHE", str(zk_cache))
        older, heavy, newer = new_blocks(devnet_session, 3)
        made = {}
        for name, block, slashed, short in (
            ("heavy", heavy, 64, 16 * 10**9),
            ("older", older, 8, 10**9),
            ("newer", newer, 4, 10**8),
        ):
            snap = snapshot_file(devnet_session, base / f"{name}.json", block, slashed, short)
            out = base / name
            ion("prove", "--lrt", "weETH", "--snapshot", str(snap), "--out", str(out), "--json")
            made[name] = out
        yield Proofs(heavy=made["heavy"], older=made["older"], newer=made["newer"], folder=base)


@pytest.fixture
def proofs(
    made_proofs: Proofs,
    devnet: DevnetHandle,
    zk_cache: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Proofs:
    """This test's own copies (`ion submit` writes where it sent into the receipt)."""
    monkeypatch.setenv("ION_ZK_CACHE", str(zk_cache))
    heavy, older, newer = (
        _copy(getattr(made_proofs, name), tmp_path / name) for name in ("heavy", "older", "newer")
    )
    return Proofs(heavy=heavy, older=older, newer=newer, folder=tmp_path)


def receipt(path: Path) -> dict[str, Any]:
    return json.loads((path / "receipt.json").read_text())


def reserve_rate(protocol: Protocol) -> int:
    return int(
        protocol.call(
            protocol.market("weETH").reserve_oracle, "ReserveOracle", "currentExchangeRate"
        )
    )


def nonce(protocol: Protocol) -> int:
    return int(protocol.w3.eth.get_transaction_count(protocol.dev))


def clamped(rate: int, target: int) -> int:
    floor = rate - rate * (3 * RAY // 100) // RAY
    return max(target, floor)


@pytest.fixture
def protocol(devnet: DevnetHandle) -> Protocol:
    return Protocol(devnet)


def finalize(protocol: Protocol, market: str = "weETH") -> list[int]:
    """Let the feed's challenge window pass and finalize every pending submission (anyone may:
    here the dev account). Returns the ids finalized."""
    from ion_cli.zk.feed import read_pending, read_terms

    feed = protocol.market(market).risk_feed
    assert feed is not None
    warp(protocol.w3, read_terms(protocol.w3, feed).window)
    ids = [p.id for p in read_pending(protocol.w3, feed)]
    for i in ids:
        protocol.send(protocol.dev, feed, "RiskFeed", "finalize", i)
    return ids


# ---------------------------------------------------------------- accepted, and what it does


def test_reserve_rate_before_any_proof_is_the_protocol_rate(protocol: Protocol) -> None:
    market = protocol.market("weETH")
    assert market.risk_feed is not None
    oracle = market.reserve_oracle
    assert protocol.call(oracle, "ReserveOracle", "FEED0").lower() == market.risk_feed.lower()
    assert protocol.call(oracle, "ReserveOracle", "QUORUM") == 1
    protocol_rate = protocol.call(oracle, "ReserveOracle", "getProtocolExchangeRate")
    assert protocol.call(market.risk_feed, "RiskFeed", "getExchangeRate", 0) == protocol_rate
    warp(protocol.w3, COOLDOWN)
    before = reserve_rate(protocol)
    ion("oracle", "update", "weETH", "--yes")
    assert reserve_rate(protocol) == before == protocol_rate


def test_submit_lowers_the_reserve_rate_by_the_clamp_per_update(
    protocol: Protocol, proofs: Proofs
) -> None:
    # A weETH vault whose health the proof will lower.
    ion("deposit", "weETH", "10", "--yes")
    ion("borrow", "weETH", "6", "--yes")
    health_before = Decimal(ion("position", "weETH", "--json")["health"])
    market = protocol.market("weETH")
    feed = market.risk_feed
    assert feed is not None
    rate0 = reserve_rate(protocol)
    protocol_rate = protocol.call(market.reserve_oracle, "ReserveOracle", "getProtocolExchangeRate")

    # Like the public oracle, the reference starts with lastUpdated = 0: the first update is
    # allowed at once. One now starts the cooldown: the submission lands, the rate waits.
    assert protocol.call(market.reserve_oracle, "ReserveOracle", "lastUpdated") == 0
    assert ion("oracle", "show", "weETH", "--json")["can_update"] is True
    ion("oracle", "update", "weETH", "--yes")
    rate0 = reserve_rate(protocol)
    result = ion("submit", str(proofs.heavy), "--market", "weETH", "--yes", "--json")
    r = receipt(proofs.heavy)
    haircut = int(r["output"]["haircut_wad"])
    assert haircut > 3 * WAD // 100  # beyond the clamp: several updates to reach it
    assert result["accepted"] is True and result["reserve_rate_updated"] is False
    # Pending: the feed's rate does not move until the window passed and it was finalized.
    pending = result["pending"]
    assert pending["status"] == "pending" and pending["slot"] == r["beacon"]["slot"]
    assert int(pending["bond_wei"]) == 10**17 and "ion oracle finalize" in result["next_update"]
    assert result["latest"]["accepted"] is False
    assert protocol.call(feed, "RiskFeed", "getExchangeRate", 0) == protocol_rate
    assert finalize(protocol) == [pending["id"]]
    latest = ion("position", "weETH", "--json")["risk"]
    assert latest["slot"] == r["beacon"]["slot"]
    assert latest["state_root"] == r["beacon"]["state_root"]
    assert int(latest["haircut_wad"]) == haircut
    target = protocol_rate * (WAD - haircut) // WAD
    assert protocol.call(feed, "RiskFeed", "getExchangeRate", 0) == target
    assert reserve_rate(protocol) == rate0
    # The receipt now names where it went.
    sub = r["submission"]
    assert (
        sub["chain_id"] == 31337
        and sub["feed"] == feed
        and sub["tx_hash"] == result["execution"]["tx_hashes"][0]
    )

    # During the cooldown, `ion oracle update` says when it may run and sends nothing.
    sent = nonce(protocol)
    line = ion("oracle", "update", "weETH", "--yes", code=3)
    assert "allows the next update" in line
    assert nonce(protocol) == sent

    status = ion("oracle", "show", "weETH", "--json")
    assert status["target_rate"] == str(Decimal(target) / WAD).rstrip("0")
    assert status["updates_to_target"] > 1

    # `ion position` and `ion markets` show the accepted score, haircut, slot and its age.
    risk = ion("position", "weETH", "--json")["risk"]
    assert risk["accepted"] is True and risk["slot"] == r["beacon"]["slot"]
    assert int(risk["haircut_wad"]) == haircut and risk["age_seconds"] >= 12
    rows = {row["market"]: row for row in ion("markets", "--json")["markets"]}
    assert rows["weETH"]["risk"]["slot"] == r["beacon"]["slot"]
    assert rows["rsETH"]["risk"]["accepted"] is False
    shown = ion("position", "weETH")
    assert "risk proof (zk)" in shown and f"slot {r['beacon']['slot']}" in shown
    # A newer proof with a light haircut, submitted now (before the proof ages past the feed's
    # freshness bound): pending, it leaves the heavy one's rate alone until finalized.
    newer = ion("submit", str(proofs.newer), "--market", "weETH", "--yes", "--json")
    assert newer["pending"]["slot"] == receipt(proofs.newer)["beacon"]["slot"]
    assert newer["latest"]["slot"] == r["beacon"]["slot"]  # still the heavy one
    assert protocol.call(feed, "RiskFeed", "getExchangeRate", 0) == target

    rate = rate0
    for _ in range(2):
        warp(protocol.w3, COOLDOWN)
        out = ion("oracle", "update", "weETH", "--yes", "--json")
        expected = clamped(rate, target)
        assert expected == rate - rate * 3 // 100 or expected == target
        assert reserve_rate(protocol) == expected
        assert out["after"]["current_rate"] == str(Decimal(expected) / WAD).rstrip("0")
        rate = expected
    assert rate < rate0
    health_after = Decimal(ion("position", "weETH", "--json")["health"])
    # Health is proportional to the reserve rate.
    assert health_after < health_before
    ratio = health_after / health_before
    assert abs(ratio - Decimal(rate) / Decimal(rate0)) < Decimal("0.0001")

    # The newer proof replaces the heavy one once it is final (finalize has no freshness bound).
    finalize(protocol)
    risk = ion("position", "weETH", "--json")["risk"]
    assert risk["slot"] == receipt(proofs.newer)["beacon"]["slot"]


def test_submit_is_pending_until_the_window_passed_and_it_is_finalized(
    protocol: Protocol, proofs: Proofs
) -> None:
    """An account on no allowlist (there is none) submits with the bond; the rate moves only
    after `ion devnet advance` moved time past the window and someone finalized it."""
    from ion_cli.zk.feed import read_terms

    feed = protocol.market("weETH").risk_feed
    assert feed is not None
    oracle = protocol.market("weETH").reserve_oracle
    protocol_rate = protocol.call(oracle, "ReserveOracle", "getProtocolExchangeRate")
    terms = read_terms(protocol.w3, feed)
    assert terms.bond == terms.gas_cover + terms.reward + terms.burn and terms.burn > 0
    balance0 = protocol.w3.eth.get_balance(protocol.dev)
    warp(protocol.w3, COOLDOWN)
    result = ion("submit", str(proofs.heavy), "--market", "weETH", "--yes", "--json")
    assert result["reserve_rate_updated"] is False
    assert len(result["execution"]["tx_hashes"]) == 1  # no oracle update: nothing to follow
    sid = result["pending"]["id"]
    assert protocol.w3.eth.get_balance(feed) == terms.bond
    assert protocol.call(feed, "RiskFeed", "getExchangeRate", 0) == protocol_rate
    name, _ = protocol.revert_of(protocol.dev, feed, "RiskFeed", "finalize", sid)
    assert name == "WindowOpen"
    ion("devnet", "advance", "--epochs", "1", "--yes")  # 384 s: past the devnet's 300 s window
    protocol.send(protocol.dev, feed, "RiskFeed", "finalize", sid)
    assert protocol.w3.eth.get_balance(feed) == 0  # the bond went back
    assert balance0 - protocol.w3.eth.get_balance(protocol.dev) < terms.bond  # only gas spent
    haircut = int(receipt(proofs.heavy)["output"]["haircut_wad"])
    rate0 = reserve_rate(protocol)
    ion("oracle", "update", "weETH", "--yes")
    assert reserve_rate(protocol) == clamped(rate0, protocol_rate * (WAD - haircut) // WAD)


# ---------------------------------------------------------------- rejections


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _edit_proof(folder: Path, edit: Any) -> None:
    path = folder / "proof.json"
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


def _refused(folder: Path, protocol: Protocol, check: str, market: str = "weETH") -> str:
    """`ion submit` runs `ion verify` first: a receipt that fails it is refused, naming the
    check, before anything is read from or sent to the chain."""
    sent = nonce(protocol)
    line = ion("submit", str(folder), "--market", market, "--yes", code=1)
    assert line.startswith("error: refused: the receipt fails"), line
    assert f"'{check}'" in line, line
    assert nonce(protocol) == sent  # nothing was sent
    return line


def _feed_rejects(protocol: Protocol, folder: Path, error: str, market: str = "weETH") -> None:
    """The feed's own verdict on the folder's proof (past every client-side check)."""
    from ion_cli.flows.anchor_submit import anchor_timestamp, receipt_header
    from ion_cli.flows.session import Session
    from ion_cli.zk.feed import commitment_tuple, load_proof

    r = receipt(folder)
    proof, instances = load_proof(folder / "proof.json")
    feed = protocol.market(market).risk_feed
    assert feed is not None
    session = Session(network="devnet")
    zk = protocol.devnet.deployment.zk
    assert zk is not None
    h = receipt_header(session, r)
    args = (
        proof,
        instances,
        anchor_timestamp(session, h, zk.beacon_genesis_time),
        (h.slot, h.proposer_index, h.parent_root, h.state_root, h.body_root),
        commitment_tuple(r["commitment"]),
    )
    name, decoded = protocol.revert_of(protocol.dev, feed, "RiskFeed", "submit", *args)
    assert name == error, (name, decoded)


def _rehash(folder: Path) -> None:
    """The receipt names the edited proof.json's hash (a forger's next step)."""
    from ion_cli.zk.ezkl_runner import sha256_file

    doc = receipt(folder)
    doc["proof"]["sha256"] = sha256_file(folder / "proof.json")
    (folder / "receipt.json").write_text(json.dumps(doc))


def _rejected(folder: Path, protocol: Protocol, *words: str) -> str:
    sent = nonce(protocol)
    line = ion("submit", str(folder), "--market", "weETH", "--yes", code=1)
    assert line.startswith("error: rejected: "), line
    for word in words:
        assert word in line, line
    assert nonce(protocol) == sent  # nothing was sent
    return line


def test_tampered_proof_is_rejected(protocol: Protocol, proofs: Proofs) -> None:
    folder = _copy(proofs.heavy, proofs.folder / "tampered-proof")

    def flip(data: dict[str, Any]) -> None:
        raw = bytearray(bytes.fromhex(data["hex_proof"][2:]))
        raw[200] ^= 0x01
        data["hex_proof"] = "0x" + raw.hex()
        data["proof"] = list(raw)

    _edit_proof(folder, flip)
    _refused(folder, protocol, "proof.json hash")
    _rehash(folder)
    _refused(folder, protocol, "proof verifies (ezkl)")
    _feed_rejects(protocol, folder, "InvalidProof")


def test_tampered_instances_are_rejected(protocol: Protocol, proofs: Proofs) -> None:
    folder = _copy(proofs.heavy, proofs.folder / "tampered-score")

    def lower_score(data: dict[str, Any]) -> None:
        data["instances"][0][layout.SCORE_AT] = layout.felt_to_ezkl_hex(0)

    _edit_proof(folder, lower_score)
    _rehash(folder)
    _refused(folder, protocol, "proof verifies (ezkl)")
    _feed_rejects(protocol, folder, "InvalidProof")


def test_features_that_do_not_match_the_committed_sums_are_refused(
    protocol: Protocol, proofs: Proofs
) -> None:
    """The feed computes the features from the commitment's root sums: a receipt whose sums
    say fewer slashed validators than its proof's features is refused at submission."""
    folder = _copy(proofs.heavy, proofs.folder / "lying-sums")
    doc = receipt(folder)
    sums = doc["commitment"]["sums"]
    assert sums["slashed_effective"] > 0
    sums["slashed_effective"] = 0
    (folder / "receipt.json").write_text(json.dumps(doc))
    # `ion submit` refuses it first (`ion verify`: the tree no longer gives these sums) ...
    line = ion("submit", str(folder), "--market", "weETH", "--yes", code=1)
    assert "commitment" in line, line
    # ... and the feed itself, past every client-side check
    _feed_rejects(protocol, folder, "FeaturesMismatch")


def test_the_feeds_credentials_come_from_the_lrts_contracts_or_a_registry(
    protocol: Protocol,
) -> None:
    """ezETH's and rsETH's credential sets are read from their delegators' pods, and they are
    the credentials the devnet's beacon validators use; weETH's and rswETH's from a registry."""
    tokens = protocol.devnet.deployment["tokens"]
    for symbol, source in (("ezETH", "contracts"), ("rsETH", "contracts"), ("weETH", "registry")):
        shown = ion("oracle", "show", symbol, "--json")
        creds = shown["risk_feed_credentials"]
        assert creds["source"] == source, (symbol, creds)
        beacon = {str(c).lower() for c in tokens[symbol]["withdrawal_credentials"]}
        assert beacon and beacon <= set(creds["credentials"]), (symbol, beacon, creds)


def test_a_credential_change_after_a_submission_is_a_watch_event(
    protocol: Protocol, proofs: Proofs
) -> None:
    """The accepted submission snapshotted the registry's set; a credential added later leaves
    that snapshot alone and is an event of `ion watch`."""
    result = ion("submit", str(proofs.heavy), "--market", "weETH", "--yes", "--json")
    assert result["accepted"] is True
    snapshotted = result["pending"]["credentials_hash"]
    assert snapshotted != "0x" + "00" * 32
    finalize(protocol)

    def watch() -> list[dict[str, Any]]:
        out = CliRunner().invoke(
            app, ["watch", "--once", "--json", "--market", "weETH", "--max-proof-age", "off"]
        )
        assert "Traceback" not in out.stdout + out.stderr, out.stderr
        return [json.loads(line) for line in out.stdout.splitlines()]

    assert not [e for e in watch() if e["kind"] == "credential_set_changed"]
    registry = protocol.devnet.deployment["markets"]["weETH"]["credentials"]
    new = bytes([1]) + bytes(11) + bytes.fromhex("be" * 20)
    protocol.send(protocol.devnet.admin, registry, "CredentialRegistry", "add", [new])
    changed = [e for e in watch() if e["kind"] == "credential_set_changed"]
    assert len(changed) == 1 and changed[0]["snapshotted"] == snapshotted
    assert (
        changed[0]["count"]
        == len(protocol.devnet.deployment["tokens"]["weETH"]["withdrawal_credentials"]) + 1
    )
    feed = protocol.market("weETH").risk_feed
    latest = protocol.call(feed, "RiskFeed", "latest")
    assert "0x" + bytes(latest[8]).hex() == snapshotted  # the old snapshot stays


def _relabel_receipt(folder: Path, to: dict[str, Any]) -> None:
    doc = receipt(folder)
    for key in ("slot", "state_root", "block_root"):
        doc["beacon"][key] = to["beacon"][key]
    (folder / "receipt.json").write_text(json.dumps(doc))


def test_same_proof_with_another_slot_or_state_root_is_rejected(
    protocol: Protocol, proofs: Proofs
) -> None:
    newer = receipt(proofs.newer)
    # Relabelled instances (another anchored block's slot and root) with the receipt to match:
    # the anchoring passes, the proof fails.
    folder = _copy(proofs.heavy, proofs.folder / "relabelled")

    def relabel(data: dict[str, Any]) -> None:
        inst = data["instances"][0]
        for i, limb in enumerate(layout.slot_limbs(newer["beacon"]["slot"])):
            inst[layout.SLOT_AT + i] = layout.felt_to_ezkl_hex(limb * layout.FEATURE_ONE)
        for i, limb in enumerate(layout.root_limbs(newer["beacon"]["state_root"])):
            inst[layout.ROOT_AT + i] = layout.felt_to_ezkl_hex(limb * layout.FEATURE_ONE)

    _edit_proof(folder, relabel)
    _relabel_receipt(folder, newer)
    _rehash(folder)
    _refused(folder, protocol, "proof verifies (ezkl)")
    _feed_rejects(protocol, folder, "InvalidProof")
    # The proof untouched, submitted with another (anchored, real) block: `ion submit` refuses
    # (the receipt's slot is not the proof's); the feed itself reads the block's state root from
    # its header and finds the proof commits to another.
    folder = _copy(proofs.heavy, proofs.folder / "other-block")
    _relabel_receipt(folder, newer)
    _refused(folder, protocol, "instances: slot")
    _feed_rejects(protocol, folder, "StateRootMismatch")


def test_a_block_the_chain_does_not_know_is_refused(protocol: Protocol, proofs: Proofs) -> None:
    """A receipt whose block root names no block of this devnet's beacon chain: refused before
    anything is sent (the header cannot be found or does not hash to it)."""
    folder = _copy(proofs.heavy, proofs.folder / "unknown-block")
    doc = receipt(folder)
    doc["beacon"]["block_root"] = "0x" + "42" * 32
    (folder / "receipt.json").write_text(json.dumps(doc))
    sent = nonce(protocol)
    result = CliRunner().invoke(app, ["submit", str(folder), "--market", "weETH", "--yes"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert nonce(protocol) == sent


def test_replayed_and_older_proofs_are_rejected(protocol: Protocol, proofs: Proofs) -> None:
    ion("submit", str(proofs.heavy), "--market", "weETH", "--yes")
    finalize(protocol)
    _rejected(proofs.heavy, protocol, "already accepted", "replay")
    _rejected(proofs.older, protocol, "not newer than the last accepted slot")


def test_stale_slot_is_rejected(protocol: Protocol, proofs: Proofs) -> None:
    zk = protocol.devnet.deployment.zk
    assert zk is not None
    warp(protocol.w3, zk.max_slot_age + 60)
    _rejected(proofs.heavy, protocol, "beyond the feed's freshness bound")


def test_proof_of_another_model_is_rejected(protocol: Protocol, proofs: Proofs) -> None:
    # The proof claims another model id: the feed refuses it before verifying.
    folder = _copy(proofs.heavy, proofs.folder / "other-model-id")

    def other_model(data: dict[str, Any]) -> None:
        inst = data["instances"][0]
        for i in range(layout.MODEL_ID_LIMBS):
            inst[layout.MODEL_ID_AT + i] = layout.felt_to_ezkl_hex(7 * layout.FEATURE_ONE)

    _edit_proof(folder, other_model)
    _rehash(folder)
    _refused(folder, protocol, "proof verifies (ezkl)")
    _feed_rejects(protocol, folder, "WrongModel")


def test_real_proof_of_another_model_claiming_ours_is_rejected(
    protocol: Protocol, proofs: Proofs, tmp_path: Path
) -> None:
    """Someone proves with their own model (ion's with a shifted output bias: a lower haircut
    would suit a borrower) and its own keys, claiming ion's model id: the verifier, which
    embeds ion's verifying key, refuses the proof."""
    import ezkl
    import onnx
    from onnx import numpy_helper

    from ion_cli.zk import ezkl_runner as er

    model = onnx.load(str(er.MODEL_FILE))
    for init in model.graph.initializer:
        if init.name == "b2":
            init.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(init) - 0.25, "b2"))
    other = tmp_path / "other.onnx"
    onnx.save(model, str(other))
    compiled, vk, pk = tmp_path / "c", tmp_path / "vk", tmp_path / "pk"
    assert ezkl.compile_circuit(str(other), str(compiled), str(er.SETTINGS_FILE))
    assert ezkl.setup(str(compiled), str(vk), str(pk), str(er.DEVNET_SRS_FILE), None, False)
    folder = _copy(proofs.heavy, proofs.folder / "another-model")
    r = receipt(folder)
    inputs = layout.PublicInputs(
        features_q=tuple(r["features"]["quantized"]),
        slot=r["beacon"]["slot"],
        state_root=r["beacon"]["state_root"],
        model_id=layout.model_id(r["model"]["sha256"], r["lrt"]),
        restaking_q=tuple(r["restaking"]["quantized"]),  # the chain's: only the model differs
        block=r["restaking"]["pinned_block"],
    )
    (tmp_path / "input.json").write_text(json.dumps({"input_data": inputs.graph_input()}))
    ezkl.gen_witness(str(tmp_path / "input.json"), str(compiled), str(tmp_path / "w"), None, None)
    ezkl.prove(
        str(tmp_path / "w"),
        str(compiled),
        str(pk),
        str(folder / "proof.json"),
        str(er.DEVNET_SRS_FILE),
    )
    assert ezkl.verify(
        str(folder / "proof.json"), str(er.SETTINGS_FILE), str(vk), str(er.DEVNET_SRS_FILE)
    )
    _rehash(folder)
    _refused(folder, protocol, "proof verifies (ezkl)")
    _feed_rejects(protocol, folder, "InvalidProof")


def test_a_paused_feed_refuses_submissions(protocol: Protocol, proofs: Proofs) -> None:
    """No allowlist: the owner's only power is the emergency pause."""
    feed = protocol.market("weETH").risk_feed
    protocol.send(protocol.admin, feed, "RiskFeed", "setPaused", True)
    _rejected(proofs.heavy, protocol, "paused")
    protocol.send(protocol.admin, feed, "RiskFeed", "setPaused", False)


def test_a_receipt_for_another_token_or_market_without_feed(
    protocol: Protocol, proofs: Proofs, tmp_path: Path
) -> None:
    # A proof for the wrong token is a rejected proof: exit 1, as the README says.
    sent = nonce(protocol)
    line = ion("submit", str(proofs.heavy), "--market", "rsETH", "--yes", code=1)
    assert line.startswith("error: rejected: the proof rates the validators behind weETH"), line
    assert nonce(protocol) == sent
    line = ion("submit", str(tmp_path / "nothing"), "--market", "weETH", "--yes", code=2)
    assert "no receipt" in line


def test_a_weeth_proof_is_refused_on_chain_by_the_rseth_feed(
    protocol: Protocol, proofs: Proofs
) -> None:
    """The model id binds ion's model to the token: the rsETH feed refuses a weETH proof itself
    (WrongModel), not only the CLI's receipt check."""
    from ion_cli.devnet.txbatch import encode_artifact_call
    from ion_cli.zk.feed import load_proof

    r = receipt(proofs.heavy)
    proof, instances = load_proof(proofs.heavy / "proof.json")
    weeth_id = layout.model_id(r["model"]["sha256"], "weETH")
    rseth_id = layout.model_id(r["model"]["sha256"], "rsETH")
    assert r["model"]["id"] == weeth_id != rseth_id
    feed = protocol.market("rsETH").risk_feed
    assert feed is not None
    assert "0x" + bytes(protocol.call(feed, "RiskFeed", "MODEL_ID")).hex() == rseth_id
    from ion_cli.flows.anchor_submit import anchor_timestamp, receipt_header
    from ion_cli.flows.session import Session
    from ion_cli.zk.feed import commitment_tuple

    session = Session(network="devnet")
    zk = protocol.devnet.deployment.zk
    assert zk is not None
    header = receipt_header(session, r)
    h = header
    args = (
        proof,
        instances,
        anchor_timestamp(session, header, zk.beacon_genesis_time),
        (h.slot, h.proposer_index, h.parent_root, h.state_root, h.body_root),
        commitment_tuple(r["commitment"]),
    )
    name, decoded = protocol.revert_of(protocol.dev, feed, "RiskFeed", "submit", *args)
    assert name == "WrongModel", (name, decoded)
    # Sent anyway, past every client-side check: mined, reverted, nothing recorded.
    tx_hash = protocol.w3.eth.send_transaction(
        {
            "from": protocol.dev,
            "to": feed,
            "data": encode_artifact_call("RiskFeed", "submit", *args),
            "gas": 2_000_000,
        }
    )
    mined = protocol.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    assert mined["status"] == 0
    assert protocol.call(feed, "RiskFeed", "hasScore") is False
    # The same proof is good on its own token's feed.
    weeth_feed = protocol.market("weETH").risk_feed
    assert weeth_feed is not None
    bond = protocol.call(weeth_feed, "RiskFeed", "bond")[0]
    protocol.send(protocol.dev, weeth_feed, "RiskFeed", "submit", *args, value=bond)
    finalize(protocol)
    assert protocol.call(weeth_feed, "RiskFeed", "hasScore") is True


def test_a_receipt_relabelled_to_another_token_is_explained(
    protocol: Protocol, proofs: Proofs
) -> None:
    # The receipt says rsETH (so the CLI's own check passes): the feed refuses, ion says why.
    folder = _copy(proofs.heavy, proofs.folder / "relabelled-token")
    doc = receipt(folder)
    doc["lrt"] = "rsETH"
    (folder / "receipt.json").write_text(json.dumps(doc))
    sent = nonce(protocol)
    line = ion("submit", str(folder), "--market", "rsETH", "--yes", code=1)
    assert line.startswith("error: rejected: the proof rates the validators behind weETH"), line
    assert "submit it to the weETH market" in line
    assert nonce(protocol) == sent
    # `ion verify` catches the relabelled receipt offline.
    result = CliRunner().invoke(app, ["verify", str(folder), "--json"])
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "model id" in result.stdout + result.stderr


def test_mainnet_markets_do_not_read_a_risk_feed(proofs: Proofs) -> None:
    line = ion(
        "submit", str(proofs.heavy), "--market", "weETH", "--network", "mainnet", "--yes",
        "--rpc-url", "http://127.0.0.1:9", code=3,
    )  # fmt: skip
    assert "on mainnet" in line and "does not read a risk feed" in line


# ---------------------------------------------------------------- from the beacon server


def test_slashing_on_the_beacon_chain_proven_and_submitted_lowers_health(
    protocol: Protocol, zk_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole road: weETH validators slashed on the devnet's beacon chain, finality
    reached, `ion prove` from the beacon server, `ion submit`; the reserve rate then falls by
    the oracle's 3% clamp per update until it reaches the risk-adjusted rate."""
    monkeypatch.setenv("ION_ZK_CACHE", str(zk_cache))
    ion("deposit", "weETH", "10", "--yes")
    ion("borrow", "weETH", "6", "--yes")
    health0 = Decimal(ion("position", "weETH", "--json")["health"])
    rate0 = reserve_rate(protocol)

    ion("devnet", "slash", "--lrt", "weETH", "--count", "700", "--yes", "--json")
    ion("devnet", "advance", "--epochs", "3", "--yes")
    out = tmp_path / "proof"
    ion("prove", "--lrt", "weETH", "--out", str(out), "--json")
    r = receipt(out)
    assert r["beacon"]["finalized"] is True
    # The receipt says what was trusted: the node the validators came from, one node's word.
    assert r["beacon"]["nodes"] and "127.0.0.1" in r["beacon"]["nodes"][0]
    assert r["beacon"]["cross_checked"] is False
    haircut = int(r["output"]["haircut_wad"])
    assert haircut > 3 * WAD // 100, r["output"]  # 700 of ~3,200 validators: beyond the clamp

    result = ion("submit", str(out), "--market", "weETH", "--yes", "--json")
    assert result["accepted"] is True and result["reserve_rate_updated"] is False
    finalize(protocol)
    warp(protocol.w3, COOLDOWN)
    ion("oracle", "update", "weETH", "--yes")
    market = protocol.market("weETH")
    protocol_rate = protocol.call(market.reserve_oracle, "ReserveOracle", "getProtocolExchangeRate")
    target = protocol_rate * (WAD - haircut) // WAD
    rate1 = reserve_rate(protocol)
    assert rate1 == clamped(rate0, target) == rate0 - rate0 * 3 // 100
    health1 = Decimal(ion("position", "weETH", "--json")["health"])
    assert health1 < health0

    warp(protocol.w3, COOLDOWN)
    ion("oracle", "update", "weETH", "--yes")
    rate2 = reserve_rate(protocol)
    assert rate2 == clamped(rate1, target) < rate1
    health2 = Decimal(ion("position", "weETH", "--json")["health"])
    assert health2 < health1
    assert abs(health2 / health0 - Decimal(rate2) / Decimal(rate0)) < Decimal("0.0001")


# ---------------------------------------------------------------- receipts checked whole


def _bump_slot(doc: dict[str, Any]) -> None:
    doc["beacon"]["slot"] += 32
    doc["beacon"]["epoch"] += 1


@pytest.mark.parametrize(
    ("edit", "check"),
    [
        (lambda doc: doc["output"].update(score=doc["output"]["score"] - 100), "instances: score"),
        (
            lambda doc: doc["features"].update(quantized=[0] * len(doc["features"]["quantized"])),
            "instances: features",
        ),
        (_bump_slot, "instances: slot"),
        (lambda doc: doc.update(network="mainnet"), "network"),
    ],
    ids=["score", "features", "slot+32", "network"],
)
def test_submit_refuses_an_edited_receipt_naming_the_check(
    protocol: Protocol, proofs: Proofs, edit: Any, check: str
) -> None:
    """Issue 17: a receipt whose slot was raised by 32 was sent (and got a submission record);
    an edited score was reported as acceptable. Now neither is sent nor recorded."""
    folder = _copy(proofs.heavy, proofs.folder / f"edited-{check.replace(' ', '-')}")
    doc = receipt(folder)
    edit(doc)
    (folder / "receipt.json").write_text(json.dumps(doc))
    _refused(folder, protocol, check)
    assert receipt(folder)["submission"] is None  # nothing recorded
    # --dry-run is refused the same way (it would have said "the feed would accept the proof").
    line = ion("submit", str(folder), "--market", "weETH", "--dry-run", code=1)
    assert f"'{check}'" in line


@pytest.mark.parametrize("name", ["snapshot.json", "proof.json", "vk.key", "settings.json"])
def test_submit_refuses_a_receipt_with_a_missing_file(
    protocol: Protocol, proofs: Proofs, name: str
) -> None:
    folder = _copy(proofs.heavy, proofs.folder / f"missing-{name}")
    (folder / name).unlink()
    _refused(folder, protocol, f"{name} present")


def test_submit_previews_and_records_what_the_proof_carries(
    protocol: Protocol, proofs: Proofs
) -> None:
    """The preview and the record come from the proof's instances; `ion verify` then checks the
    submission record against the chain."""
    r = receipt(proofs.heavy)
    warp(protocol.w3, COOLDOWN)
    dry = ion("submit", str(proofs.heavy), "--market", "weETH", "--dry-run", "--json")
    summary = dry["plan"]["summary"]
    assert summary["slot"] == r["beacon"]["slot"]
    assert summary["score"] == r["output"]["score"]
    ion("submit", str(proofs.heavy), "--market", "weETH", "--yes")
    checked = CliRunner().invoke(app, ["verify", str(proofs.heavy), "--json"])
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    rows = {c["check"]: c for c in json.loads(checked.stdout)["checks"]}
    assert rows["submission on chain"]["ok"] is True
    assert rows["submission on chain"]["skipped"] is False
    # A forged record (another transaction hash) fails against the chain.
    doc = receipt(proofs.heavy)
    doc["submission"]["tx_hash"] = "0x" + "ab" * 32
    (proofs.heavy / "receipt.json").write_text(json.dumps(doc))
    forged = CliRunner().invoke(app, ["verify", str(proofs.heavy), "--json"])
    assert forged.exit_code == 1
    assert "submission on chain" in forged.stderr
    # ... and `ion submit` runs that check too: refused, naming it, nothing sent.
    _refused(proofs.heavy, protocol, "submission on chain")
