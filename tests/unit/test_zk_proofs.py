"""Proofs end to end, offline: prove from a snapshot, re-verify with ezkl alone and with
`ion verify`, and catch every kind of tampering (receipt, proof, instances, another model)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ion_cli.errors import RefusedError, UsageError
from ion_cli.flows.prove import prove
from ion_cli.flows.risk import SnapshotRequest
from ion_cli.flows.session import Session
from ion_cli.zk import ezkl_runner as er
from ion_cli.zk import layout, synthetic
from ion_cli.zk import receipt as rc
from ion_cli.zk.receipt_checks import check as check_receipt

ETH = 10**9
NETWORK_GWEI = 640 * ETH  # the set is half the network: slashing shows


@pytest.fixture(scope="session")
def zk_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One key cache for the session (the keys are made once)."""
    cache = tmp_path_factory.mktemp("zk-cache")
    old = os.environ.get("ION_ZK_CACHE")
    os.environ["ION_ZK_CACHE"] = str(cache)
    yield cache
    if old is None:
        os.environ.pop("ION_ZK_CACHE", None)
    else:
        os.environ["ION_ZK_CACHE"] = old


@pytest.fixture(scope="session")
def proven(tmp_path_factory: pytest.TempPathFactory, zk_cache: Path) -> Path:
    base = tmp_path_factory.mktemp("proof")
    snap = synthetic.uniform_set(10, slashed=3, credentials=2)
    snap_file = base / "snap.json"
    snap_file.write_text(json.dumps(snap.to_json()))
    request = SnapshotRequest(
        symbol="weETH", snapshot_file=snap_file, network_active_balance=NETWORK_GWEI
    )
    # No chain: a devnet the user (or `make demo`) left running would otherwise be read for the
    # restaking features at a pinned block, and the instances would depend on it.
    old = os.environ.get("ION_DEVNET_DIR")
    os.environ["ION_DEVNET_DIR"] = str(tmp_path_factory.mktemp("no-devnet"))
    try:
        result = prove(Session(network="devnet"), request, lambda _: None, out=base / "out")
    finally:
        if old is None:
            os.environ.pop("ION_DEVNET_DIR", None)
        else:
            os.environ["ION_DEVNET_DIR"] = old
    return result.folder


@pytest.fixture
def copy(proven: Path, tmp_path: Path, zk_cache: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(proven, target)
    return target


def _check(folder: Path) -> rc.Report:
    return check_receipt(folder, progress=lambda _: None)


def _failed(report: rc.Report) -> list[str]:
    return [c.name for c in report.checks if not c.ok]


def _edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2))


def test_the_receipt_has_every_field(proven: Path) -> None:
    r = json.loads((proven / rc.RECEIPT).read_text())
    assert r["model"]["sha256"] == er.model_hash()
    assert r["srs"]["sha256"] == er.DEVNET_SRS_SHA256
    assert r["ezkl_version"] == er.ezkl_version()
    for key in ("url", "state_id", "slot", "state_root", "block_root", "finalized"):
        assert key in r["beacon"]
    assert len(r["validator_indices"]) == 10
    assert r["network_context"]["active_balance"] == NETWORK_GWEI
    assert r["output"]["haircut_wad"] == str(layout.haircut_wad(r["output"]["score"]))
    assert r["submission"] is None
    # three of ten slashed in a set that is half the network: the model sees a real loss,
    # close to the rule's (the card's error bound)
    model = int(r["output"]["haircut_wad"]) / 1e18
    truth = int(r["rule"]["haircut_wad"]) / 1e18
    assert truth > 0.05
    assert abs(model - truth) < 0.04


def test_the_proof_verifies_with_ezkl_alone_from_the_receipts_files(proven: Path) -> None:
    import ezkl

    r = json.loads((proven / rc.RECEIPT).read_text())
    srs = Path(r["srs"]["path"])
    assert er.sha256_file(srs) == r["srs"]["sha256"]
    assert ezkl.verify(
        str(proven / r["proof"]["file"]),
        str(proven / r["settings"]["file"]),
        str(proven / r["vk"]["file"]),
        str(srs),
        False,
    )


def test_the_instances_follow_the_layout(proven: Path) -> None:
    r = json.loads((proven / rc.RECEIPT).read_text())
    loaded = rc.load(proven)
    inputs = layout.PublicInputs(
        features_q=tuple(r["features"]["quantized"]),
        slot=r["beacon"]["slot"],
        state_root=r["beacon"]["state_root"],
        model_id=layout.model_id(r["model"]["sha256"], r["lrt"]),
    )
    assert loaded.instances() == inputs.instances(r["output"]["score"])
    assert len(loaded.proof_bytes()) == r["proof"]["bytes"]


def test_ion_verify_accepts_an_untouched_folder(proven: Path) -> None:
    report = _check(proven)
    assert report.ok, _failed(report)


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("slot", lambda d: d["beacon"].update(slot=d["beacon"]["slot"] + 32)),
        ("state root", lambda d: d["beacon"].update(state_root="0x" + "ab" * 32)),
        ("features", lambda d: d["features"]["quantized"].__setitem__(0, 0)),
        ("score", lambda d: d["output"].update(score=d["output"]["score"] - 1)),
        ("haircut", lambda d: d["output"].update(haircut_wad="0")),
        ("model", lambda d: d["model"].update(sha256="0x" + "11" * 32)),
    ],
)
def test_ion_verify_catches_a_tampered_receipt(copy: Path, field: str, change: Any) -> None:
    _edit(copy / rc.RECEIPT, change)
    failed = _failed(_check(copy))
    assert failed, field
    assert any(field in name for name in failed), failed


def test_ion_verify_catches_a_tampered_proof_byte(copy: Path) -> None:
    def flip(d: dict[str, Any]) -> None:
        d["proof"][200] ^= 1
        d.pop("hex_proof", None)

    _edit(copy / rc.PROOF, flip)
    _edit(copy / rc.RECEIPT, lambda d: d["proof"].update(sha256=er.sha256_file(copy / rc.PROOF)))
    assert _failed(_check(copy)) == ["proof verifies (ezkl)"]


def test_ion_verify_catches_tampered_instances_even_with_a_matching_receipt(copy: Path) -> None:
    """Relabel the proof with another slot, and make the receipt agree: the proof fails."""
    new_slot = json.loads((copy / rc.RECEIPT).read_text())["beacon"]["slot"] + 1

    def relabel(d: dict[str, Any]) -> None:
        hi, lo = layout.slot_limbs(new_slot)
        d["instances"][0][layout.SLOT_AT] = layout.felt_to_ezkl_hex(hi * layout.LIMB_SCALE)
        d["instances"][0][layout.SLOT_AT + 1] = layout.felt_to_ezkl_hex(lo * layout.LIMB_SCALE)

    _edit(copy / rc.PROOF, relabel)

    def agree(d: dict[str, Any]) -> None:
        d["proof"]["sha256"] = er.sha256_file(copy / rc.PROOF)
        d["beacon"]["slot"] = new_slot

    _edit(copy / rc.RECEIPT, agree)
    failed = _failed(_check(copy))
    assert "proof verifies (ezkl)" in failed


def test_ion_verify_catches_a_changed_snapshot(copy: Path) -> None:
    _edit(copy / rc.SNAPSHOT, lambda d: d["validators"][5].update(slashed=True))
    _edit(
        copy / rc.RECEIPT, lambda d: d["snapshot"].update(sha256=er.sha256_file(copy / rc.SNAPSHOT))
    )
    # the features and the rule's figures both follow the snapshot; the committed tree's
    # leaves are no longer its records
    assert _failed(_check(copy)) == [
        "features recomputed",
        "rule recomputed",
        "commitment leaves",
    ]


def test_a_proof_made_with_another_model_is_detected(copy: Path, tmp_path: Path) -> None:
    """An attacker proves with their own model and keys and keeps the receipt's claims."""
    import ezkl
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(er.MODEL_FILE))
    for init in model.graph.initializer:
        if init.name == "b2":
            init.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(init) + 0.25, "b2"))
    other = tmp_path / "other.onnx"
    onnx.save(model, str(other))
    compiled = tmp_path / "other.compiled"
    assert ezkl.compile_circuit(str(other), str(compiled), str(er.SETTINGS_FILE))
    vk, pk = tmp_path / "vk.key", tmp_path / "pk.key"
    assert ezkl.setup(str(compiled), str(vk), str(pk), str(er.DEVNET_SRS_FILE), None, False)
    r = json.loads((copy / rc.RECEIPT).read_text())
    inputs = layout.PublicInputs(
        features_q=tuple(r["features"]["quantized"]),
        slot=r["beacon"]["slot"],
        state_root=r["beacon"]["state_root"],
        model_id=layout.model_id(r["model"]["sha256"], r["lrt"]),  # claims ion's model
    )
    data = tmp_path / "input.json"
    data.write_text(json.dumps({"input_data": inputs.graph_input()}))
    witness = tmp_path / "witness.json"
    ezkl.gen_witness(str(data), str(compiled), str(witness), None, None)
    ezkl.prove(str(witness), str(compiled), str(pk), str(copy / rc.PROOF), str(er.DEVNET_SRS_FILE))
    shutil.copyfile(vk, copy / rc.VK)
    score = layout.from_field(
        layout.felt_from_ezkl_hex(json.loads((copy / rc.PROOF).read_text())["instances"][0][-1])
    )
    assert score != r["output"]["score"]

    def agree(d: dict[str, Any]) -> None:
        d["proof"]["sha256"] = er.sha256_file(copy / rc.PROOF)
        d["vk"]["sha256"] = er.sha256_file(copy / rc.VK)
        d["output"]["score"] = score
        d["output"]["haircut_wad"] = str(layout.haircut_wad(score))
        d["output"]["p"] = score / layout.SCORE_ONE

    _edit(copy / rc.RECEIPT, agree)
    assert _failed(_check(copy)) == ["verifying key is the model's"]


def test_the_devnet_srs_is_refused_elsewhere_and_a_ceremony_srs_required() -> None:
    with pytest.raises(UsageError, match="`srs_file`"):
        er.resolve_srs(devnet=False, srs_file=None)
    with pytest.raises(RefusedError, match="development SRS"):
        er.resolve_srs(devnet=False, srs_file=er.DEVNET_SRS_FILE)
    assert er.resolve_srs(devnet=True, srs_file=None).kind == "devnet"


def test_prove_refuses_an_incomplete_set(tmp_path: Path, zk_cache: Path) -> None:
    from dataclasses import replace

    snap = replace(synthetic.uniform_set(4), complete=False)
    f = tmp_path / "snap.json"
    f.write_text(json.dumps(snap.to_json()))
    with pytest.raises(RefusedError, match="incomplete"):
        prove(
            Session(network="devnet"),
            SnapshotRequest(symbol="weETH", snapshot_file=f),
            lambda _: None,
            out=tmp_path / "out",
        )
