"""The write path's node, over the run's one JSON-RPC reader (httpx): no web3 import.

The pipeline and its helpers (simulate, fees, sending, reconcile) talk to a node through the
few `w3.eth` calls below; `Node` answers them over `ion_cli.chain.rpc.Reader`, the same HTTP
client the reads use, so a write imports neither web3 (about a second with eth_account and
py_ecc) nor aiohttp. Code that holds a real `Web3` (tests, fixtures) passes it instead: the
helpers accept both. What differs is kept small and explicit:

- results come back as plain dicts with the numeric fields as ints (web3's formatting of the
  fields ion reads); hashes stay 0x strings;
- a missing transaction or receipt raises `TransactionNotFound` here (web3's own class when the
  caller holds a Web3): `not_found_errors()` catches either without importing web3;
- the node's errors are `RpcError`s (revert data kept), transport failures `Unreachable`s;
  eth_sendRawTransaction and the devnet's evm_*/anvil_* methods are never retried.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from ion_cli.chain.client import RETRYABLE_METHODS
from ion_cli.errors import NodeError

if TYPE_CHECKING:
    from web3 import Web3

    from ion_cli.chain.rpc import Reader

_INT_FIELDS = frozenset(
    {
        "status",
        "blockNumber",
        "gasUsed",
        "cumulativeGasUsed",
        "effectiveGasPrice",
        "transactionIndex",
        "type",
        "number",
        "timestamp",
        "baseFeePerGas",
        "gasLimit",
        "nonce",
        "gas",
        "gasPrice",
        "maxFeePerGas",
        "maxPriorityFeePerGas",
        "value",
        "chainId",
        "size",
    }
)


class TransactionNotFound(NodeError):
    """The node does not know the transaction (or has no receipt for it yet)."""


def not_found_errors() -> tuple[type[BaseException], ...]:
    """The classes a "not found" may come as: ours, and web3's when web3 is loaded (a caller
    holding a Web3 has loaded it; if nobody has, no web3 exception can be raised)."""
    web3_exceptions = sys.modules.get("web3.exceptions")
    found: list[type[BaseException]] = [TransactionNotFound]
    if web3_exceptions is not None:
        found.append(web3_exceptions.TransactionNotFound)
    return tuple(found)


def _formatted(value: Any) -> Any:
    """web3's formatting of the fields ion reads: quantities as ints, the rest as sent."""
    if not isinstance(value, Mapping):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in _INT_FIELDS and isinstance(item, str) and item.startswith("0x"):
            out[key] = int(item, 16)
        else:
            out[key] = item
    return out


def _quantity(value: Any) -> Any:
    return hex(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _tx_params(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key == "data" and isinstance(value, bytes | bytearray):
            value = "0x" + bytes(value).hex()
        out[key] = _quantity(value)
    return out


def _block(block: Any) -> Any:
    if isinstance(block, bytes | bytearray):
        return "0x" + bytes(block).hex()
    return _quantity(block)


def _hex_bytes(value: Any) -> bytes:
    if isinstance(value, str) and value.startswith("0x"):
        return bytes.fromhex(value[2:])
    raise NodeError(f"the node gave a malformed answer: {str(value)[:80]!r}")


class _Provider:
    """web3's `provider` as far as ion uses it: the URL and raw requests."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader
        self.endpoint_uri = reader.url

    def make_request(self, method: str, params: Sequence[Any]) -> dict[str, Any]:
        """The raw JSON-RPC answer ({"result": ...} or {"error": ...}); transport failures
        raise."""
        return cast(
            "dict[str, Any]", self._reader.raw(method, params, retry=method in RETRYABLE_METHODS)
        )


class _Eth:
    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    def _ask(self, method: str, params: Sequence[Any], action: str = "") -> Any:
        return self._reader.request(
            method, params, action or method, retry=method in RETRYABLE_METHODS
        )

    @property
    def chain_id(self) -> int:
        return self._reader.chain_id()  # asked once: the reader keeps it

    @property
    def block_number(self) -> int:
        return int(self._ask("eth_blockNumber", []), 16)

    @property
    def gas_price(self) -> int:
        return int(self._ask("eth_gasPrice", []), 16)

    @property
    def max_priority_fee(self) -> int:
        return int(self._ask("eth_maxPriorityFeePerGas", []), 16)

    def get_block(self, block: Any = "latest", full_transactions: bool = False) -> dict[str, Any]:
        found = self._ask("eth_getBlockByNumber", [_block(block), full_transactions])
        if not isinstance(found, Mapping):
            raise NodeError(f"the node has no block {block}")
        return cast("dict[str, Any]", _formatted(found))

    def get_transaction_count(self, address: str, block: Any = "latest") -> int:
        return int(self._ask("eth_getTransactionCount", [address, _block(block)]), 16)

    def estimate_gas(self, params: Mapping[str, Any], block: Any = None) -> int:
        args: list[Any] = [_tx_params(params)]
        if block is not None:
            args.append(_block(block))
        return int(self._ask("eth_estimateGas", args), 16)

    def call(self, params: Mapping[str, Any], block: Any = "latest") -> bytes:
        return _hex_bytes(self._ask("eth_call", [_tx_params(params), _block(block)]))

    def send_raw_transaction(self, raw: bytes) -> bytes:
        answer = self._ask("eth_sendRawTransaction", ["0x" + bytes(raw).hex()])
        return _hex_bytes(answer)

    def get_transaction(self, tx_hash: str) -> dict[str, Any]:
        """The transaction as web3 gives it where ion reads it: quantities as ints, `input` as
        bytes, `to`/`from` checksummed."""
        from ion_cli.addresses import is_address, to_checksum

        found = self._ask("eth_getTransactionByHash", [tx_hash])
        if found is None:
            raise TransactionNotFound(f"transaction {tx_hash} is not known to the node")
        tx = cast("dict[str, Any]", _formatted(found))
        if isinstance(tx.get("input"), str):
            tx["input"] = _hex_bytes(tx["input"])
        for key in ("to", "from"):
            if is_address(tx.get(key)):
                tx[key] = to_checksum(tx[key])
        return tx

    def get_transaction_receipt(self, tx_hash: str) -> dict[str, Any]:
        found = self._ask("eth_getTransactionReceipt", [tx_hash])
        if found is None:
            raise TransactionNotFound(f"transaction {tx_hash} has no receipt yet")
        return cast("dict[str, Any]", _formatted(found))


class Node:
    """`w3`-shaped access to a node over a Reader (see the module docstring)."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.eth = _Eth(reader)
        self.provider = _Provider(reader)

    def as_web3(self) -> Web3:
        """This node typed as what the write path's signatures name (it answers the calls
        they make)."""
        return cast("Web3", self)


def as_web3(source: Reader | Web3 | Node) -> Web3:
    """The write path's node for `source`: a Reader's own `Node` (one per reader, so one HTTP
    client per run), or a Web3/Node as given (tests and fixtures hold a real Web3). Flows hand
    the chain layer their reader; only this layer speaks `w3`."""
    from ion_cli.chain.rpc import Reader

    if isinstance(source, Reader):
        node = source.__dict__.get("_node")
        if node is None:
            node = source.__dict__["_node"] = Node(source)
        return cast("Node", node).as_web3()
    if isinstance(source, Node):
        return source.as_web3()
    return source


def transaction(source: Reader | Web3, tx_hash: str) -> dict[str, Any]:
    """The transaction as the write path reads it (quantities as ints, `input` as bytes);
    `TransactionNotFound` (ours or web3's, see `not_found_errors`) when the node has none."""
    return dict(as_web3(source).eth.get_transaction(tx_hash))  # type: ignore[arg-type]


def receipt(source: Reader | Web3, tx_hash: str) -> dict[str, Any]:
    """The transaction's receipt (quantities as ints); `TransactionNotFound` when not mined."""
    return dict(as_web3(source).eth.get_transaction_receipt(tx_hash))  # type: ignore[arg-type]


def base_fee(source: Reader | Web3) -> int:
    """The latest block's base fee (0 before London)."""
    return int(as_web3(source).eth.get_block("latest").get("baseFeePerGas") or 0)


def nonces(source: Reader | Web3, address: str) -> tuple[int, int]:
    """The account's (latest, pending) nonces; in one round trip over ion's own reader."""
    from ion_cli.chain.rpc import Reader

    if isinstance(source, Node):
        source = source.reader
    if isinstance(source, Reader):
        found = source.batch(
            [
                ("eth_getTransactionCount", [address, "latest"]),
                ("eth_getTransactionCount", [address, "pending"]),
            ],
            "reading the account's nonces",
        )
        return int(found[0], 16), int(found[1], 16)
    latest = int(source.eth.get_transaction_count(address, "latest"))  # type: ignore[arg-type]
    return latest, int(source.eth.get_transaction_count(address, "pending"))  # type: ignore[arg-type]


def nonce_at(source: Reader, address: str, block: int | str) -> int:
    """The account's nonce at `block`."""
    from ion_cli.chain.rpc import block_param

    return int(
        source.request(
            "eth_getTransactionCount", [address, block_param(block)], "reading the nonce"
        ),
        16,
    )
