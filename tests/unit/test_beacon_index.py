"""The credential index cache (full scan, refresh above the cached maximum, periodic rescan),
the summary figures, and the chunked log reader the core hands adapters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from beacon_fake import FakeBeacon, cred, item, transport

from ion_cli.beacon import credindex
from ion_cli.beacon.client import BeaconClient
from ion_cli.beacon.fetch import snapshot_of_credentials
from ion_cli.beacon.summary import summarize
from ion_cli.consensus_rules import MIN_ACTIVATION_BALANCE
from ion_cli.errors import NodeError


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _api(n: int) -> FakeBeacon:
    return FakeBeacon([item(i, cred(i % 5)) for i in range(n)])


def _client(api: FakeBeacon) -> BeaconClient:
    return BeaconClient(["http://a:1"], transport=transport(api), backoff=0)


def test_first_summary_scans_everything_then_refreshes_only_new_indices(cache: Path) -> None:
    api = _api(100)
    with _client(api) as c:
        snap = snapshot_of_credentials(c, [cred(3)])
    assert [v.index for v in snap.validators] == list(range(3, 100, 5))
    assert ("GET", "/eth/v1/beacon/states/" + "0x" + "44" * 32 + "/validators", 0) in api.requests
    files = list((cache / "ion" / "beacon").glob("credentials-*.json"))
    assert len(files) == 1 and json.loads(files[0].read_text())["max_index"] == 99

    # 10 new validators: the refresh asks only for indices from 100 up, then the matches.
    api.validators += [item(i, cred(i % 5)) for i in range(100, 110)]
    api.requests.clear()
    with _client(api) as c:
        snap = snapshot_of_credentials(c, [cred(3)])
    assert [v.index for v in snap.validators] == [*range(3, 100, 5), 103, 108]
    full = [r for r in api.requests if r[2] == 0]
    assert not full, "no full scan on a refresh"
    assert any("cache" in n for n in snap.notes)


def test_credentials_that_changed_are_dropped_and_a_rescan_finds_new_ones() -> None:
    api = _api(50)
    with _client(api) as c:
        snapshot_of_credentials(c, [cred(1)])
    api.validators[1]["validator"]["withdrawal_credentials"] = cred(9)  # 0x01 -> another
    api.validators[2]["validator"]["withdrawal_credentials"] = cred(1)  # joins credential 1
    with _client(api) as c:
        stale = snapshot_of_credentials(c, [cred(1)])
        fresh = snapshot_of_credentials(c, [cred(1)], full_rescan=True)
    assert 1 not in {v.index for v in stale.validators}
    assert 2 not in {v.index for v in stale.validators}
    assert 2 in {v.index for v in fresh.validators}


def test_a_day_of_epochs_forces_a_full_rescan() -> None:
    index = credindex.CredentialIndex("0x" + "ab" * 32, 1, max_index=10, full_scan_epoch=100)
    index.scanned_epoch = 100
    assert not index.needs_full_scan(100 + credindex.FULL_RESCAN_EPOCHS - 1)
    assert index.needs_full_scan(100 + credindex.FULL_RESCAN_EPOCHS)
    assert index.needs_full_scan(99)  # an older state than the cache


def test_corrupt_cache_is_ignored(cache: Path) -> None:
    api = _api(20)
    with _client(api) as c:
        snapshot_of_credentials(c, [cred(2)])
    for f in (cache / "ion" / "beacon").glob("credentials-*.json"):
        f.write_text("{not json")
    with _client(api) as c:
        assert len(snapshot_of_credentials(c, [cred(2)]).validators) == 4


def test_summary_counts_balances_and_shortfall() -> None:
    api = FakeBeacon(
        [
            item(0, cred(1), balance=32_000_000_000),
            item(1, cred(1), balance=31_000_000_000, slashed=True),
            item(2, cred(2, "02"), balance=40_000_000_000),
            item(3, cred(3), balance=32_000_000_000),
        ]
    )
    with _client(api) as c:
        snap = snapshot_of_credentials(c, [cred(1), cred(2, "02"), cred(4)], use_cache=False)
    doc = summarize(snap, symbol="X", credentials=[cred(1), cred(2, "02"), cred(4)])
    assert doc["count"] == 3 and doc["slashed"] == 1
    assert doc["balance_gwei"] == 103_000_000_000
    assert doc["shortfall_gwei"] == MIN_ACTIVATION_BALANCE - 31_000_000_000
    assert doc["by_status"] == {"active_ongoing": 2, "active_slashed": 1}
    assert doc["credential_types"] == {"0x01": 2, "0x02": 1}
    per = {e["address"]: e["count"] for e in doc["by_address"]}
    assert per == {"0x" + cred(1)[-40:]: 2, "0x" + cred(2)[-40:]: 1, "0x" + cred(4)[-40:]: 0}
    assert doc["state"]["finalized"] is True and doc["state"]["state_root"].startswith("0x44")


# ---- the log reader ----


def test_log_reader_halves_a_capped_range_and_returns_everything_in_order() -> None:
    from ion_cli.chain.logs import chunked_log_reader

    calls: list[tuple[int, int]] = []

    def rpc(method: str, params: list[Any]) -> Any:
        lo, hi = int(params[0]["fromBlock"], 16), int(params[0]["toBlock"], 16)
        calls.append((lo, hi))
        if hi - lo + 1 > 250:
            raise RuntimeError("query exceeds max block range 250")
        return [
            {
                "address": "0xAA",
                "topics": ["0x01"],
                "data": "0x",
                "blockNumber": hex(b),
                "logIndex": "0x0",
            }
            for b in range(lo, hi + 1)
            if b % 100 == 0
        ]

    reader = chunked_log_reader(rpc, lambda: 999, span=1000)
    logs = reader("0xaa", ["0x01"], 0)
    assert [e.block_number for e in logs] == list(range(0, 1000, 100))
    sizes = [hi - lo + 1 for lo, hi in calls]
    assert sizes == [1000, 500, 250, 250, 250, 250]  # halved until accepted, then kept


def test_log_reader_reports_other_errors() -> None:
    from ion_cli.chain.logs import chunked_log_reader

    def rpc(method: str, params: list[Any]) -> Any:
        raise RuntimeError("method not found")

    with pytest.raises(NodeError):
        chunked_log_reader(rpc, lambda: 10)("0xaa")


def test_weeth_enumerates_pods_from_logs_when_the_staking_manager_is_known() -> None:
    from ion_adapter_weeth.adapter import MAINNET, VALIDATOR_CREATED, WeEthAdapter

    from ion_cli import adapters as a

    manager = "0x" + "12" * 20
    nodes = ["0x" + "a1" * 20, "0x" + "a2" * 20]
    pods = {nodes[0]: "0x" + "b1" * 20, nodes[1]: "0x" + "b2" * 20}
    topic = a.event_topic(VALIDATOR_CREATED)

    def logs(address: str, topics: Any = (), from_block: int = 0, to_block: Any = None) -> Any:
        assert address == manager and topics[0] == topic
        return [
            a.LogEntry(manager, (topic, "0x" + "00" * 32, "0x" + "00" * 12 + n[2:]), "0x", i, 0)
            for i, n in enumerate([*nodes, nodes[0]])
        ]

    def call(to: str, signature: str, args: Any = ()) -> Any:
        assert signature == "ownerToPod(address)(address)"
        return pods[args[0]]

    class Known(WeEthAdapter):
        mainnet = a.TokenAddresses(
            token=MAINNET.token, contracts={**MAINNET.contracts, "staking_manager": manager}
        )

    ctx = a.AdapterContext(chain_id=1, network="mainnet", call=call, logs=logs)
    source = Known().validators(ctx)
    assert source.complete and source.pods == tuple(pods.values())
    assert set(source.withdrawal_credentials) == {
        c for p in pods.values() for c in a.withdrawal_credentials(p)
    }
    assert not WeEthAdapter().validators(ctx).complete  # address unknown: incomplete, not zero
