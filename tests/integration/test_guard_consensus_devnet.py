"""The guard's consensus-layer triggers on the devnet (issue 26 item 4); time moved with
`ion devnet advance`, slashings made with `ion devnet slash`.

- the readers measure a slashing of 5% of weETH's effective balance as 5% at the next finalized
  epoch, while the risk feed has no submission and the reserve rate has not moved;
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.testing.devnet import DevnetHandle

pytestmark = pytest.mark.integration


def ion(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    return json.loads(result.stdout) if "--json" in args else result.stdout


def feed_state(devnet: DevnetHandle, market: str) -> tuple[int, int]:
    """(submissions ever made to the market's risk feed, the reserve rate now)."""
    from ion_cli.testing.devnet import Protocol

    p = Protocol(devnet)
    m = p.market(market)
    count = int(p.call(str(m.risk_feed), "RiskFeed", "submissionCount"))
    rate = int(p.call(m.reserve_oracle, "ReserveOracle", "currentExchangeRate"))
    return count, rate


def live_set(symbol: str) -> tuple[Any, Any]:
    from ion_cli.api import Ion
    from ion_cli.flows.guard.consensus import readers

    session = Ion(network="devnet").session
    client = readers.open_beacon(session)
    ref = readers.finalized(client)
    validators = readers.LrtSet(session, symbol).read(client, ref)
    client.close()
    return ref, validators


def slash_share(symbol: str, share: Fraction) -> int:
    """Slash about `share` of the LRT's live effective balance (its validators are alike)."""
    from ion_cli.zk import rule

    ref, validators = live_set(symbol)
    pool = [v for v in validators if rule.is_active(v, ref.epoch) and not v.slashed]
    count = math.ceil(share * len(pool))
    ion("devnet", "slash", "--lrt", symbol, "--count", str(count), "--json")
    return count


def test_the_readers_measure_a_five_percent_slashing_before_any_proof(
    devnet: DevnetHandle,
) -> None:
    from ion_cli.flows.guard.consensus import slashing

    ref, validators = live_set("weETH")
    base = slashing.baseline("weETH", ref.epoch, ref.state_root, validators)
    before = feed_state(devnet, "weETH")
    slash_share("weETH", Fraction(5, 100))
    ion("devnet", "advance", "--epochs", "3", "--json")
    ref2, validators2 = live_set("weETH")
    assert ref2.epoch > ref.epoch
    signal = slashing.measure(base, ref2.epoch, validators2)
    assert Fraction(5, 100) <= signal.share < Fraction(6, 100), signal.to_json()
    assert signal.above(Fraction(1, 100)) and signal.lost_gwei == 0
    assert feed_state(devnet, "weETH") == before  # no proof, the rate unmoved
