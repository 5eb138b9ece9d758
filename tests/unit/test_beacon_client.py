"""The beacon client's logic over an in-memory API (httpx.MockTransport): parsing, chunking,
the GET fallback, retries, failover, optimistic and unknown-id handling."""

from __future__ import annotations

import httpx
import pytest
from beacon_fake import FIN_STATE, HEAD_STATE, FakeBeacon, Routed, cred, item, transport

from ion_cli.beacon import parse
from ion_cli.beacon.client import BeaconClient
from ion_cli.beacon.errors import (
    AllNodesFailed,
    BadValidatorId,
    BeaconMalformed,
    BeaconOptimistic,
    BeaconSyncing,
    BeaconUnreachable,
    NodesDisagree,
    UnknownState,
    UnknownValidators,
)
from ion_cli.beacon.fetch import resolve_state, snapshot_of_ids
from ion_cli.beacon.nodes import node_name
from ion_cli.errors import ExitCode


def fake(n: int = 200, **kw: object) -> FakeBeacon:
    return FakeBeacon([item(i, cred(i % 7)) for i in range(n)], **kw)  # type: ignore[arg-type]


def client(handler: object, urls: tuple[str, ...] = ("http://a:1",), **kw: object) -> BeaconClient:
    return BeaconClient(list(urls), transport=transport(handler), backoff=0, **kw)  # type: ignore[arg-type]


# ---- parsing ----


def test_uint64_exact_including_far_future() -> None:
    assert parse.uint64("18446744073709551615") == 2**64 - 1
    assert parse.uint64("0") == 0
    assert parse.uint64(12) == 12
    for bad in ("18446744073709551616", "-1", "1.5", "1e3", " 1", "", True, 1.0, None, "0x10"):
        with pytest.raises(BeaconMalformed):
            parse.uint64(bad)


def test_validator_fields_parsed_exactly() -> None:
    v = parse.validator(item(5, cred(3, "02"), balance=31_999_999_999, slashed=True))
    assert (v.index, v.balance, v.effective_balance, v.slashed) == (
        5,
        31_999_999_999,
        32 * 10**9,
        True,
    )
    assert v.exit_epoch == 2**64 - 1 and v.credential_type == "0x02"
    broken = item(1, cred(1))
    broken["validator"]["slashed"] = "false"
    with pytest.raises(BeaconMalformed):
        parse.validator(broken)
    short = item(1, cred(1))
    short["validator"]["pubkey"] = "0x1234"
    with pytest.raises(BeaconMalformed):
        parse.validator(short)


def test_ids_and_states_from_user_input() -> None:
    assert parse.validator_ids(["007", "7", "0x" + "AB" * 48]) == ["7", "0x" + "ab" * 48]
    for bad in ("abc", "0x1234", "-1", "18446744073709551616"):
        with pytest.raises(BadValidatorId) as info:
            parse.validator_id(bad)
        assert info.value.exit_code == ExitCode.USAGE
    assert parse.state_id("Finalized") == "finalized" and parse.state_id("0100") == "100"
    with pytest.raises(UnknownState):
        parse.state_id("latest")


def test_node_name_hides_path_and_credentials() -> None:
    assert node_name("https://user:secret@node.example:5052/key123/") == "https://node.example:5052"


# ---- chunking and fallback ----


def test_post_in_chunks_with_results_in_index_order() -> None:
    api = fake(100)
    ids = [str(i) for i in range(99, -1, -1)]
    with client(api, chunk=30, concurrency=3) as c:
        answer = c.validators("head", ids)
    assert [v.index for v in answer.validators] == list(range(100))
    assert sorted(n for m, _, n in api.requests if m == "POST") == [10, 30, 30, 30]


def test_get_fallback_in_chunks_of_64_when_post_is_refused() -> None:
    api = fake(200, post=False)
    warnings: list[str] = []
    with client(api, chunk=1000, warn=warnings.append) as c:
        answer = c.validators("head", [str(i) for i in range(150)])
    assert len(answer.validators) == 150
    assert [n for m, _, n in api.requests if m == "GET"] == [64, 64, 22]
    assert any("POST" in w for w in warnings)


def test_a_lower_get_cap_than_the_spec_halves_the_chunk() -> None:
    api = fake(100, post=False, get_limit=20)
    with client(api) as c:
        answer = c.validators("head", [str(i) for i in range(100)])
    assert len(answer.validators) == 100
    assert max(n for _, _, n in api.requests) <= 20


def test_unknown_ids_are_an_error_naming_them() -> None:
    with client(fake(10)) as c, pytest.raises(UnknownValidators) as info:
        c.validators("head", ["1", "2", "55", "0x" + "ff" * 48])
    assert info.value.exit_code == ExitCode.USAGE
    assert info.value.missing == ("55", "0x" + "ff" * 48)
    with client(fake(10)) as c:
        assert len(c.validators("head", ["1", "55"], require_all=False).validators) == 1


def test_answers_not_asked_for_are_refused() -> None:
    api = fake(10)

    def ignores_the_body(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return api._ok(api.validators)  # a proxy that dropped the body: everything
        return api(request)

    with client(ignores_the_body) as c, pytest.raises(BeaconMalformed):
        c.validators("head", ["1"])


# ---- retries, failover, errors ----


def test_retries_a_5xx_then_succeeds() -> None:
    api = fake(5, fail_first=2)
    with client(api, retries=2) as c:
        assert len(c.validators("head", ["1", "2"]).validators) == 2


def test_unreachable_node_fails_over_to_the_next() -> None:
    api = fake(5)
    down = httpx.ConnectError("Connection refused")
    warnings: list[str] = []
    nodes = Routed({"a": down, "b": api})
    with client(nodes, ("http://a:1", "http://b:2"), retries=1, warn=warnings.append) as c:
        assert len(c.validators("head", ["1"]).validators) == 1
        assert c.source == "http://b:2"
    assert warnings and "http://a:1" in warnings[0]


def test_every_node_down_names_each() -> None:
    nodes = Routed({"a": httpx.ConnectError("refused"), "b": httpx.ReadTimeout("slow")})
    with (
        client(nodes, ("http://a:1", "http://b:2"), retries=0) as c,
        pytest.raises(AllNodesFailed) as info,
    ):
        c.header("head")
    assert "http://a:1" in info.value.message and "http://b:2" in info.value.message
    assert info.value.exit_code == ExitCode.NODE
    with (
        client(Routed({"a": httpx.ConnectError("refused")}), retries=0) as c,
        pytest.raises(BeaconUnreachable),
    ):
        c.header("head")


def test_syncing_node_is_skipped() -> None:
    with client(fake(5, health=206)) as c, pytest.raises(BeaconSyncing) as info:
        c.header("head")
    assert "syncing" in info.value.message
    nodes = Routed({"a": fake(5, health=206), "b": fake(5)})
    with client(nodes, ("http://a:1", "http://b:2")) as c:
        assert c.header("head").slot == 6400


def test_malformed_json_is_a_node_error() -> None:
    with client(fake(5, malformed=True)) as c, pytest.raises(BeaconMalformed) as info:
        c.validators("head", ["1"])
    assert info.value.exit_code == ExitCode.NODE


def test_a_body_cut_mid_response_is_retried_then_reported() -> None:
    api = fake(50)
    cut = {"left": 1}

    def truncating(request: httpx.Request) -> httpx.Response:
        response = api(request)
        if request.url.path.endswith("/validators") and cut["left"] > 0:
            cut["left"] -= 1
            body = response.read()
            return httpx.Response(200, content=body[: len(body) // 2])
        return response

    with client(truncating, retries=1) as c:
        assert len(c.validators("head", None).validators) == 50
    cut["left"] = 10
    with client(truncating, retries=1) as c, pytest.raises(BeaconUnreachable) as info:
        c.validators("head", None)
    assert "mid-response" in info.value.message


# ---- states ----


def test_finalized_is_resolved_first_and_named_by_state_root() -> None:
    api = fake(20)
    with client(api) as c:
        snap = snapshot_of_ids(c, ["3", "4"])
    assert snap.state.state_root == FIN_STATE and snap.state.finalized and snap.slot == 6336
    assert all(FIN_STATE in path for _, path, _ in api.requests)


def test_head_names_its_state_root_and_is_not_finalized() -> None:
    with client(fake(20)) as c:
        ref = resolve_state(c, "head")
    assert ref.state_root == HEAD_STATE and not ref.finalized
    with client(fake(20)) as c:
        assert resolve_state(c, HEAD_STATE).slot == 6400  # a state root of head is accepted
    with client(fake(20)) as c, pytest.raises(UnknownState):
        resolve_state(c, "0x" + "99" * 32)


def test_optimistic_finalized_is_refused_head_warned() -> None:
    with client(fake(5, optimistic=True)) as c, pytest.raises(BeaconOptimistic):
        snapshot_of_ids(c, ["1"], "finalized")
    warnings: list[str] = []
    with client(fake(5, optimistic=True)) as c:
        snap = snapshot_of_ids(c, ["1"], "head", warn=warnings.append)
    assert snap.state.execution_optimistic and warnings


def test_cross_check_refuses_disagreement() -> None:
    nodes = Routed({"a": fake(5), "b": fake(5, finalized_root="0x" + "55" * 32)})
    with client(nodes, ("http://a:1", "http://b:2")) as c, pytest.raises(NodesDisagree) as info:
        c.cross_check()
    assert info.value.exit_code == ExitCode.REFUSED
    same = Routed({"a": fake(5), "b": fake(5)})
    with client(same, ("http://a:1", "http://b:2")) as c:
        assert c.cross_check().epoch == 198


def test_progress_is_reported_through_the_callback() -> None:
    seen: list[tuple[int, int]] = []
    with client(fake(100), chunk=25, progress=lambda d, t: seen.append((d, t))) as c:
        c.validators("head", [str(i) for i in range(100)])
    assert seen[-1] == (100, 100) and len(seen) == 4


def test_a_slot_is_pinned_to_its_state_root_and_the_block_at_or_before_it() -> None:
    with client(fake(5)) as c:
        ref = resolve_state(c, "6336")
        assert (ref.slot, ref.state_root, ref.finalized) == (6336, FIN_STATE, True)
        assert ref.block_root == c.header("finalized").root
        with pytest.raises(UnknownState):
            resolve_state(c, "7000")


def _answer(**changes: object) -> bytes:
    import json

    row = item(5, cred(1))
    row.update({k: v for k, v in changes.items() if k in row})
    row["validator"].update({k: v for k, v in changes.items() if k in row["validator"]})
    return json.dumps({"execution_optimistic": False, "finalized": True, "data": [row]}).encode()


def test_decoded_answers_are_exact() -> None:
    flags, [v] = parse.decode_validators(_answer())
    assert flags.finalized and v.exit_epoch == 2**64 - 1 and v.index == 5
    upper = _answer(pubkey="0x" + "AB" * 48)
    assert parse.decode_validators(upper)[1][0].pubkey == "0x" + "ab" * 48


@pytest.mark.parametrize(
    "change",
    [
        {"index": "18446744073709551616"},
        {"index": "+5"},
        {"index": " 5"},
        {"index": "5e0"},
        {"index": "5.0"},
        {"index": "-5"},
        {"index": ""},
        {"index": "²"},
        {"index": 5},
        {"balance": "3_2"},
        {"slashed": "false"},
        {"slashed": 0},
        {"status": "active"},
        {"pubkey": "0x1234"},
        {"withdrawal_credentials": "0x" + "zz" * 32},
    ],
)
def test_decoded_answers_refuse_what_the_api_never_sends(change: dict[str, object]) -> None:
    with pytest.raises(BeaconMalformed):
        parse.decode_validators(_answer(**change))


def test_a_cut_answer_is_called_truncated() -> None:
    with pytest.raises(BeaconMalformed, match="truncated"):
        parse.decode_validators(_answer()[:-20])
