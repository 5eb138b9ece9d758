"""`ion restaking` on the devnet's restaking world, against hand-computed vectors.

The vectors follow EigenLayer's arithmetic as the issue states it, from the world's inputs
(ion_cli/devnet/restaking_world.py's table), not from the stand-ins' code:

    ezETH's stakers: OD1 3,000 ETH delegated -> op-1; OD2 2,000 ETH -> op-2, its pod's
    beacon-chain slashing factor 0.98. Max magnitudes 1. Allocations: op-1 avs-a/0 0.30,
    avs-a/1 0.10, avs-b/0 0.20 (+0.05 pending); op-2 avs-a/0 0.50 (-0.10 pending),
    avs-b/0 0.10, avs-c/7 0.20. Queued withdrawals: OD1's 100 ETH (3,100 deposited), and an
    outsider's 50 ETH behind op-2: ezETH's still slashable 100, its operators' 150.

    withdrawable = deposit x dsf (1) x beacon factor x max magnitude:
        op-1: 3000 x 1 x 1 = 3000; op-2: 2000 x 0.98 x 1 = 1960; total 4960
    slashable in a set = withdrawable x magnitude / max magnitude:
        op-1: 900, 300, 600; op-2: 980, 196, 392
    by any AVS: 3000 x 0.60 + 1960 x 0.80 = 1800 + 1568 = 3368 (3368 / 4960)
    per AVS: avs-a 900 + 300 + 980 = 2180 (largest), avs-b 796, avs-c 392: 3 AVSs

    avs-a slashes op-1 in set 0 with wadsToSlash 0.05: slashed magnitude 0.30 x 0.05 = 0.015,
    wadSlashed = 0.015 / 1; op-1's withdrawable falls by that fraction: 3000 x 0.985 = 2955
    (45 ETH lost); avs-a/0: 2955 x 0.285 / 0.985 = 855 (= 900 - 45); avs-a/1 and avs-b/0 keep
    300 and 600.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.devnet import restaking_world as world
from ion_cli.testing.devnet import DevnetHandle
from ion_cli.testing.json_documents import check_document

pytestmark = pytest.mark.integration

E = 10**18
P = E // 100  # one percent of magnitude
WAD = E
OP1, OP2, OP4 = (world.OPERATORS[k] for k in ("op-1", "op-2", "op-4"))
AVS_A, AVS_B, AVS_C = (world.AVSS[k] for k in ("avs-a", "avs-b", "avs-c"))


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def ion(*args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return check_document(json.loads(result.stdout))  # the output contract, every command


def _sets(doc: dict[str, Any], operator: str) -> dict[tuple[str, int], dict[str, Any]]:
    (op,) = [o for o in doc["operators"] if o["operator"].lower() == operator.lower()]
    return {(s["avs"].lower(), s["id"]): s for s in op["sets"]}


def _op(doc: dict[str, Any], operator: str) -> dict[str, Any]:
    (op,) = [o for o in doc["operators"] if o["operator"].lower() == operator.lower()]
    return op


def _slashable(doc: dict[str, Any], operator: str) -> dict[tuple[str, int], int]:
    return {k: int(v["lrt_slashable_wei"]) for k, v in _sets(doc, operator).items()}


def test_ezeth_exposure_matches_the_hand_computed_vectors(devnet: DevnetHandle) -> None:
    doc = ion("restaking", "--lrt", "ezETH")
    assert doc["lrt"] == "ezETH" and doc["complete"] is True
    assert {o["operator"].lower() for o in doc["operators"]} == {OP1.lower(), OP2.lower()}
    a, b, c = AVS_A.lower(), AVS_B.lower(), AVS_C.lower()
    assert _slashable(doc, OP1) == {(a, 0): 900 * E, (a, 1): 300 * E, (b, 0): 600 * E}
    assert _slashable(doc, OP2) == {(a, 0): 980 * E, (b, 0): 196 * E, (c, 7): 392 * E}
    op1_sets = _sets(doc, OP1)
    assert int(op1_sets[(a, 0)]["magnitude"]) == 30 * P
    assert int(op1_sets[(a, 0)]["max_magnitude"]) == WAD
    assert int(op1_sets[(b, 0)]["pending_diff"]) == 5 * P
    assert int(_sets(doc, OP2)[(a, 0)]["pending_diff"]) == -10 * P
    assert int(_op(doc, OP1)["lrt_withdrawable_wei"]) == 3000 * E
    assert int(_op(doc, OP2)["lrt_withdrawable_wei"]) == 1960 * E
    (pod2,) = _op(doc, OP2)["pods"]
    assert int(pod2["beacon_chain_slashing_factor"]) == 98 * P
    assert pod2["pod"] is not None

    totals = doc["totals"]
    assert int(totals["restaked_wei"]) == 4960 * E
    assert int(totals["slashable_any_wei"]) == 3368 * E
    assert totals["avs_count"] == 3
    assert {k.lower(): int(v) for k, v in totals["avs_exposure_wei"].items()} == {
        a: 2180 * E,
        b: 796 * E,
        c: 392 * E,
    }
    assert totals["largest_avs"]["avs"].lower() == a
    assert int(totals["queued_slashable_wei"]) == 100 * E  # OD1's own queued withdrawal
    assert int(totals["operators_queued_slashable_wei"]) == 150 * E  # + 50 of an op-2 outsider
    pending = {(p["operator"].lower(), p["avs"].lower(), p["id"]): p for p in totals["pending"]}
    assert set(pending) == {(OP1.lower(), b, 0), (OP2.lower(), a, 0)}
    assert int(pending[(OP1.lower(), b, 0)]["lrt_slashable_change_wei"]) == 150 * E  # 3000 x 0.05
    assert int(pending[(OP2.lower(), a, 0)]["lrt_slashable_change_wei"]) == -196 * E  # 1960 x 0.1
    assert all(p["effect_block"] > doc["block"] for p in totals["pending"])


def _watch(tmp_path: Path) -> Any:
    from ion_cli.flows.session import Session
    from ion_cli.flows.watch import WatchConfig, Watcher

    config = WatchConfig(restaking=("ezETH",), once=True)
    return Watcher(Session(), config, path=tmp_path / "watch.json")


def test_an_avs_slash_of_an_ezeth_operator_lowers_its_figures_and_alerts_once(
    devnet: DevnetHandle, tmp_path: Path
) -> None:
    watcher = _watch(tmp_path)
    assert [e for e in watcher.cycle() if e.alert] == []  # the first cycle starts at the head
    before = ion("restaking", "--lrt", "ezETH")

    dry = ion("devnet", "avs-slash", "--avs", "avs-a", "--set", "0", "--operator", "op-1",
              "--wad", "0.05", "--dry-run")  # fmt: skip
    assert dry["dry_run"] is True and int(dry["wad_slashed"]) == 15 * P // 10
    assert ion("restaking", "--lrt", "ezETH")["operators"] == before["operators"]  # unchanged

    done = ion("devnet", "avs-slash", "--avs", AVS_A, "--set", "0", "--operator", OP1,
               "--wad", "0.05")  # fmt: skip
    assert done["block"] is not None
    after = ion("restaking", "--lrt", "ezETH")
    a, b = AVS_A.lower(), AVS_B.lower()
    # withdrawable by wadSlashed (0.015): 3000 -> 2955
    assert int(_op(after, OP1)["lrt_withdrawable_wei"]) == 2955 * E
    assert int(_op(after, OP1)["max_magnitude"]) == WAD - 15 * P // 10
    # the slashed set by the amount slashed (45), the others unchanged in ETH
    assert _slashable(after, OP1) == {(a, 0): 855 * E, (a, 1): 300 * E, (b, 0): 600 * E}
    assert _slashable(after, OP2) == _slashable(before, OP2)
    (record,) = _sets(after, OP1)[(a, 0)]["slashes"]
    assert int(record["wad_slashed"]) == 15 * P // 10
    assert int(record["lrt_lost_wei"]) == 45 * E
    assert int(after["totals"]["restaked_wei"]) == 4915 * E
    assert int(after["totals"]["queued_slashable_wei"]) == 985 * E // 10  # 100 x 0.985
    assert int(_op(after, OP1)["lrt_slashed_in_window_wei"]) == 45 * E

    alerts = [e for e in watcher.cycle() if e.alert]
    assert len(alerts) == 1, [e.message for e in alerts]
    (alert,) = alerts
    assert alert.kind == "restaking_slash"
    assert alert.data["operator"].lower() == OP1.lower()
    assert alert.data["avs"].lower() == a
    assert int(alert.data["lrt_lost_wei"]) == 45 * E
    assert OP1.lower() in alert.message.lower() and AVS_A.lower() in alert.message.lower()
    assert "45 ETH" in alert.message
    assert [e for e in watcher.cycle() if e.alert] == []  # not repeated


def test_a_slash_of_an_operator_ezeth_does_not_use_changes_nothing_of_it(
    devnet: DevnetHandle, tmp_path: Path
) -> None:
    watcher = _watch(tmp_path)
    watcher.cycle()
    before = ion("restaking", "--lrt", "ezETH")
    ion("devnet", "avs-slash", "--avs", "avs-c", "--set", "7", "--operator", "op-4",
        "--wad", "0.5")  # fmt: skip
    after = ion("restaking", "--lrt", "ezETH")
    assert after["operators"] == before["operators"]
    assert after["totals"] == before["totals"]
    assert [e for e in watcher.cycle() if e.alert] == []
    # rswETH and weETH do use op-4: their exposure shows the slash
    rsweth = ion("restaking", "--lrt", "rswETH")
    assert rsweth["complete"] is True
    assert any(int(s["lrt_lost_wei"]) > 0 for o in rsweth["operators"] for x in o["sets"]
               for s in x["slashes"])  # fmt: skip


def test_an_allocation_rise_alerts_and_allocate_dry_run_changes_nothing(
    devnet: DevnetHandle, tmp_path: Path
) -> None:
    watcher = _watch(tmp_path)
    watcher.cycle()
    dry = ion("devnet", "allocate", "--operator", "op-2", "--avs", "avs-b", "--set", "0",
              "--magnitude", "0.15", "--dry-run")  # fmt: skip
    assert dry["dry_run"] is True and dry["block"] is None
    assert [e for e in watcher.cycle() if e.alert] == []
    ion("devnet", "allocate", "--operator", "op-2", "--avs", "avs-b", "--set", "0",
        "--magnitude", "0.15")  # fmt: skip
    (alert,) = [e for e in watcher.cycle() if e.alert]
    assert alert.kind == "restaking_allocation"
    assert int(alert.data["lrt_slashable_added_wei"]) == 98 * E  # 1960 x 0.05


def test_other_lrts_list_their_operators(devnet: DevnetHandle) -> None:
    rseth = ion("restaking", "--lrt", "rsETH")
    ops = {o["operator"].lower() for o in rseth["operators"]}
    assert ops == {world.OPERATORS["op-2"].lower(), world.OPERATORS["op-3"].lower()}
    # op-3 was slashed by avs-c by 0.1 of its stake before: rsETH's 500 ETH behind it are 450
    assert int(_op(rseth, world.OPERATORS["op-3"])["lrt_withdrawable_wei"]) == 450 * E
    weeth = ion("restaking", "--lrt", "weETH")
    assert int(weeth["totals"]["restaked_wei"]) == (720 + 400) * E  # 800 x 0.9 + 400


def test_the_table_names_operators_sets_and_totals(devnet: DevnetHandle) -> None:
    result = CliRunner().invoke(app, ["restaking", "--lrt", "ezETH"])
    assert result.exit_code == 0, result.stdout + result.stderr
    out = result.stdout
    assert OP1 in out and "slashable by any AVS: 3,368" in out.replace("3368", "3,368")
    assert "queued withdrawals still slashable" in out and "pending:" in out


def test_bad_input_is_one_line(devnet: DevnetHandle) -> None:
    slash = ["devnet", "avs-slash", "--set", "0"]
    for args in (
        ["restaking", "--lrt", "nope"],
        ["restaking", "--lrt", "ezETH", "--since", "soon"],
        [*slash, "--avs", "avs-z", "--operator", "op-1", "--wad", "0.1"],
        [*slash, "--avs", "avs-a", "--operator", "op-1", "--wad", "2"],
        [*slash, "--avs", "avs-a", "--operator", "op-4", "--wad", "0.1"],
    ):
        result = CliRunner().invoke(app, args)
        assert result.exit_code != 0, args
        assert "Traceback" not in result.stdout + result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)


def test_validators_summary_and_position_name_the_exposure(devnet: DevnetHandle) -> None:
    doc = ion("validators", "summary", "--lrt", "ezETH")
    assert doc["restaking"]["avs_count"] == 3
    assert doc["restaking"]["slashable_share"].startswith("0.679")  # 3368 / 4960
    assert "restaking: 67.9% of 4960 ETH slashable by 3 AVS(s)" in doc["restaking"]["summary"]
    ion("deposit", "ezETH", "1", "--yes")
    result = CliRunner().invoke(app, ["position", "ezETH"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "ezETH restaking: 67.9% of 4960 ETH slashable by 3 AVS(s)" in result.stdout


def test_watch_restaking_once_resumes_and_exits_6_on_the_slash(devnet: DevnetHandle) -> None:
    def watch() -> tuple[int, list[dict[str, Any]]]:
        result = CliRunner().invoke(app, ["watch", "--restaking", "ezETH", "--once", "--json"])
        assert "Traceback" not in result.stdout + result.stderr
        return result.exit_code, [json.loads(line) for line in result.stdout.splitlines() if line]

    code, events = watch()
    assert code == 0 and not [e for e in events if e["alert"]]
    ion("devnet", "avs-slash", "--avs", "avs-a", "--set", "0", "--operator", "op-1",
        "--wad", "0.05")  # fmt: skip
    code, events = watch()
    alerts = [e for e in events if e["alert"]]
    assert code == 6 and [e["kind"] for e in alerts] == ["restaking_slash"]
    assert alerts[0]["lrt_lost_eth"] == "45"
    code, events = watch()
    assert code == 0 and not [e for e in events if e["alert"]]


def test_a_pod_slashing_factor_decrease_alerts(devnet: DevnetHandle, tmp_path: Path) -> None:
    """A beacon-chain slash proven for ezETH's first OperatorDelegator (the stand-in's admin
    path): one alert naming the staker and the factors; its withdrawable shares follow."""
    from ion_cli.devnet.deployment import ADMIN_ADDRESS
    from ion_cli.devnet.txbatch import TxBatch

    watcher = _watch(tmp_path)
    watcher.cycle()
    doc = ion("restaking", "--lrt", "ezETH")
    (pod1,) = _op(doc, OP1)["pods"]
    restaking = devnet.deployment.raw["restaking"]
    tx = TxBatch.start(devnet.rpc_url, ADMIN_ADDRESS)
    tx.call(
        restaking["eigen_pod_manager"], "DevEigenPodManager",
        "devDecreaseBeaconChainSlashingFactor", pod1["staker"], 95 * P,
    )  # fmt: skip
    tx.finish()
    (alert,) = [e for e in watcher.cycle() if e.alert]
    assert alert.kind == "restaking_beacon_factor"
    assert alert.data["staker"].lower() == pod1["staker"].lower()
    assert int(alert.data["factor"]) == 95 * P
    after = ion("restaking", "--lrt", "ezETH")
    assert int(_op(after, OP1)["lrt_withdrawable_wei"]) == 2850 * E  # 3000 x 0.95
    assert _slashable(after, OP1)[(AVS_A.lower(), 0)] == 855 * E  # 2850 x 0.30


def test_a_refused_allocation_is_named_and_nothing_is_sent(devnet: DevnetHandle) -> None:
    before = ion("restaking", "--lrt", "ezETH")
    args = ["devnet", "allocate", "--operator", "op-1", "--avs", "avs-a", "--set", "1"]
    for extra in ([], ["--dry-run"]):
        result = CliRunner().invoke(app, [*args, "--magnitude", "0.9", *extra])
        assert result.exit_code != 0 and "InsufficientMagnitude" in result.stderr, result.stderr
    after = ion("restaking", "--lrt", "ezETH")
    assert after["operators"] == before["operators"]
