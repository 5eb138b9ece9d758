"""Deadlines and simulation at the next block's time (issue 16): on a chain whose last block is
20 minutes old, the next block is mined now, so a deadline counted from the last block is
already 10 minutes gone when the plan's last step is mined. ion counts deadlines from the later
of the latest block's time and now, and simulates the whole plan at that time, so a plan whose
deadline truly passed is refused before its first step is sent."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ion_cli.chain import clock
from ion_cli.cli import app
from ion_cli.testing.devnet import DevnetHandle, Protocol

pytestmark = pytest.mark.integration

WAD = 10**18


def ion(*args: str) -> subprocess.CompletedProcess[str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def nonce(devnet: DevnetHandle) -> int:
    return int(devnet.w3.eth.get_transaction_count(devnet.dev))


def collateral(devnet: DevnetHandle) -> int:
    m = devnet.deployment.market("weETH")
    return int(Protocol(devnet).call(m.pool, "IonPool", "collateral", m.ilk_index, devnet.dev))


def age_the_last_block(devnet: DevnetHandle, monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    """The node's clock moves `seconds` past its last block without mining (as on a quiet
    chain); ion's clock agrees with the node's (as two machines' clocks do)."""
    w3 = devnet.w3
    w3.provider.make_request("evm_increaseTime", [hex(seconds)])
    node_now = int(w3.eth.get_block("pending")["timestamp"])
    latest = int(w3.eth.get_block("latest")["timestamp"])
    assert node_now - latest >= seconds
    offset = node_now - time.time()
    monkeypatch.setattr(clock, "now", lambda: int(time.time() + offset))


def test_leverage_on_a_chain_whose_last_block_is_20_minutes_old(
    devnet: DevnetHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    age_the_last_block(devnet, monkeypatch, 20 * 60)
    done = ion("leverage", "weETH", "--deposit", "10", "--to", "3x", "--yes")
    assert done.returncode == 0, done.stderr
    assert collateral(devnet) > 25 * WAD


def test_apply_of_a_fresh_plan_on_a_chain_whose_last_block_is_20_minutes_old(
    devnet: DevnetHandle, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    age_the_last_block(devnet, monkeypatch, 20 * 60)
    plan = tmp_path / "plan.json"
    made = ion("leverage", "weETH", "--deposit", "10", "--to", "3x", "--plan-out", str(plan))
    assert made.returncode == 0, made.stderr
    applied = ion("apply", str(plan), "--yes")
    assert applied.returncode == 0, applied.stderr
    assert collateral(devnet) > 25 * WAD


def test_a_plan_whose_deadline_truly_passed_sends_nothing(
    devnet: DevnetHandle, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    age_the_last_block(devnet, monkeypatch, 0)  # ion's clock and the node's agree
    plan = tmp_path / "plan.json"
    made = ion(
        "leverage", "weETH", "--deposit", "10", "--to", "3x", "--deadline", "1m",
        "--plan-out", str(plan),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert json.loads(plan.read_text())["deadline"] > 0
    age_the_last_block(devnet, monkeypatch, 120)
    before = nonce(devnet)
    refused = ion("apply", str(plan), "--yes")
    assert refused.returncode == 3, refused.stderr
    assert "deadline has passed" in refused.stderr
    assert nonce(devnet) == before  # not even the approval


def test_the_simulation_runs_at_the_next_blocks_time(
    devnet: DevnetHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole-plan simulation sees the time the block will carry: a deadline that only the
    latest block's time would meet fails in the simulation, before the first step."""
    from ion_cli.chain import simulate as sim
    from ion_cli.flows.leverage import context as lv

    age_the_last_block(devnet, monkeypatch, 20 * 60)
    latest = int(devnet.w3.eth.get_block("latest")["timestamp"])
    # a deadline from the last block, as before: 10 minutes after a block 20 minutes old
    monkeypatch.setattr(lv, "next_block_time", lambda ctx: ctx.timestamp)
    seen: list[dict[str, str]] = []
    real = sim._next_block

    def spy(w3: object) -> dict[str, str]:
        seen.append(real(w3))  # type: ignore[arg-type]
        return seen[-1]

    monkeypatch.setattr(sim, "_next_block", spy)
    before = nonce(devnet)
    done = ion("leverage", "weETH", "--deposit", "10", "--to", "3x", "--yes")
    assert done.returncode == 1, done.stderr
    assert "simulation failed" in done.stderr and "Deadline" in done.stderr
    assert int(seen[0]["time"], 16) >= latest + 20 * 60
    assert nonce(devnet) == before
