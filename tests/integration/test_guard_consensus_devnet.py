"""The guard's consensus-layer triggers on the devnet (issue 26 item 4); time moved with
`ion devnet advance`, slashings made with `ion devnet slash`.

- the readers measure a slashing of 5% of weETH's effective balance as 5% at the next finalized
  epoch, while the risk feed has no submission and the reserve rate has not moved;
- a guard `--deleverage-on-slashing 1% --to 1.5x` on a 3x vault deleverages it to 1.5x at the
  first finalized epoch after such a slashing, before any proof is submitted (no submission on
  the feed, the reserve rate unchanged), once (a rerun acts no more);
- a lying pending score (anyone may submit one with a bond) that would put the vault under a
  `--deleverage-on-score` level does not make the guard act: the guard judges it as
  `ion challenge` does; the sound score submitted next does;
- a guard `--deleverage-on-avs-slashing 0.5% --to 1.5x` on an ezETH vault: a slash of op-1 by
  avs-a (0.9% of ezETH's restaked ETH) deleverages it, once; a smaller one before it does not.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.testing.devnet import DevnetHandle

pytestmark = pytest.mark.integration
RAY = 10**27


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


def guard_run(*args: str, code: int) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, ["guard", "run", "--once", "--json", *args])
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def kinds(events: list[dict[str, Any]]) -> list[str]:
    """The guard's own events (not the feeds' epochs), the start aside."""
    return [
        e["kind"] for e in events if e["kind"].startswith("guard_") and e["kind"] != "guard_started"
    ]


def position(market: str) -> dict[str, Any]:
    doc: dict[str, Any] = ion("position", market, "--json")
    return doc


def test_a_five_percent_slashing_deleverages_to_1_5x_before_any_proof(
    devnet: DevnetHandle,
) -> None:
    ion("leverage", "weETH", "--deposit", "10", "--to", "3x", "--yes", "--json")
    assert abs(Decimal(position("weETH")["leverage"]) - 3) < Decimal("0.02")
    added = ion("guard", "add", "weETH", "--deleverage-on-slashing", "1%", "--to", "1.5x", "--json")
    assert added["trigger"] == {"kind": "slashing", "share": "0.01"}
    ion("devnet", "advance", "--epochs", "1", "--json")
    assert kinds(guard_run(code=0)) == []  # nothing lost: nothing to do
    slash_share("weETH", Fraction(5, 100))
    ion("devnet", "advance", "--epochs", "3", "--json")
    submissions, rate = feed_state(devnet, "weETH")
    assert submissions == 0  # no proof submitted, nor will one be before the guard acts
    events = guard_run(code=6)
    assert kinds(events) == ["guard_fired", "guard_acted"], events
    fired, acted = (e for e in events if e["kind"] in ("guard_fired", "guard_acted"))
    assert fired["episode"].startswith("slashing:weETH:") and acted["episode"] == fired["episode"]
    assert Decimal(fired["figures"]["share"]) >= Decimal("0.05")
    assert abs(Decimal(position("weETH")["leverage"]) - Decimal("1.5")) < Decimal("0.01")
    # at that moment: still no submission on the feed, the reserve rate where it was
    assert feed_state(devnet, "weETH") == (0, rate)
    # the same slashing never acts again (a rerun, later epochs)
    ion("devnet", "advance", "--epochs", "2", "--json")
    assert kinds(guard_run(code=0)) == []
    assert [h["kind"] for h in ion("guard", "history", "--json")["history"]] == ["guard_acted"]


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


# ---- scores: a false pending one is judged false, a sound one sound ----------------------------


def prove_and_lie(devnet: DevnetHandle, work: Any) -> tuple[Any, Any, Any]:
    """A sound receipt of weETH's set (after a slashing, so the score says something), and a
    lying submission of the same block pending on the feed (its network input inflated: more
    loss, a bigger haircut: a lie meant to make guards sell)."""
    from ion_cli.testing import feed_lies
    from ion_cli.testing import lying_submitter as ls
    from ion_cli.zk import sumtree

    slash_share("weETH", Fraction(5, 100))
    ion("devnet", "advance", "--epochs", "3", "--json")
    ion("devnet", "advance", "--epochs", "3", "--json")
    receipt = work / "sound"
    ion("prove", "--lrt", "weETH", "--out", str(receipt), "--json")
    feed = str(devnet.deployment.market("weETH").risk_feed)
    anchor = ls.anchor_of(receipt, feed)
    data = json.loads((receipt / "receipt.json").read_text())
    net = data["commitment"]["network"]
    tree = sumtree.check(json.loads((receipt / "sumtree.json").read_text()))
    lie = feed_lies.make(
        "network_input", tree, int(net["active_balance"]), int(net["other_slashed"])
    )
    # a network in which 50,000 ETH more was slashed: a much larger correlation penalty for the
    # set's slashed validators (the model's haircut: about 1.8% instead of 0.2%)
    claim = replace(lie.claim, other_slashed=lie.claim.other_slashed + 50_000 * 10**9)
    lie = replace(lie, claim=claim)
    proof = ls.prove_features(anchor, lie.features_q, work / "lie")
    liar = devnet.w3.eth.accounts[7]
    sub = ls.submit(devnet.w3, anchor, lie, proof, liar, None)  # its tree withheld
    return receipt, data, sub


def implied_health(haircut: int) -> int:
    """The health the weETH vault of dev would have once the reserve rate follows `haircut`
    (RAY), from the same pure function the trigger uses."""
    from ion_cli.api import Ion
    from ion_cli.chain.market_state import read_market, read_vault
    from ion_cli.flows.guard.consensus import implied, readers
    from ion_cli.flows.installed import require_market

    session = Ion(network="devnet").session
    market = read_market(session.reader(), session.profile, require_market(session, "weETH"))
    vault = read_vault(session.reader(), session.profile, market, session.address_of(None))
    feed = readers.feed_of(session, "weETH")
    assert market.liquidation_threshold is not None
    got = implied.implied_health(
        collateral=vault.collateral,
        normalized_debt=vault.normalized_debt,
        rate=market.rate,
        liquidation_threshold=market.liquidation_threshold,
        oracle=readers.oracle_view(session, "weETH"),
        feed=feed,
        base_rate=readers.feed_base_rate(session, feed),
        haircut_wad=haircut,
    )
    assert got is not None and got.health is not None
    return got.health


def test_a_false_pending_score_does_not_make_a_guard_act_and_a_sound_one_does(
    devnet: DevnetHandle, tmp_path: Any
) -> None:
    from ion_cli.api import Ion
    from ion_cli.flows.guard.consensus import readers

    receipt, data, sub = prove_and_lie(devnet, tmp_path)
    ion("leverage", "weETH", "--deposit", "10", "--to", "3x", "--yes", "--json")
    session = Ion(network="devnet").session
    final, waiting = readers.scores(session, "weETH")
    assert final is None and [s.submission for s in waiting] == [sub.id]
    lie = waiting[0]
    sound_haircut = int(data["output"]["haircut_wad"])
    assert lie.haircut_wad > sound_haircut  # the lie scares: a bigger haircut
    # A level the sound score's implied health is under (and the lie's further under), the
    # vault's health now above it: a guard that believed the lie would sell.
    h_lie, h_sound = implied_health(lie.haircut_wad), implied_health(sound_haircut)
    h_now = Decimal(position("weETH")["health"])
    level = (Decimal(h_sound) / RAY).quantize(Decimal("0.000001")) + Decimal("0.000002")
    assert h_lie < h_sound and Decimal(h_sound) / RAY < level < h_now, (h_lie, h_sound, h_now)
    ion("guard", "add", "weETH", "--deleverage-on-score", str(level), "--to", "1.5x", "--json")
    events = guard_run(code=0)
    # the lie was judged false: nothing fired, nothing sent; said once
    assert kinds(events) == ["guard_notice"], events
    assert f"pending risk score {sub.id}" in events[-1]["message"]
    assert abs(Decimal(position("weETH")["leverage"]) - 3) < Decimal("0.02")
    assert kinds(guard_run(code=0)) == []  # nor on a rerun
    # the sound score, submitted now (pending too): judged sound, acted on
    sent = ion("submit", str(receipt), "--market", "weETH", "--yes", "--json")
    sound_id = int(sent["pending"]["id"])
    events = guard_run(code=6)
    assert kinds(events) == ["guard_fired", "guard_acted"], events
    fired = next(e for e in events if e["kind"] == "guard_fired")
    assert fired["episode"].endswith(f":{sound_id}") and "judged sound" in fired["reason"]
    assert abs(Decimal(position("weETH")["leverage"]) - Decimal("1.5")) < Decimal("0.01")


def test_an_avs_slashing_of_its_operators_deleverages_once(devnet: DevnetHandle) -> None:
    ion("leverage", "ezETH", "--deposit", "10", "--to", "3x", "--yes", "--json")
    ion("guard", "add", "ezETH", "--deleverage-on-avs-slashing", "0.5%", "--to", "1.5x", "--json")
    assert kinds(guard_run(code=0)) == []
    # op-2 by avs-c in set 7, 1% of that allocation: 0.2 x 0.01 x 1960 = 3.9 ETH (0.08%)
    slash = ("devnet", "avs-slash", "--set")
    ion(*slash, "7", "--avs", "avs-c", "--operator", "op-2", "--wad", "1%", "--json")
    assert kinds(guard_run(code=0)) == []
    assert abs(Decimal(position("ezETH")["leverage"]) - 3) < Decimal("0.02")
    # op-1 by avs-a in set 0, 5%: 0.3 x 0.05 x 3000 = 45 ETH of 4,956 (0.9%)
    ion(*slash, "0", "--avs", "avs-a", "--operator", "op-1", "--wad", "5%", "--json")
    events = guard_run(code=6)
    assert kinds(events) == ["guard_fired", "guard_acted"], events
    fired = next(e for e in events if e["kind"] == "guard_fired")
    assert fired["episode"].startswith("avs:ezETH:")
    assert Decimal("0.009") < Decimal(fired["figures"]["share"]) < Decimal("0.0092")
    assert abs(Decimal(position("ezETH")["leverage"]) - Decimal("1.5")) < Decimal("0.01")
    assert kinds(guard_run(code=0)) == []  # once per slash
