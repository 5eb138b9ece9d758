"""The devnet's beacon API server over real HTTP: the standard routes, and `ion devnet slash`,
`penalize` and `advance` moving its state by exactly the consensus rules.

The session devnet starts the server beside anvil; each test's EVM revert moves the chain's clock
back, and the server drops the blocks and operations after it (a reorg), so tests share nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ion_cli import consensus_rules as cr
from ion_cli.cli import app
from ion_cli.devnet import beacon_records
from ion_cli.testing.devnet import DevnetHandle, beacon_server, set_faults
from ion_cli.testing.json_documents import check_document

pytestmark = pytest.mark.integration


def ion(*args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return check_document(json.loads(result.stdout))  # the output contract, every command


@pytest.fixture
def api(devnet: DevnetHandle) -> Iterator[httpx.Client]:
    assert devnet.beacon_url is not None
    with httpx.Client(base_url=devnet.beacon_url, timeout=60) as client:
        yield client


def get(api: httpx.Client, path: str, **params: Any) -> Any:
    answer = api.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def validators(api: httpx.Client, state: str, ids: list[int]) -> dict[int, dict[str, Any]]:
    answer = api.post(
        f"/eth/v1/beacon/states/{state}/validators", json={"ids": [str(i) for i in ids]}
    )
    assert answer.status_code == 200, answer.text
    return {int(v["index"]): v for v in answer.json()["data"]}


def lrt_indices(api: httpx.Client, symbol: str) -> list[int]:
    info = get(api, "/ion/v1/devnet/info")
    creds = set(info["lrts"][symbol]["credentials"])
    rows = api.post("/eth/v1/beacon/states/head/validators", json={}).json()["data"]
    return [int(v["index"]) for v in rows if v["validator"]["withdrawal_credentials"] in creds]


def test_the_validator_set_is_realistic(api: httpx.Client, devnet: DevnetHandle) -> None:
    info = get(api, "/ion/v1/devnet/info")
    assert info["validators"] > 10_000
    lrts = {s: t for s, t in devnet.deployment.tokens.items() if t.withdrawal_credentials}
    assert set(lrts) == {"weETH", "ezETH", "rsETH", "rswETH"} == set(info["lrts"])
    for symbol, token in lrts.items():
        # Every credential of the deployment file backs its validators, thousands per LRT.
        assert info["lrts"][symbol]["credentials"] == list(token.withdrawal_credentials)
        expected = len(token.withdrawal_credentials) * token.validators_per_credential
        assert info["lrts"][symbol]["validators"] == expected >= 2000
    everything = api.post("/eth/v1/beacon/states/head/validators", json={"ids": [], "statuses": []})
    rows = everything.json()["data"]
    assert len(rows) == info["validators"]
    assert {r["validator"]["withdrawal_credentials"][:4] for r in rows} == {"0x00", "0x01", "0x02"}
    statuses = {r["status"] for r in rows}
    assert {"active_ongoing", "pending_queued", "withdrawal_done"} <= statuses
    weeth = set(info["lrts"]["weETH"]["credentials"])
    assert sum(r["validator"]["withdrawal_credentials"] in weeth for r in rows) == 3200


def test_validator_routes(api: httpx.Client) -> None:
    head = get(api, "/eth/v1/beacon/states/head/validators", id="0,5")
    assert head["execution_optimistic"] is False and head["finalized"] is False
    first, fifth = head["data"]
    assert (first["index"], fifth["index"]) == ("0", "5")
    pubkey = fifth["validator"]["pubkey"]
    # ids repeated, by pubkey or index; statuses filter; uint64s as decimal strings
    again = api.get(
        "/eth/v1/beacon/states/head/validators", params=[("id", pubkey), ("id", "0")]
    ).json()["data"]
    assert [v["index"] for v in again] == ["0", "5"]
    assert isinstance(fifth["balance"], str) and int(fifth["balance"]) > 0
    assert fifth["validator"]["exit_epoch"] in (
        str(cr.FAR_FUTURE_EPOCH),
        fifth["validator"]["exit_epoch"],
    )

    too_many = api.get(
        "/eth/v1/beacon/states/head/validators", params={"id": ",".join(map(str, range(65)))}
    )
    assert too_many.status_code == 414
    assert too_many.json()["code"] == 414 and "64" in too_many.json()["message"]
    assert (
        len(
            get(api, "/eth/v1/beacon/states/head/validators", id=",".join(map(str, range(64))))[
                "data"
            ]
        )
        == 64
    )

    posted = api.post(
        "/eth/v1/beacon/states/head/validators",
        json={"ids": [str(i) for i in range(500)], "statuses": ["active"]},
    ).json()["data"]
    assert 0 < len(posted) <= 500
    assert all(v["status"].startswith("active") for v in posted)

    one = get(api, f"/eth/v1/beacon/states/head/validators/{pubkey}")["data"]
    assert one == fifth
    missing = api.get("/eth/v1/beacon/states/head/validators/99999999")
    assert missing.status_code == 404 and missing.json()["code"] == 404
    bad = api.get("/eth/v1/beacon/states/nonsense/validators")
    assert bad.status_code == 400 and set(bad.json()) == {"code", "message"}

    # POST validator_balances takes a bare array of ids (the spec's body); anything else is 400.
    posted_balances = api.post("/eth/v1/beacon/states/head/validator_balances", json=["5", "0"])
    assert posted_balances.json()["data"] == [
        {"index": "0", "balance": first["balance"]},
        {"index": "5", "balance": fifth["balance"]},
    ]
    wrong = api.post("/eth/v1/beacon/states/head/validator_balances", json="0")
    assert wrong.status_code == 400 and wrong.json()["code"] == 400
    got = get(api, "/eth/v1/beacon/states/head/validator_balances", id="0,5")["data"]
    assert got == [
        {"index": "0", "balance": first["balance"]},
        {"index": "5", "balance": fifth["balance"]},
    ]


def test_headers_roots_finality_genesis_and_node(api: httpx.Client) -> None:
    from ion_cli.beacon import ssz

    header = get(api, "/eth/v1/beacon/headers/head")["data"]
    message = header["header"]["message"]
    # The block root is the SSZ hash_tree_root of the header the server shows.
    assert header["root"] == ssz.root_hex(ssz.BeaconBlockHeader.from_obj(message))
    block = get(api, f"/eth/v2/beacon/blocks/{header['root']}")
    assert block["version"] == "fulu"
    body = block["data"]["message"]["body"]
    assert message["body_root"] == ssz.root_hex(ssz.BeaconBlockBody.from_obj(body))
    head_slot = int(message["slot"])
    assert get(api, "/eth/v1/beacon/states/head/root")["data"]["root"] == message["state_root"]
    by_root = get(api, f"/eth/v1/beacon/states/{message['state_root']}/validators", id="1")
    assert by_root["data"][0]["index"] == "1"

    checkpoints = get(api, "/eth/v1/beacon/states/head/finality_checkpoints")["data"]
    epoch = head_slot // 32
    assert int(checkpoints["finalized"]["epoch"]) == epoch - 2
    assert int(checkpoints["current_justified"]["epoch"]) == epoch - 1
    finalized = get(api, "/eth/v1/beacon/headers/finalized")
    assert finalized["finalized"] is True
    assert finalized["data"]["root"] == checkpoints["finalized"]["root"]
    assert get(api, "/eth/v1/beacon/states/finalized/validators", id="0")["finalized"] is True

    genesis = get(api, "/eth/v1/beacon/genesis")["data"]
    assert (
        int(genesis["genesis_time"]) + head_slot * 12
        <= int(get(api, "/ion/v1/devnet/info")["genesis_time"]) + (head_slot + 1) * 12
    )
    assert len(genesis["genesis_validators_root"]) == 66
    assert api.get("/eth/v1/node/health").status_code == 200
    assert get(api, "/eth/v1/node/syncing")["data"]["is_syncing"] is False
    assert "ion-devnet" in get(api, "/eth/v1/node/version")["data"]["version"]
    assert api.get("/eth/v1/beacon/headers/123").status_code == 404


def test_slash_takes_the_consensus_penalties(api: httpx.Client, devnet: DevnetHandle) -> None:
    chosen = lrt_indices(api, "weETH")[:40]
    before = validators(api, "head", chosen)
    result = ion("devnet", "slash", "--lrt", "weETH", "--count", "3")
    slashed = [row["index"] for row in result["validators"]]
    assert len(slashed) == 3 and set(slashed) <= set(chosen)
    after = validators(api, "head", slashed)
    for index in slashed:
        eff = int(before[index]["validator"]["effective_balance"])
        fell = int(before[index]["balance"]) - int(after[index]["balance"])
        assert fell == eff // 4096 == cr.initial_slashing_penalty(eff)
        assert after[index]["validator"]["slashed"] is True
        assert after[index]["status"] == "active_slashed"
    # The block that slashed them carries the proposer slashings.
    block = get(api, f"/eth/v2/beacon/blocks/{result['slot']}")["data"]["message"]
    proposers = [
        int(s["signed_header_1"]["message"]["proposer_index"])
        for s in block["body"]["proposer_slashings"]
    ]
    assert proposers == slashed
    # Finality follows the clock: the finalized state sees the slashing two epochs later.
    assert validators(api, "finalized", slashed)[slashed[0]]["validator"]["slashed"] is False
    ion("devnet", "advance", "--epochs", "3")
    assert validators(api, "finalized", slashed)[slashed[0]]["validator"]["slashed"] is True
    ion("devnet", "advance", "--epochs", "4")  # past the exit epoch (slashing epoch + 5)
    exited = validators(api, "head", slashed)
    assert {v["status"] for v in exited.values()} == {"exited_slashed"}

    # Half-way to withdrawability, the correlation penalty: per effective-balance increment, from
    # the slashed total against the total active balance (both read back from the API).
    penalty_epoch = result["validators"][0]["correlation_penalty_epoch"]
    head_epoch = (
        int(get(api, "/eth/v1/beacon/headers/head")["data"]["header"]["message"]["slot"]) // 32
    )
    ion("devnet", "advance", "--epochs", str(penalty_epoch - head_epoch + 1))
    active = api.post("/eth/v1/beacon/states/head/validators", json={"statuses": ["active"]})
    total_active = sum(int(v["validator"]["effective_balance"]) for v in active.json()["data"])
    late = validators(api, "head", slashed)
    window = sum(int(before[i]["validator"]["effective_balance"]) for i in slashed)
    for index in slashed:
        eff = int(late[index]["validator"]["effective_balance"])
        correlation = cr.correlation_penalty(eff, window, total_active)
        assert correlation > 0
        assert int(after[index]["balance"]) - int(late[index]["balance"]) == correlation


def test_penalize_and_advance(api: httpx.Client) -> None:
    indices = lrt_indices(api, "rsETH")
    before = validators(api, "head", indices)
    active = [i for i in indices if before[i]["status"] == "active_ongoing"]
    result = ion("devnet", "penalize", "--lrt", "rsETH", "--gwei", "300000000")
    assert result["validators"] == len(active)
    after = validators(api, "head", indices)
    for index in indices:
        fell = int(before[index]["balance"]) - int(after[index]["balance"])
        assert fell == (300_000_000 if index in active else 0)
        eff = cr.effective_balance_after(
            int(after[index]["balance"]),
            int(before[index]["validator"]["effective_balance"]),
            before[index]["validator"]["withdrawal_credentials"],
        )
        assert int(after[index]["validator"]["effective_balance"]) == eff

    head = int(get(api, "/eth/v1/beacon/headers/head")["data"]["header"]["message"]["slot"])
    moved = ion("devnet", "advance", "--epochs", "5")
    assert moved["beacon"]["head_slot"] // 32 == head // 32 + 5
    assert moved["beacon"]["finalized_epoch"] == moved["beacon"]["head_epoch"] - 2
    checkpoints = get(api, "/eth/v1/beacon/states/head/finality_checkpoints")["data"]
    assert int(checkpoints["finalized"]["epoch"]) == moved["beacon"]["finalized_epoch"]


def test_unknown_lrt_and_count_are_usage_errors(devnet: DevnetHandle) -> None:
    result = CliRunner().invoke(app, ["devnet", "slash", "--lrt", "stETH"])
    assert result.exit_code == 2 and "unknown LRT" in result.stderr
    result = CliRunner().invoke(app, ["devnet", "slash", "--lrt", "weETH", "--count", "999999"])
    assert result.exit_code == 2 and "must be from 1 to 100,000" in result.stderr
    # within the option's bound, beyond the LRT's validators: the node says how many there are
    result = CliRunner().invoke(app, ["devnet", "slash", "--lrt", "weETH", "--count", "99999"])
    assert result.exit_code == 2 and "only" in result.stderr


def test_events_stream_head_and_slashings(api: httpx.Client, devnet: DevnetHandle) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    ready = threading.Event()

    def listen() -> None:
        url = f"{devnet.beacon_url}/eth/v1/events"
        params = {"topics": "head,proposer_slashing,finalized_checkpoint"}
        with httpx.stream("GET", url, params=params, timeout=30) as stream:
            ready.set()
            topic = ""
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    topic = line[7:]
                elif line.startswith("data: "):
                    seen.append((topic, json.loads(line[6:])))
                    if topic == "proposer_slashing":
                        return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert ready.wait(10)
    result = ion("devnet", "slash", "--lrt", "ezETH", "--count", "1")
    thread.join(30)
    topics = [t for t, _ in seen]
    assert "head" in topics and topics[-1] == "proposer_slashing"
    heads = [d for t, d in seen if t == "head"]
    assert heads[-1]["slot"] == str(result["slot"]) and heads[-1]["block"] == result["block_root"]
    slashing = seen[-1][1]
    assert slashing["signed_header_1"]["message"]["proposer_index"] == str(
        result["validators"][0]["index"]
    )


def test_a_large_set_streams(tmp_path: Any) -> None:
    """The benchmark-size server: no devnet node, synthetic state roots, rows streamed."""
    from ion_cli.devnet import beacon, processes

    service = beacon.beacon_service(None, None, ["--validators", "60000"])
    _, info = processes.spawn(service, tmp_path)
    try:
        with httpx.Client(base_url=info.url, timeout=120) as client:
            rows = client.post("/eth/v1/beacon/states/head/validators", json={}).json()["data"]
            assert len(rows) == 60000 and rows[-1]["index"] == "59999"
            header = client.get("/eth/v1/beacon/headers/head").json()["data"]
            assert header["header"]["message"]["slot"] == str(
                (beacon_records.GENESIS_EPOCHS + 1) * 32 + 7
            )
    finally:
        processes.terminate(info.pid, service)


def test_two_servers_on_one_devnet_agree(
    api: httpx.Client, devnet: DevnetHandle, tmp_path: Any
) -> None:
    """Blocks follow the devnet chain's blocks, not what a server happened to see: a server
    started later serves the same roots and checkpoints; another seed is another chain."""
    ion("devnet", "advance", "--epochs", "3")
    deployment = devnet.deployment_dir / "deployment.json"
    with (
        beacon_server(tmp_path / "a", rpc_url=devnet.rpc_url, deployment=deployment) as same,
        beacon_server(
            tmp_path / "b",
            rpc_url=devnet.rpc_url,
            args=["--seed", "another"],
            deployment=deployment,
        ) as other,
    ):
        path = "/eth/v1/beacon/states/head/finality_checkpoints"
        ours = get(api, path)["data"]
        assert httpx.get(same + path).json()["data"] == ours
        assert httpx.get(other + path).json()["data"]["finalized"] != ours["finalized"]
        head = "/eth/v1/beacon/headers/head"
        assert httpx.get(same + head).json() == get(api, head)


def test_faults_make_the_server_misbehave(devnet: DevnetHandle, tmp_path: Any) -> None:
    with beacon_server(tmp_path, rpc_url=devnet.rpc_url) as url:
        path = f"{url}/eth/v1/beacon/states/head/validators"
        set_faults(url, syncing=True)
        assert httpx.get(f"{url}/eth/v1/node/health").status_code == 206
        assert httpx.get(path, params={"id": "1"}).status_code == 503
        set_faults(url, reset=True, no_post=True, optimistic=True)
        assert httpx.post(path, json={"ids": ["1"]}).status_code == 405
        assert httpx.get(path, params={"id": "1"}).json()["execution_optimistic"] is True
        set_faults(url, reset=True, malformed=True)
        with pytest.raises(json.JSONDecodeError):
            json.loads(httpx.get(path, params={"id": "1"}).text)
        set_faults(url, reset=True, drop=True)
        with pytest.raises(httpx.HTTPError):
            httpx.post(path, json={}).json()
        set_faults(url, reset=True, status_code=500)
        failed = httpx.get(path, params={"id": "1"})
        assert failed.status_code == 500 and failed.json()["code"] == 500
        set_faults(url, reset=True)
        assert httpx.get(path, params={"id": "1"}).status_code == 200


def test_ssz_state_proves_a_validator_against_the_served_root(api: httpx.Client) -> None:
    """The SSZ state route: its hash_tree_root is the header's state root, and a Merkle branch
    of one validator's withdrawal credentials from it checks against that root."""
    import hashlib

    from ion_cli.beacon import ssz

    header = get(api, "/eth/v1/beacon/headers/head")["data"]["header"]["message"]
    answer = api.get(
        "/eth/v2/debug/beacon/states/head", headers={"Accept": "application/octet-stream"}
    )
    assert answer.status_code == 200 and answer.headers["Eth-Consensus-Version"] == "fulu"
    state = ssz.BeaconState.decode_bytes(answer.content)
    assert ssz.root_hex(state) == header["state_root"]
    assert api.get("/eth/v2/debug/beacon/states/head").status_code == 406

    index = 7
    row = get(api, "/eth/v1/beacon/states/head/validators", id=str(index))["data"][0]
    # validators is field 11 of 38 (gindex 64 + 11); its contents sit under the length mix-in,
    # 2**40 leaves deep; withdrawal_credentials is field 1 of the Validator's 8.
    gindex = ((75 * 2) * 2**40 + index) * 8 + 1
    backing = state.get_backing()
    leaf = bytes(backing.getter(gindex).merkle_root())
    assert "0x" + leaf.hex() == row["validator"]["withdrawal_credentials"]
    node, g = leaf, gindex
    while g > 1:
        sibling = bytes(backing.getter(g ^ 1).merkle_root())
        pair = sibling + node if g & 1 else node + sibling
        node, g = hashlib.sha256(pair).digest(), g // 2
    assert "0x" + node.hex() == header["state_root"]
    assert gindex.bit_length() - 1 == 50  # a 50-hash branch, as toolchain.md measured
