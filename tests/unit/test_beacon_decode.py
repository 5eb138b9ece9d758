"""The validators answer decoded a column at a time: the same Validator objects as field by field,
and every malformed field refused wherever it sits in the answer."""

from __future__ import annotations

import gc
import json
import threading
from dataclasses import fields
from typing import Any

import pytest
from beacon_fake import FakeBeacon, cred, item, transport

from ion_cli.beacon import parse
from ion_cli.beacon.client import BeaconClient
from ion_cli.beacon.errors import BeaconMalformed, UnknownValidators
from ion_cli.beacon.snapshot import Validator


def _body(rows: list[dict[str, Any]]) -> bytes:
    return json.dumps({"execution_optimistic": True, "finalized": False, "data": rows}).encode()


def _rows(n: int = 5) -> list[dict[str, Any]]:
    return [item(i, cred(i), balance=31_000_000_000 + i, slashed=i == 3) for i in range(n)]


def test_decoded_validators_are_the_objects_the_fields_describe() -> None:
    rows = _rows()
    flags, got = parse.decode_validators(_body(rows))
    assert (flags.execution_optimistic, flags.finalized) == (True, False)
    expected = [parse.validator(row) for row in rows]  # the field-by-field path
    assert got == expected
    assert [hash(v) for v in got] == [hash(v) for v in expected]
    assert [vars(v) for v in got] == [vars(v) for v in expected]
    assert list(vars(got[0])) == [f.name for f in fields(Validator)]
    assert got[3].slashed and got[3].status == "active_slashed"
    assert got[4].exit_epoch == 2**64 - 1 and got[4].balance == 31_000_000_004
    with pytest.raises(AttributeError):
        got[0].balance = 1  # type: ignore[misc]


def test_an_empty_answer_decodes_to_no_validators() -> None:
    assert parse.decode_validators(_body([]))[1] == []


def test_upper_case_hex_is_lower_cased() -> None:
    rows = _rows(3)
    rows[1]["validator"]["pubkey"] = rows[1]["validator"]["pubkey"].upper().replace("0X", "0x")
    rows[2]["validator"]["withdrawal_credentials"] = "0x" + "AB" * 32
    _, got = parse.decode_validators(_body(rows))
    assert got[1].pubkey == rows[0]["validator"]["pubkey"][:-1] + "1"
    assert got[2].withdrawal_credentials == "0x" + "ab" * 32


@pytest.mark.parametrize("where", [0, 2, 4])
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("index", "１"),  # a fullwidth digit: int() takes it, the API never sends it
        ("balance", "1 "),
        ("effective_balance", "+1"),
        ("exit_epoch", "18446744073709551616"),
        ("withdrawable_epoch", "99999999999999999999"),
        ("activation_epoch", "1_0"),
        ("activation_eligibility_epoch", "-0"),
        ("pubkey", "0X" + "00" * 48),
        ("pubkey", "0x" + "00" * 47 + " 0"),
        ("pubkey", "0x" + "00" * 47 + "0x"),
        ("pubkey", "00" + "00" * 48),
        ("withdrawal_credentials", "0x" + "0g" * 32),
        ("withdrawal_credentials", "0x" + "é" * 64),
        ("withdrawal_credentials", "0x" + "00" * 33),
    ],
)
def test_a_malformed_field_anywhere_is_refused(where: int, field: str, value: str) -> None:
    rows = _rows()
    target = rows[where] if field in rows[where] else rows[where]["validator"]
    target[field] = value
    with pytest.raises(BeaconMalformed):
        parse.decode_validators(_body(rows))


def test_the_collector_is_held_off_only_while_decoding() -> None:
    body = _body(_rows(50))
    assert gc.isenabled()
    seen: list[bool] = []

    def decode() -> None:
        for _ in range(20):
            parse.decode_validators(body)
            seen.append(True)

    threads = [threading.Thread(target=decode) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 80 and gc.isenabled()
    with pytest.raises(BeaconMalformed):
        parse.decode_validators(body[:-5])
    assert gc.isenabled()
    gc.disable()
    try:
        parse.decode_validators(body)
        assert not gc.isenabled()  # a caller's own choice is kept
    finally:
        gc.enable()


# ---- the id check after a fetch (a fast path for index lists, the full check otherwise) ----


def _client(rows: list[dict[str, Any]], chunk: int = 4) -> BeaconClient:
    return BeaconClient(
        ["http://a:1"], transport=transport(FakeBeacon(rows)), backoff=0, chunk=chunk
    )


def test_an_answer_out_of_index_order_is_sorted() -> None:
    rows = [item(i, cred(i)) for i in range(10)][::-1]
    with _client(rows) as c:
        got = c.validators("head", [str(i) for i in (3, 1, 2, 9, 0)]).validators
    assert [v.index for v in got] == [0, 1, 2, 3, 9]


def test_a_validator_answered_twice_is_refused() -> None:
    rows = [item(i, cred(i)) for i in range(6)]
    with _client([*rows, rows[2]]) as c, pytest.raises(BeaconMalformed, match="twice"):
        c.validators("head", [str(i) for i in range(6)])


def test_ids_not_answered_are_unknown_unless_allowed() -> None:
    rows = [item(i, cred(i)) for i in range(6)]
    with _client(rows) as c:
        with pytest.raises(UnknownValidators):
            c.validators("head", ["1", "7"])
        got = c.validators("head", ["1", "7", "5"], require_all=False).validators
    assert [v.index for v in got] == [1, 5]


def test_pubkeys_and_indices_mixed_take_the_full_check() -> None:
    rows = [item(i, cred(i)) for i in range(6)]
    key = rows[4]["validator"]["pubkey"]
    with _client(rows, chunk=100) as c:
        got = c.validators("head", ["5", key, "0"]).validators
    assert [v.index for v in got] == [0, 4, 5]
