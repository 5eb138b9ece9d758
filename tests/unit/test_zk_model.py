"""The shipped model and proof artifacts are reproducible from the sources in this repo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ion_cli.zk import ezkl_runner as er
from ion_cli.zk import layout, train


@pytest.fixture(autouse=True)
def zk_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing of ezkl's lands in the user's cache: keys and ezkl's own files go to tmp."""
    monkeypatch.setenv("ION_ZK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("EZKL_REPO_PATH", str(tmp_path / "ezkl-home"))


def test_retraining_reproduces_the_shipped_model_byte_for_byte(tmp_path: Path) -> None:
    summary = train.train(tmp_path)
    assert (tmp_path / "risk.onnx").read_bytes() == er.MODEL_FILE.read_bytes()
    assert summary["model_sha256"] == er.model_hash()
    shipped = json.loads((er.MODEL_DIR / "training.json").read_text())
    assert summary == shipped
    # the model card's claims: held-out accuracy against the rule
    assert summary["held_out"]["within_1pct"] >= 0.95
    assert summary["held_out"]["mae_haircut_small"] < 0.002


def test_the_model_declares_the_layouts_graph_inputs() -> None:
    import onnx

    model = onnx.load(str(er.MODEL_FILE))
    inputs = [(i.name, i.type.tensor_type.shape.dim[1].dim_value) for i in model.graph.input]
    assert inputs == list(layout.GRAPH_INPUTS)
    assert [o.name for o in model.graph.output] == [layout.GRAPH_OUTPUT]


def test_the_devnet_srs_is_the_pinned_one() -> None:
    assert er.sha256_file(er.DEVNET_SRS_FILE) == er.DEVNET_SRS_SHA256
    assert er.devnet_srs().kind == "devnet"


def test_shipped_settings_match_the_pinned_arguments(tmp_path: Path) -> None:
    """Regenerating settings changes only ezkl's timestamp (so the shipped file stays)."""
    er.gen_settings(er.MODEL_FILE, tmp_path / "settings.json")
    fresh = json.loads((tmp_path / "settings.json").read_text())
    shipped = json.loads(er.SETTINGS_FILE.read_text())
    for doc in (fresh, shipped):
        doc.pop("timestamp", None)
        doc["required_range_checks"] = sorted(doc["required_range_checks"])  # a set in ezkl
    assert fresh == shipped
    run_args = shipped["run_args"]
    for key, value in er.PINNED_SETTINGS.items():
        assert run_args[key] == value
    assert shipped["model_output_scales"] == [layout.OUTPUT_SCALE]
    assert shipped["model_input_scales"] == [layout.INPUT_SCALE] * len(layout.GRAPH_INPUTS)


def test_setup_with_the_shipped_srs_gives_the_shipped_verifying_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ION_ZK_CACHE", str(tmp_path / "cache"))
    c = er.circuit(er.devnet_srs(), lambda _: None)  # raises if the vk differed
    assert er.sha256_file(c.vk) == er.sha256_file(er.VK_FILE)


def test_a_damaged_key_cache_is_rebuilt_and_a_complete_one_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ION_ZK_CACHE", str(tmp_path / "cache"))
    said: list[str] = []
    first = er.circuit(er.devnet_srs(), said.append)
    assert any("generating the keys" in s for s in said)
    said.clear()
    again = er.circuit(er.devnet_srs(), said.append)
    assert again == first and said == []  # cached: no work, nothing said
    first.pk.unlink()
    rebuilt = er.circuit(er.devnet_srs(), said.append)
    assert rebuilt.pk.is_file() and any("generating the keys" in s for s in said)
