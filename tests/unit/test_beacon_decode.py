"""The validators answer decoded a column at a time: the same Validator objects as field by field,
and every malformed field refused wherever it sits in the answer."""

from __future__ import annotations

import gc
import json
import threading
from dataclasses import fields
from typing import Any

import pytest
from beacon_fake import cred, item

from ion_cli.beacon import parse
from ion_cli.beacon.errors import BeaconMalformed
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
