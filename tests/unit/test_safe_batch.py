"""The Safe Transaction Builder batch format and its checksum (ion_cli.chain.safe_batch),
checked against the vectors of the Transaction Builder's own tests (safe-react-apps,
apps/tx-builder/src/lib/checksum.test.js)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ion_cli.chain import safe_batch as sb
from ion_cli.errors import UsageError

A = "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6"


def published_batch() -> dict[str, Any]:
    """The batch of the Transaction Builder's checksum test, as it hashes it (with the
    `meta.checksum` key still present and empty)."""
    return {
        "version": "1.0",
        "chainId": "4",
        "createdAt": 1646321521061,
        "meta": {
            "name": "test batch file",
            "txBuilderVersion": "1.4.0",
            "checksum": "",
            "createdFromSafeAddress": "0xDF8a1Ce35c9a6ACE153B4e0767942f1E2291a1Aa",
            "createdFromOwnerAddress": A,
        },
        "transactions": [
            {
                "to": A,
                "value": "0",
                "contractMethod": {
                    "inputs": [
                        {"internalType": "address", "name": "paramAddress", "type": "address"}
                    ],
                    "name": "testAddress",
                    "payable": False,
                },
                "contractInputsValues": {"paramAddress": A},
            },
            {
                "to": A,
                "value": "0",
                "contractMethod": {
                    "inputs": [{"internalType": "bool", "name": "paramBool", "type": "bool"}],
                    "name": "testBool",
                    "payable": False,
                },
                "contractInputsValues": {"paramAddress": "", "paramBool": "false"},
            },
            {
                "to": A,
                "value": "2000000000000000000",
                "data": "0x42f45790" + "00" * 12 + A[2:].lower(),
            },
        ],
    }


def test_published_vector() -> None:
    assert (
        sb.hash_as_given(published_batch())
        == "0x4ecbfd364aa6759983915644e73f8bd411e85a2dc306f252a387c2728c4db64c"
    )


def test_key_order_does_not_matter() -> None:
    batch = published_batch()
    reordered = dict(reversed(list(batch.items())))
    reordered["meta"] = dict(reversed(list(batch["meta"].items())))
    assert sb.hash_as_given(reordered) == sb.hash_as_given(batch)


def test_transaction_order_matters() -> None:
    batch = published_batch()
    swapped = copy.deepcopy(batch)
    swapped["transactions"].reverse()
    assert sb.hash_as_given(swapped) != sb.hash_as_given(batch)


def test_canonical_text() -> None:
    assert sb.canonical_text({"b": [1, "x"], "a": None}) == '{["a","b"]null,[1,"x"],}'
    assert sb.canonical_text("é\n") == '"é\\n"'


def _batch() -> dict[str, Any]:
    from ion_cli.abi import interface

    entry = interface("ERC20").function("approve")
    tx = sb.batch_transaction(
        A,
        0,
        b"\x09\x5e\xa7\xb3" + bytes(64),
        entry,
        [
            ("spender", "address", A.lower()),
            ("amount", "uint256", 10**18),
        ],
    )
    return sb.new_batch(
        chain_id=31337,
        safe=A,
        name="n",
        description="d",
        transactions=[tx],
        created_at_ms=1,
    )


def test_new_batch_shape_and_checksum() -> None:
    batch = _batch()
    assert batch["chainId"] == "31337" and batch["version"] == "1.0"
    tx = batch["transactions"][0]
    assert tx["contractMethod"]["name"] == "approve"
    assert [i["type"] for i in tx["contractMethod"]["inputs"]] == ["address", "uint256"]
    assert tx["contractInputsValues"] == {"spender": A, "amount": str(10**18)}
    assert sb.checksum_valid(batch)
    renamed = copy.deepcopy(batch)
    renamed["meta"]["name"] = "another name"  # the app lets a batch be renamed
    assert sb.checksum_valid(renamed)
    changed = copy.deepcopy(batch)
    changed["transactions"][0]["value"] = "1"
    assert not sb.checksum_valid(changed)
    with pytest.raises(UsageError, match="checksum"):
        sb.parse_batch(changed, "b.json")
    assert sb.parse_batch(batch, "b.json")[0][0] == A


def test_parse_batch_refuses_numbers_and_missing_data() -> None:
    batch = _batch()
    batch["transactions"][0]["value"] = 0
    batch["meta"]["checksum"] = sb.checksum_of(batch)
    with pytest.raises(UsageError, match="decimal string"):
        sb.parse_batch(batch, "b.json")
    assert not sb.is_batch({"format": "ion-plan"})
