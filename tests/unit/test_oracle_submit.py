"""The pure parts of `ion oracle` and `ion submit`: the oracle's next rate, clamp and cooldown
arithmetic (as ReserveOracle.updateExchangeRate computes it), and the rejection sentences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ion_cli.devnet.artifacts import load_artifact
from ion_cli.errors import UsageError
from ion_cli.flows.oracle import OracleStatus, cooldown_message
from ion_cli.flows.submit import explain, load_receipt
from ion_cli.zk import layout

WAD, RAY = 10**18, 10**27
FEED = "0x" + "11" * 20
ZERO = "0x" + "00" * 20


def status(current: int, protocol: int, feed: int, *, now: int = 10_000) -> OracleStatus:
    return OracleStatus(
        market="weETH",
        address="0x" + "22" * 20,
        current_rate=current,
        protocol_rate=protocol,
        feed_rates=(feed,),
        feeds=(FEED, ZERO, ZERO),
        quorum=1,
        max_change=3 * RAY // 100,
        cooldown=3480,
        last_updated=8_000,
        now=now,
    )


def test_the_target_is_the_lower_of_protocol_rate_and_feeds() -> None:
    assert status(WAD, WAD, WAD * 9 // 10).target == WAD * 9 // 10
    assert status(WAD, WAD * 9 // 10, WAD).target == WAD * 9 // 10


def test_one_update_moves_at_most_the_clamp_and_counts_the_steps() -> None:
    s = status(WAD, WAD, WAD * 90 // 100)
    assert s.bounds == (WAD * 97 // 100, WAD * 103 // 100)
    assert s.next_rate == WAD * 97 // 100
    # 1.0 -> 0.97 -> 0.9409 -> 0.912673 -> 0.9 (each step floors 3% of the rate)
    assert s.updates_to_target() == 4
    near = status(WAD, WAD, WAD * 99 // 100)
    assert near.next_rate == near.target and near.updates_to_target() == 1
    assert status(WAD, WAD, WAD).updates_to_target() == 0


def test_cooldown() -> None:
    s = status(WAD, WAD, WAD, now=10_000)
    assert not s.can_update and s.next_update_at == 11_480
    assert "in 24 min 40 s" in cooldown_message(s)
    assert status(WAD, WAD, WAD, now=11_480).can_update
    assert s.reads_feed(FEED.upper().replace("0X", "0x")) and not s.reads_feed(ZERO)


def test_a_never_updated_oracle_may_update_at_once() -> None:
    """The public ReserveOracle (and now the reference) starts with lastUpdated = 0."""
    from dataclasses import replace

    s = replace(status(WAD, WAD, WAD, now=1_765_000_000), last_updated=0)
    assert s.can_update and s.to_json()["never_updated"] is True
    assert s.to_json()["seconds_until_next_update"] == 0
    assert status(WAD, WAD, WAD).to_json()["never_updated"] is False


def test_every_feed_error_has_a_sentence() -> None:
    errors = [i["name"] for i in load_artifact("RiskFeed").abi if i.get("type") == "error"]
    for name in errors:
        if name in ("NotOwner", "InvalidConfig", "InvalidHaircutRange", "InvalidNetworkBounds"):
            continue  # admin and constructor errors: never met by a submission
        assert explain(name, {}) != name, name
    line = explain("SlotNotNewer", {"slot": 5, "lastSlot": 9})
    assert "slot 5 is not newer than the last accepted slot 9" in line
    assert "replay" in explain("AlreadySubmitted", {"slot": 5, "stateRoot": b"\x01" * 32})


def _folder(tmp_path: Path, receipt: object, proof: object | None) -> Path:
    (tmp_path / "receipt.json").write_text(json.dumps(receipt))
    if proof is not None:
        (tmp_path / "proof.json").write_text(json.dumps(proof))
    return tmp_path


def test_load_receipt(tmp_path: Path) -> None:
    inputs = layout.PublicInputs(
        features_q=(0,) * 8, slot=77, state_root="0x" + "ab" * 32, model_id="0x" + "01" * 8
    )
    proof = {
        "hex_proof": "0x" + "00" * 4,
        "instances": [[layout.felt_to_ezkl_hex(x) for x in inputs.instances(3)]],
    }
    receipt = {"lrt": "weETH", "beacon": {"slot": 77, "state_root": "0x" + "ab" * 32}}
    loaded = load_receipt(_folder(tmp_path, receipt, proof))
    assert (loaded.slot, loaded.lrt, loaded.block_root) == (77, "weETH", "0x" + "00" * 32)
    assert loaded.instances == inputs.instances(3)
    assert load_receipt(tmp_path / "receipt.json").slot == 77
    with pytest.raises(UsageError, match="no receipt"):
        load_receipt(tmp_path / "missing")
    (tmp_path / "proof.json").unlink()
    with pytest.raises(UsageError, match=r"no proof\.json"):
        load_receipt(tmp_path)
    _folder(tmp_path, {"lrt": "weETH"}, proof)
    with pytest.raises(UsageError, match="no beacon slot"):
        load_receipt(tmp_path)
