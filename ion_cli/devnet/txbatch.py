"""Send many transactions from one unlocked anvil account fast, without waiting for each.

Deploying the devnet is ~150 transactions whose later constructors take earlier addresses.
Waiting for every receipt costs a round trip and a block each; instead we precompute CREATE
addresses from the sender's nonces, send everything with explicit nonce, gas and gas price in a
few JSON-RPC batches (anvil orders by nonce and mines as they come), then wait for the last
receipt and check every status at once.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from ion_cli.abi.codec import encode_args, encode_entry
from ion_cli.devnet import node
from ion_cli.devnet.artifacts import Artifact, load_artifact
from ion_cli.errors import IonError, NodeError

DEPLOY_GAS = 10_000_000  # the largest contract (IonPool, ~19 KB) needs ~4.5M
CALL_GAS = 1_000_000
GAS_PRICE = 10 * 10**9  # fixed: no fee estimation round trips; anvil's base fee stays below it
BATCH_SIZE = 64
ZERO_ADDRESS = "0x" + "00" * 20


class DeployError(IonError):
    """A devnet deployment transaction failed."""


def create_address(sender: str, nonce: int) -> str:
    """The address of the contract `sender` creates with `nonce` (keccak(rlp([sender, nonce])))."""
    from ion_cli.abi import rlp
    from ion_cli.addresses import to_checksum
    from ion_cli.keccak import keccak256

    encoded = rlp.encode([bytes.fromhex(sender[2:]), nonce])
    return to_checksum("0x" + keccak256(encoded)[12:].hex())


def _entry(artifact: Artifact, kind: str, name: str | None, nargs: int) -> dict[str, Any]:
    for item in artifact.abi:
        if item.get("type") != kind or (name is not None and item.get("name") != name):
            continue
        if len(item.get("inputs", [])) == nargs:
            return item
    if kind == "constructor" and nargs == 0:
        return {"type": "constructor", "inputs": []}
    raise DeployError(f"{artifact.name} has no {kind} {name or ''} taking {nargs} arguments")


def _encode_args(item: dict[str, Any], args: tuple[Any, ...]) -> bytes:
    from ion_cli.abi.signature import input_types

    return encode_args(input_types(item), args)


def encode_artifact_call(contract: str, function: str, *args: Any) -> str:
    """Calldata for the devnet contract's `function` (its artifact's ABI: the devnet's admin
    functions are not part of any published interface), through the project's one encoder."""
    item = _entry(load_artifact(contract), "function", function, len(args))
    return "0x" + encode_entry(item, args).hex()


def encode_deploy(contract: str, *args: Any) -> str:
    artifact = load_artifact(contract)
    if not artifact.deployable:
        raise DeployError(f"{contract} has no bytecode (an interface or abstract contract)")
    item = _entry(artifact, "constructor", None, len(args))
    return artifact.bytecode + _encode_args(item, args).hex()


@dataclass
class PendingTx:
    label: str
    tx: dict[str, str]
    created: str | None = None
    hash: str | None = None


@dataclass
class TxBatch:
    """Transactions from `sender`, an account the node has unlocked (anvil's dev accounts)."""

    rpc_url: str
    sender: str
    nonce: int
    queued: list[PendingTx] = field(default_factory=list)
    sent: list[PendingTx] = field(default_factory=list)

    @classmethod
    def start(cls, rpc_url: str, sender: str) -> TxBatch:
        nonce = int(node.rpc(rpc_url, "eth_getTransactionCount", [sender, "pending"]), 16)
        return cls(rpc_url=rpc_url, sender=sender, nonce=nonce)

    def _queue(self, label: str, data: str, to: str | None, value: int, gas: int) -> PendingTx:
        tx = {
            "from": self.sender,
            "nonce": hex(self.nonce),
            "gas": hex(gas),
            "gasPrice": hex(GAS_PRICE),
            "value": hex(value),
            "data": data,
        }
        if to is not None:
            tx["to"] = to
        pending = PendingTx(label=label, tx=tx)
        if to is None:
            pending.created = create_address(self.sender, self.nonce)
        self.nonce += 1
        self.queued.append(pending)
        if len(self.queued) >= BATCH_SIZE:
            self.flush()
        return pending

    def deploy(self, contract: str, *args: Any, label: str | None = None) -> str:
        """Queue a deployment; returns the address it will have."""
        pending = self._queue(
            label or contract, encode_deploy(contract, *args), None, 0, DEPLOY_GAS
        )
        assert pending.created is not None
        return pending.created

    def call(
        self,
        to: str,
        contract: str,
        function: str,
        *args: Any,
        value: int = 0,
        gas: int = CALL_GAS,
        label: str | None = None,
    ) -> None:
        data = encode_artifact_call(contract, function, *args)
        self._queue(label or f"{contract}.{function}", data, to, value, gas)

    def flush(self) -> None:
        if not self.queued:
            return
        # One request per transaction, in nonce order: anvil handles the calls of a JSON-RPC
        # batch concurrently, and with automine on it then sometimes left a transaction pending
        # and dropped the later nonces. Sequential sends cost ~1 ms each and never did.
        for pending in self.queued:
            try:
                pending.hash = node.rpc(self.rpc_url, "eth_sendTransaction", [pending.tx])
            except NodeError as exc:
                raise DeployError(
                    f"sending devnet transaction {pending.label!r} failed: {exc.message}"
                ) from None
        self.sent += self.queued
        self.queued = []

    def finish(self, timeout: float = 60.0) -> int:
        """Send what is queued, wait until everything is mined, check it all; the last block."""
        self.flush()
        if not self.sent:
            return int(node.rpc(self.rpc_url, "eth_blockNumber"), 16)
        receipts = self._receipts(timeout)
        for pending, receipt in zip(self.sent, receipts, strict=True):
            if int(receipt["status"], 16) != 1:
                raise DeployError(
                    f"devnet deployment step {pending.label!r} reverted"
                    f"{self._reason(pending, receipt)}"
                )
            created = receipt.get("contractAddress")
            if pending.created and (created or "").lower() != pending.created.lower():
                raise DeployError(f"{pending.label} landed at {created}, not {pending.created}")
        last_block = max(int(r["blockNumber"], 16) for r in receipts)
        self.sent = []
        return last_block

    def _receipts(self, timeout: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        last = self.sent[-1].hash
        while node.rpc(self.rpc_url, "eth_getTransactionReceipt", [last]) is None:
            if time.monotonic() > deadline:
                raise DeployError(f"devnet transactions not mined within {timeout:.0f} s")
            time.sleep(0.02)
        calls: list[tuple[str, list[Any]]] = [
            ("eth_getTransactionReceipt", [p.hash]) for p in self.sent
        ]
        receipts: list[dict[str, Any]] = []
        for i in range(0, len(calls), 256):
            receipts += node.rpc_batch(self.rpc_url, calls[i : i + 256])
        if any(r is None for r in receipts):
            # Nonce order means the last mined implies all mined; anything else is a node bug.
            raise DeployError("some devnet transactions were dropped by the node")
        return receipts

    def _reason(self, pending: PendingTx, receipt: dict[str, Any]) -> str:
        """Best effort: replay the call on the parent block to get the revert data."""
        parent = hex(int(receipt["blockNumber"], 16) - 1)
        call = {k: v for k, v in pending.tx.items() if k in ("from", "to", "data", "value", "gas")}
        try:
            node.rpc(self.rpc_url, "eth_call", [call, parent])
        except NodeError as exc:
            found = re.search(r"'data': '(0x[0-9a-fA-F]*)'", exc.message)
            return f": {decode_revert(found.group(1))}" if found else f": {exc.message}"
        return " (out of gas, or it depends on an earlier transaction of the same block)"


def decode_revert(data: str) -> str:
    """`Name(arg, ...)` of a custom error (published or the artifacts'), or the raw data."""
    from eth_abi.abi import decode

    from ion_cli.abi.signature import input_types
    from ion_cli.chain.revert import registry

    raw = bytes.fromhex(data[2:])
    item = registry().get(raw[:4])
    if item is None:
        return f"revert data {data}"
    types = input_types(item)
    args = decode(types, raw[4:]) if types else ()
    return f"{item['name']}({', '.join(str(a) for a in args)})"
