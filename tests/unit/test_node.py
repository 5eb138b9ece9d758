"""ion_cli.chain.node: the write path's node over the reader (no web3), on a fake node:
web3's formatting of the fields ion reads, "not found" as an exception either way, fees in one
round trip, and the send never retried."""

from __future__ import annotations

import json
import sys
from typing import Any

import httpx
import pytest

from ion_cli.chain.fees import DEFAULT_TIP, quote_fees
from ion_cli.chain.node import Node, TransactionNotFound, not_found_errors
from ion_cli.chain.rpc import Reader
from ion_cli.errors import NodeError

TX = "0x" + "ab" * 32


def _node(answers: dict[str, Any], seen: list[Any] | None = None, status: int = 200) -> Node:
    def handler(request: httpx.Request) -> httpx.Response:
        payload = json.loads(request.content)
        if seen is not None:
            seen.append(payload)
        one = payload if isinstance(payload, list) else [payload]
        out = []
        for r in one:
            found = answers.get(r["method"], {"code": -32601, "message": "method not found"})
            key = "error" if isinstance(found, dict) and "code" in found else "result"
            out.append({"jsonrpc": "2.0", "id": r["id"], key: found})
        return httpx.Response(status, json=out if isinstance(payload, list) else out[0])

    return Node(Reader("http://127.0.0.1:1", transport=httpx.MockTransport(handler)))


def test_receipts_and_transactions_come_formatted_as_web3_gives_them() -> None:
    node = _node(
        {
            "eth_getTransactionReceipt": {
                "status": "0x1",
                "blockNumber": "0x10",
                "gasUsed": "0x5208",
                "effectiveGasPrice": "0x3b9aca00",
                "blockHash": "0x" + "cd" * 32,
                "logs": [],
            },
            "eth_getTransactionByHash": {
                "to": "0x" + "aa" * 20,
                "input": "0x1234",
                "value": "0x0",
                "gas": "0x5208",
                "maxFeePerGas": "0x10",
            },
        }
    )
    receipt = node.eth.get_transaction_receipt(TX)
    assert (receipt["status"], receipt["blockNumber"], receipt["gasUsed"]) == (1, 16, 21000)
    assert receipt["blockHash"] == "0x" + "cd" * 32
    tx = node.eth.get_transaction(TX)
    assert tx["input"] == b"\x12\x34" and tx["gas"] == 21000 and tx["maxFeePerGas"] == 16
    assert tx["to"] == "0xaAaAaAaaAaAaAaaAaAAAAAAAAaaaAaAaAaaAaaAa"


def test_an_unknown_transaction_raises_not_found() -> None:
    node = _node({"eth_getTransactionReceipt": None, "eth_getTransactionByHash": None})
    with pytest.raises(not_found_errors()):
        node.eth.get_transaction_receipt(TX)
    with pytest.raises(TransactionNotFound):
        node.eth.get_transaction(TX)
    if "web3.exceptions" in sys.modules:  # a caller holding a Web3: its class is caught too
        assert sys.modules["web3.exceptions"].TransactionNotFound in not_found_errors()


def test_fees_are_read_in_one_round_trip() -> None:
    seen: list[Any] = []
    node = _node(
        {"eth_getBlockByNumber": {"baseFeePerGas": "0x64"}, "eth_maxPriorityFeePerGas": "0x2"},
        seen,
    )
    fees = quote_fees(node.as_web3())
    assert (fees.base_fee, fees.tip, fees.max_fee) == (100, 2, 202)
    assert len(seen) == 1 and len(seen[0]) == 2


def test_a_node_without_a_tip_method_gets_the_default_tip_and_legacy_chains_a_gas_price() -> None:
    node = _node({"eth_getBlockByNumber": {"baseFeePerGas": "0x64"}})
    assert quote_fees(node.as_web3()).tip == DEFAULT_TIP
    legacy = _node({"eth_getBlockByNumber": {"number": "0x1"}, "eth_gasPrice": "0x7"})
    fees = quote_fees(legacy.as_web3())
    assert (fees.base_fee, fees.max_fee, fees.eip1559) == (None, 7, False)


def test_a_send_is_never_retried_and_a_gateway_error_is_unreachable() -> None:
    seen: list[Any] = []

    def gateway(request: httpx.Request) -> httpx.Response:  # a proxy's own JSON error page
        seen.append(request)
        return httpx.Response(502, json={"error": "bad gateway"})

    node = Node(Reader("http://127.0.0.1:1", transport=httpx.MockTransport(gateway)))
    with pytest.raises(NodeError, match="HTTP 502"):
        node.eth.send_raw_transaction(b"\x02\x01")
    assert len(seen) == 1

    def drop(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        raise httpx.RemoteProtocolError("Server disconnected", request=request)

    dropped = Node(Reader("http://127.0.0.1:1", transport=httpx.MockTransport(drop)))
    seen.clear()
    with pytest.raises(NodeError, match="cannot reach"):
        dropped.eth.send_raw_transaction(b"\x02\x01")
    assert len(seen) == 1  # a read would have been tried three times
    seen.clear()
    with pytest.raises(NodeError):
        dropped.eth.get_transaction_count("0x" + "11" * 20)
    assert len(seen) == 3
