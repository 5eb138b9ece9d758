"""Fault scenarios of the leverage writes: `ion` killed in the middle of a loop and of an unwind,
then rerun. The rerun finishes the plan from its first unmined step (the journal), nothing is
sent twice or lost (`audit`), and the vault is never left unsafe in between."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from faultkit import Chain, audit, ion, journal, run_ion

from ion_cli.testing.devnet import DevnetHandle

pytestmark = pytest.mark.integration

LOOP = ("leverage", "weETH", "--deposit", "10", "--to", "3x", "--mode", "loop", "--yes")
CLOSE = ("deleverage", "weETH", "--close", "--yes")


@pytest.fixture
def chain(devnet: DevnetHandle) -> Chain:
    return Chain(devnet)


def position() -> dict[str, Any]:
    done = ion("position", "weETH", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    return dict(doc[0] if isinstance(doc, list) else doc)


def safe(p: dict[str, Any]) -> bool:
    return p["health"] is None or Decimal(str(p["health"])) > 1


@pytest.mark.parametrize("stage", ["mined:9", "sent:17"])
def test_killed_mid_loop_then_rerun_resumes(chain: Chain, stage: str) -> None:
    base = chain.nonce()
    killed = run_ion(*LOOP, env={"ION_TEST_KILL_AT": stage})
    assert killed.returncode == -9
    assert journal().entries()
    assert safe(position())  # every round borrows within the margin: safe between rounds
    again = ion(*LOOP)
    assert again.returncode == 0, again.stderr
    assert "finishing" in again.stderr
    final = position()
    assert abs(Decimal(final["leverage"]) - 3) <= Decimal("0.015")
    report = audit(f"SIGKILL mid-loop ({stage})", chain, base)
    assert len(report["mined"]) == chain.nonce() - base


def test_killed_mid_unwind_then_rerun_closes(chain: Chain) -> None:
    levered = ion("leverage", "weETH", "--deposit", "10", "--to", "3x", "--yes")
    assert levered.returncode == 0, levered.stderr
    base = chain.nonce()
    killed = run_ion(*CLOSE, env={"ION_TEST_KILL_AT": "mined:7"})
    assert killed.returncode == -9
    assert safe(position())  # each slice withdrawn keeps the margin
    again = ion(*CLOSE)
    assert again.returncode == 0, again.stderr
    assert "finishing" in again.stderr
    final = position()
    assert final["normalized_debt"] == "0" and final["collateral"] == "0"
    audit("SIGKILL mid-unwind (close)", chain, base)
