"""`ion apply` rebuilds, then compares; a plan is applied once and is bound to the state it was
priced at (issue 16). Every tampered file is edited as a hostile author would: the call, its
description and any flag together, and the content hash recomputed, so what refuses it is the
rebuild from the file's own inputs, before any simulation; the account's nonce never moves."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.flows.leverage import content_hash
from ion_cli.testing.devnet import DevnetHandle, Protocol

pytestmark = pytest.mark.integration

ATTACKER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
ION = str(Path(sys.executable).parent / "ion")
WAD = 10**18


def ion(*args: str) -> subprocess.CompletedProcess[str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def nonce(devnet: DevnetHandle) -> int:
    return int(devnet.w3.eth.get_transaction_count(devnet.dev))


def collateral(devnet: DevnetHandle, market: str = "weETH") -> int:
    m = devnet.deployment.market(market)
    return int(Protocol(devnet).call(m.pool, "IonPool", "collateral", m.ilk_index, devnet.dev))


def balance(devnet: DevnetHandle, token: str, who: str) -> int:
    return int(Protocol(devnet).call(token, "WETH9", "balanceOf", who))


def _plan(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "plan.json"
    made = ion("leverage", "weETH", "--deposit", "10", "--to", "3x", "--plan-out", str(path))
    assert made.returncode == 0, made.stderr
    return path, json.loads(path.read_text())


def _tampered(tmp_path: Path, doc: dict[str, Any], name: str, edit: Any) -> Path:
    changed = json.loads(json.dumps(doc))
    edit(changed)
    changed["content_hash"] = content_hash(changed)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(changed))
    return path


def _word(value: int) -> str:
    return value.to_bytes(32, "big").hex()


def _addr_word(address: str) -> str:
    return "00" * 12 + address[2:].lower()


def test_tampered_plans_are_refused_before_simulation(devnet: DevnetHandle, tmp_path: Path) -> None:
    _, doc = _plan(tmp_path)
    calls = doc["calls"]
    assert [c["kind"] for c in calls] == ["approval", "operator", "action"]
    weeth = devnet.deployment.market("weETH").collateral_token
    flash = calls[2]["data"]
    selector, words = flash[:10], flash[10:]

    def transfer(d: dict[str, Any]) -> None:  # approve(...) -> transfer(attacker, 5e18)
        d["calls"][0]["data"] = "0xa9059cbb" + _addr_word(ATTACKER) + _word(5 * WAD)

    def target(d: dict[str, Any]) -> None:
        d["calls"][2]["to"] = ATTACKER

    def value(d: dict[str, Any]) -> None:
        d["calls"][1]["value"] = str(7 * WAD)

    def max_debt(d: dict[str, Any]) -> None:  # maxResultingDebt = 2**256-1
        d["calls"][2]["data"] = selector + words[:128] + "f" * 64 + words[192:]

    def check_kind(d: dict[str, Any]) -> None:
        d["check"] = {"kind": "loop"}

    def deadline(d: dict[str, Any]) -> None:
        d["deadline"] = 2**62
        d["calls"][2]["data"] = selector + words[:192] + _word(2**62) + words[256:]

    def calldata_deadline(d: dict[str, Any]) -> None:  # within 0.5%, the top level kept
        later = int(words[192:256], 16) + 3600
        d["calls"][2]["data"] = selector + words[:192] + _word(later) + words[256:]

    def approval(d: dict[str, Any]) -> None:
        old = d["calls"][0]["data"]
        d["calls"][0]["data"] = old[:74] + _word(1000 * WAD)
        d["calls"][0]["description"] = "approve the weETH handler to spend 10 weETH"

    cases = {
        "transfer": (transfer, "selector 0xa9059cbb"),
        "target": (target, f"target {ATTACKER}"),
        "value": (value, "value 7000000000000000000 wei"),
        "max_debt": (max_debt, "maxResultingDebt"),
        "check_kind": (check_kind, "check kind 'loop'"),
        "deadline": (deadline, "deadline"),
        "calldata_deadline": (calldata_deadline, "deadline"),
        "approval": (approval, "larger approval"),
    }
    before = nonce(devnet)
    held = balance(devnet, weeth, ATTACKER)
    for name, (edit, words_) in cases.items():
        path = _tampered(tmp_path, doc, name, edit)
        done = ion("apply", str(path), "--yes")
        assert done.returncode == 3, (name, done.stderr)
        assert words_ in done.stderr, (name, done.stderr)
        assert "simulat" not in done.stderr.split("error:")[-1], name
        assert nonce(devnet) == before, name
    assert balance(devnet, weeth, ATTACKER) == held
    unhashed = tmp_path / "unhashed.json"
    unhashed.write_text(json.dumps({**doc, "title": "\x1b[31mred\x1b[0m"}))
    done = ion("apply", str(unhashed), "--yes")
    assert done.returncode == 3 and "content hash" in done.stderr
    assert "\x1b" not in done.stderr


def test_a_plan_applied_twice_moves_the_vault_once(devnet: DevnetHandle, tmp_path: Path) -> None:
    path, _ = _plan(tmp_path)
    first = ion("apply", str(path), "--yes", "--json")
    assert first.returncode == 0, first.stderr
    moved = collateral(devnet)
    assert moved > 10 * WAD
    count = nonce(devnet)
    second = ion("apply", str(path), "--yes", "--json")
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["plan"]["already_applied"] is True
    assert "already applied" in second.stderr
    assert collateral(devnet) == moved and nonce(devnet) == count


def _start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    def defaults() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    return subprocess.Popen(
        [ION, *args],
        env={**os.environ, "ION_TESTING": "1", **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=defaults,
    )


def test_a_plan_applied_twice_at_once_moves_the_vault_once(
    devnet: DevnetHandle, tmp_path: Path
) -> None:
    path, _ = _plan(tmp_path)
    procs = [_start("apply", str(path), "--yes", "--json") for _ in range(2)]
    outs = [p.communicate(timeout=240) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    flags = sorted(bool(json.loads(o)["plan"].get("already_applied")) for o, _ in outs)
    assert flags == [False, True]
    assert 25 * WAD < collateral(devnet) < 35 * WAD  # levered once: 10 -> about 30


def test_a_plan_killed_midway_is_finished_not_resent(devnet: DevnetHandle, tmp_path: Path) -> None:
    path, doc = _plan(tmp_path)
    start = nonce(devnet)
    killed = _start("apply", str(path), "--yes", env={"ION_TEST_KILL_AT": "mined:2"})
    killed.communicate(timeout=240)
    assert killed.returncode == -9
    assert nonce(devnet) == start + 2  # approval and operator grant mined
    again = ion("apply", str(path), "--yes")
    assert again.returncode == 0, again.stderr
    assert "finishing" in again.stderr
    assert nonce(devnet) == start + len(doc["calls"])
    assert 25 * WAD < collateral(devnet) < 35 * WAD


def test_a_plan_whose_starting_state_moved_is_refused(devnet: DevnetHandle, tmp_path: Path) -> None:
    path, _ = _plan(tmp_path)
    assert ion("deposit", "weETH", "1", "--yes").returncode == 0
    before = nonce(devnet)
    done = ion("apply", str(path), "--yes")
    assert done.returncode == 3, done.stderr
    assert "moved" in done.stderr and "collateral 0 -> 1000000000000000000" in done.stderr
    assert "nonce" in done.stderr
    assert nonce(devnet) == before


def test_the_preview_shows_each_call_decoded_from_its_calldata(devnet: DevnetHandle) -> None:
    done = ion("deposit", "weETH", "1", "--dry-run")
    assert done.returncode == 0, done.stderr
    signs = [line.strip() for line in done.stderr.splitlines() if "signs:" in line]
    assert len(signs) == 3, done.stderr
    market = devnet.deployment.market("weETH")
    assert "approve(spender=" in signs[0] and "(the weETH GemJoin)" in signs[0]
    assert signs[1].startswith(f"signs: the weETH GemJoin {market.gem_join}: GemJoin.join(")
    assert "IonPool.depositCollateral(" in signs[2] and "amount=1000000000000000000" in signs[2]
