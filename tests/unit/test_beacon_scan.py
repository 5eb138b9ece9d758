"""The scan of the whole validator set (ion_cli.beacon.scan): a streamed answer cut into
batches of whole items wherever the chunks fall, two fields decoded per validator, the kept
ones in full; malformed or truncated answers refused; the compact credential cache."""

from __future__ import annotations

import json
from typing import Any

import pytest
from beacon_fake import cred, item
from hypothesis import given, settings
from hypothesis import strategies as st

from ion_cli.beacon import credindex, parse, scan
from ion_cli.beacon.errors import BeaconMalformed
from ion_cli.beacon.snapshot import Validator


def _body(n: int, indent: int | None = None, **envelope: Any) -> bytes:
    doc = {
        "execution_optimistic": False,
        **envelope,
        "data": [item(i, cred(i % 7)) for i in range(n)],
    }
    if indent is None:
        return json.dumps(doc, separators=(",", ":")).encode()
    return json.dumps(doc, indent=indent).encode()


def _scan(body: bytes, cut: int, size: int, wanted: str) -> tuple[int, list[Validator]]:
    seen = 0
    kept: list[Validator] = []

    def keep(indices: list[int], credentials: list[str]) -> list[int]:
        nonlocal seen
        seen += len(indices)
        return [k for k, c in enumerate(credentials) if c == wanted]

    chunks = [body[i : i + cut] for i in range(0, len(body), cut)]
    for batch in scan.batches(chunks, size=size):
        kept += scan.filter_batch(batch, keep)
    return seen, kept


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=300),
    cut=st.integers(min_value=1, max_value=5000),
    size=st.integers(min_value=1, max_value=20_000),
    indent=st.sampled_from([None, 0, 2]),
)
def test_every_validator_is_seen_once_and_the_kept_are_parsed_in_full(
    n: int, cut: int, size: int, indent: int | None
) -> None:
    body = _body(n, indent)
    seen, kept = _scan(body, cut, size, cred(3))
    assert seen == n
    whole = parse.decode_validators(_body(n))[1]
    assert kept == [v for v in whole if v.withdrawal_credentials == cred(3)]


def test_fields_after_the_data_array_and_before_it_are_accepted() -> None:
    body = _body(20)[:-1] + b',"finalized":true}'
    assert _scan(body, 100, 500, cred(1))[0] == 20


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # cut short
        lambda b: b[:-3],  # the array does not close
        lambda b: b.replace(b'"index":"5"', b'"index":"x5"'),  # not a decimal
        lambda b: b.replace(b'"index":"5"', b'"index":"-5"'),
        lambda b: b.replace(cred(2).encode(), b"0x" + b"zz" * 32),  # not hex
        lambda b: b.replace(b'"status":"active_ongoing"', b'"status":"a},{b"', 1),  # brace
        lambda b: b.replace(b'"data":', b'"dat":'),
        lambda b: b + b"garbage",
    ],
)
def test_a_malformed_answer_is_refused(damage: Any) -> None:
    with pytest.raises(BeaconMalformed):
        _scan(damage(_body(50)), 64, 300, cred(2))


def test_the_cache_keeps_indices_as_runs() -> None:
    index = credindex.CredentialIndex("0x" + "11" * 32, 1)
    index.add_many(list(range(0, 1000)), [cred(1)] * 500 + [cred(2)] * 500)
    index.add_many([1000, 1001, 1005], [cred(1), "0x00" + "00" * 31, cred(1)])
    packed = index.to_json()["credentials"]
    assert packed[cred(1)] == [0, 500, 1000, 1, 1005, 1]
    assert packed[cred(2)] == [500, 500]
    assert index.max_index == 1005
    for values in ([], [7], [1, 2, 3, 9, 10, 40]):
        assert credindex.from_runs(credindex.runs(values)) == values
