"""`--json` on a write prints the result document on failure too, with an `error`: a plan whose
second step fails after the first was mined still reports the first step's hash."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli.chain.execution import StepResult
from ion_cli.cli import app
from ion_cli.commands._observer import TerminalObserver
from ion_cli.testing.devnet import DevnetHandle, Protocol

pytestmark = pytest.mark.integration


def test_a_failed_second_step_prints_the_first_hash(
    devnet: DevnetHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    protocol = Protocol(devnet)
    pool = protocol.market("weETH").pool
    real = TerminalObserver.on_receipt

    def pause_after_step_one(self: TerminalObserver, step: StepResult) -> None:
        real(self, step)
        if step.index == 0:  # the approval is mined: now the pool pauses under the plan
            protocol.send(protocol.admin, pool, "IonPool", "pause")

    monkeypatch.setattr(TerminalObserver, "on_receipt", pause_after_step_one)
    result = CliRunner().invoke(app, ["supply", "weETH", "1", "--yes", "--json"])
    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    execution = document["execution"]
    first = execution["steps"][0]
    assert first["status"] == "success" and first["tx_hash"].startswith("0x")
    assert execution["tx_hashes"] == [first["tx_hash"]]
    assert execution["steps"][1]["tx_hash"] is None
    assert document["position"] is None
    assert document["plan"]["plan_id"] == execution["plan_id"]
    error = document["error"]
    assert error["exit_code"] == 1 and "EnforcedPause" in error["message"]
    assert first["tx_hash"] in error["message"]  # "(already mined: step 1 0x...)"
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1  # and still the one error line on stderr


def test_success_documents_have_a_null_error(devnet: DevnetHandle) -> None:
    result = CliRunner().invoke(app, ["supply", "weETH", "1", "--yes", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["error"] is None


def test_bad_input_with_json_prints_a_document_too(devnet: DevnetHandle) -> None:
    result = CliRunner().invoke(app, ["borrow", "weETH", "abc", "--yes", "--json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["execution"] is None and document["plan"] is None
    assert document["error"]["exit_code"] == 2 and "amount" in document["error"]["message"]
