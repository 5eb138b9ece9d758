"""Fee fields for signing, read from the node: EIP-1559 where the chain has a base fee.

maxFeePerGas = 2 * baseFee + tip: the transaction stays valid through about six full blocks of
rising base fee, and the user pays only baseFee + tip. Chains without a base fee get a legacy
gasPrice.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ion_cli.chain.client import node_error, rpc_url_of

if TYPE_CHECKING:
    from web3 import Web3

DEFAULT_TIP = 10**9  # 1 gwei, when the node cannot suggest one


@dataclass(frozen=True)
class FeeQuote:
    base_fee: int | None  # None: a chain without EIP-1559
    tip: int
    max_fee: int  # maxFeePerGas, or the gasPrice of a legacy transaction

    @property
    def eip1559(self) -> bool:
        return self.base_fee is not None

    @property
    def expected_price(self) -> int:
        """What a unit of gas is likely to cost now (base fee + tip)."""
        return self.base_fee + self.tip if self.base_fee is not None else self.max_fee

    def tx_fields(self) -> dict[str, Any]:
        if self.base_fee is None:
            return {"gasPrice": self.max_fee}
        return {"type": 2, "maxFeePerGas": self.max_fee, "maxPriorityFeePerGas": self.tip}

    def to_json(self) -> dict[str, Any]:
        return {
            "base_fee_wei": None if self.base_fee is None else str(self.base_fee),
            "tip_wei": str(self.tip),
            "max_fee_per_gas_wei": str(self.max_fee),
        }


def quote_fees(w3: Web3) -> FeeQuote:
    reader = getattr(w3, "reader", None)  # ion_cli.chain.node.Node: one round trip
    if reader is not None:
        return _quote_batched(reader)
    try:
        block = w3.eth.get_block("latest")
        base_fee = block.get("baseFeePerGas")
        if base_fee is None:
            price = int(w3.eth.gas_price)
            return FeeQuote(base_fee=None, tip=0, max_fee=price)
        try:
            tip = int(w3.eth.max_priority_fee)
        except Exception:  # not every node implements eth_maxPriorityFeePerGas
            tip = DEFAULT_TIP
    except Exception as exc:
        raise node_error(exc, rpc_url_of(w3), "reading the gas fees") from None
    return FeeQuote(base_fee=int(base_fee), tip=tip, max_fee=2 * int(base_fee) + tip)


def _quote_batched(reader: Any) -> FeeQuote:
    """The latest block's base fee and the node's tip in one JSON-RPC batch (a node without
    eth_maxPriorityFeePerGas answers that one with an error: the default tip)."""
    from ion_cli.chain.client import RpcError

    try:
        block, tip = reader.batch_results(
            [("eth_getBlockByNumber", ["latest", False]), ("eth_maxPriorityFeePerGas", [])],
            "reading the gas fees",
        )
    except Exception as exc:
        raise node_error(exc, reader.url, "reading the gas fees") from None
    if isinstance(block, RpcError) or not isinstance(block, dict):
        raise node_error(
            block if isinstance(block, RpcError) else ValueError("no latest block"),
            reader.url,
            "reading the gas fees",
        )
    base_fee = block.get("baseFeePerGas")
    if base_fee is None:
        try:
            price = int(reader.request("eth_gasPrice", [], "reading the gas price"), 16)
        except Exception as exc:
            raise node_error(exc, reader.url, "reading the gas fees") from None
        return FeeQuote(base_fee=None, tip=0, max_fee=price)
    tip_wei = DEFAULT_TIP if isinstance(tip, RpcError) or not isinstance(tip, str) else int(tip, 16)
    base = int(base_fee, 16)
    return FeeQuote(base_fee=base, tip=tip_wei, max_fee=2 * base + tip_wei)


def format_eth(wei: int, places: int = 6) -> str:
    """Wei as ETH with up to `places` decimals ("0.000123"), never in scientific notation."""
    value = (Decimal(wei) / Decimal(10**18)).quantize(Decimal(1).scaleb(-places))
    text = format(value, "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    if text == "0" and wei > 0:
        return f"<{format(Decimal(1).scaleb(-places), 'f')}"
    return text


def format_gwei(wei: int) -> str:
    value = (Decimal(wei) / Decimal(10**9)).quantize(Decimal("0.001"))
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
