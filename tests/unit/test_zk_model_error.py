"""Standing bound on the shipped model's error (issue 20 item 5): mean absolute error against the
rule on the held-out scenarios at most 0.1 percentage points of haircut.

Computed afresh from the shipped ONNX file's weights, the feature code and the rule (not read from
training.json), so a change of the model, its features, the rule or the scenario generator trips
it; and for the scores the circuit computes (fixed point, checked against ezkl's own witness),
which is what a proof carries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ion_cli.zk import ezkl_runner as er
from ion_cli.zk import layout, train

MAE_BOUND = 0.001  # 0.1 percentage points of haircut (haircut 1.0 = 100%)


@pytest.fixture(scope="module")
def params() -> dict[str, Any]:
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(er.MODEL_FILE))
    return {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}


@pytest.fixture(scope="module")
def held_out() -> train.Dataset:
    return train.dataset(train.SEED_HELD_OUT, train.N_HELD_OUT)


def test_held_out_error_against_the_rule_is_within_the_bound(
    params: dict[str, Any], held_out: train.Dataset
) -> None:
    result = train.evaluate(params, held_out)
    assert result.count == train.N_HELD_OUT
    assert result.mae_loss <= MAE_BOUND, f"model: {100 * result.mae_loss:.3f} pp"
    assert result.mae_circuit <= MAE_BOUND, f"circuit: {100 * result.mae_circuit:.3f} pp"


def test_the_circuit_emulation_is_ezkls_arithmetic(
    params: dict[str, Any], held_out: train.Dataset, tmp_path: Path, monkeypatch: Any
) -> None:
    """The integer emulation behind `mae_circuit` gives ezkl's witness scores exactly."""
    monkeypatch.setenv("ION_ZK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("EZKL_REPO_PATH", str(tmp_path / "ezkl-home"))
    compiled = er.compiled(lambda _: None)
    rows = held_out.x[:: train.N_HELD_OUT // 25]
    emulated = train.circuit_scores(params, rows)
    for i, row in enumerate(rows):
        q = tuple(layout.quantize(float(v)) for v in row)
        inputs = layout.PublicInputs(
            features_q=q[: layout.N_FEATURES],
            slot=1,
            state_root="0x" + "00" * 32,
            model_id="0x" + "00" * 8,
            restaking_q=q[layout.N_FEATURES :],
            block=7,
        )
        assert er.witness(compiled, inputs, tmp_path / f"w{i}").score == int(emulated[i])
