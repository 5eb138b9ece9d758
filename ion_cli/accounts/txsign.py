"""Signing a transaction with a private key, without eth_account.

Importing any part of eth_account runs its package `__init__`, which loads eth_keyfile and
py_ecc (py_ecc computes pairing constants at import: about half a second). A write needs only
secp256k1 (eth_keys, whose backend is coincurve when installed, else its own Python code: the
same deterministic RFC 6979 signatures eth_account makes, since eth_account signs through it)
and the transaction's encoding, written here:

- EIP-1559 (type 2): 0x02 || rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gas, to,
  value, data, accessList, yParity, r, s]); the signing hash is keccak(0x02 || rlp(the first
  nine fields)).
- legacy with EIP-155 replay protection (chains without a base fee): rlp([nonce, gasPrice, gas,
  to, value, data, v, r, s]) with v = 35 + 2 * chainId + yParity; signing hash keccak(rlp([...,
  data, chainId, 0, 0])).

The transaction hash is keccak of the raw bytes. tests/unit/test_txsign.py proves the bytes
equal to eth_account's on many random transactions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ion_cli.abi import rlp
from ion_cli.addresses import to_checksum
from ion_cli.keccak import keccak256


@dataclass(frozen=True)
class SignedTransaction:
    """What the pipeline reads of a signed transaction (eth_account's names)."""

    raw_transaction: bytes
    hash: bytes
    r: int
    s: int
    v: int


def _bytes(value: Any, what: str) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        text = value[2:] if value[:2] in ("0x", "0X") else value
        try:
            return bytes.fromhex(text)
        except ValueError:
            raise ValueError(f"{what}: not hex: {value[:20]!r}") from None
    raise TypeError(f"{what}: expected bytes or hex, got {type(value).__name__}")


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{what}: expected an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value, 16) if value[:2] in ("0x", "0X") else int(value)
    raise TypeError(f"{what}: expected an integer, got {type(value).__name__}")


def _access_list(entries: Any) -> list[list[Any]]:
    out: list[list[Any]] = []
    for entry in entries or ():
        address = _bytes(entry["address"], "accessList address")
        keys = [_bytes(k, "storage key") for k in entry.get("storageKeys", ())]
        out.append([address, keys])
    return out


def unsigned_fields(tx: Mapping[str, Any]) -> tuple[int, list[Any]]:
    """(type, the fields signed over, without the signature) of a transaction dict in web3's
    spelling (to, data, value, nonce, gas, chainId, maxFeePerGas, maxPriorityFeePerGas or
    gasPrice, accessList)."""
    to = _bytes(tx.get("to"), "to")
    if to and len(to) != 20:
        raise ValueError("to: an address is 20 bytes")
    data = _bytes(tx.get("data", b""), "data")
    common = {
        "nonce": _int(tx["nonce"], "nonce"),
        "gas": _int(tx["gas"], "gas"),
        "value": _int(tx.get("value", 0), "value"),
    }
    if "gasPrice" in tx and "maxFeePerGas" not in tx:
        return 0, [
            common["nonce"],
            _int(tx["gasPrice"], "gasPrice"),
            common["gas"],
            to,
            common["value"],
            data,
        ]
    kind = _int(tx.get("type", 2), "type")
    if kind != 2:
        raise ValueError(f"transaction type {kind} is not supported (EIP-1559 or legacy only)")
    return 2, [
        _int(tx["chainId"], "chainId"),
        common["nonce"],
        _int(tx["maxPriorityFeePerGas"], "maxPriorityFeePerGas"),
        _int(tx["maxFeePerGas"], "maxFeePerGas"),
        common["gas"],
        to,
        common["value"],
        data,
        _access_list(tx.get("accessList")),
    ]


def signing_hash(tx: Mapping[str, Any]) -> bytes:
    kind, fields = unsigned_fields(tx)
    if kind == 2:
        return keccak256(b"\x02" + rlp.encode(fields))
    return keccak256(rlp.encode([*fields, _int(tx["chainId"], "chainId"), 0, 0]))


def serialize(tx: Mapping[str, Any], y_parity: int, r: int, s: int) -> bytes:
    """The raw signed transaction."""
    kind, fields = unsigned_fields(tx)
    if kind == 2:
        return b"\x02" + rlp.encode([*fields, y_parity, r, s])
    v = 35 + 2 * _int(tx["chainId"], "chainId") + y_parity
    return rlp.encode([*fields, v, r, s])


class LocalSigner:
    """A private key that signs transactions (the pipeline's `TxSigner`)."""

    def __init__(self, private_key: str | bytes) -> None:
        from eth_keys.datatypes import PrivateKey  # secp256k1 only: no eth_account, no py_ecc

        raw = _bytes(private_key, "private key")
        if len(raw) != 32:
            raise ValueError("a private key is 32 bytes")
        self._key = PrivateKey(raw)
        public = self._key.public_key.to_bytes()
        self.address: str = to_checksum("0x" + keccak256(public)[12:].hex())

    @property
    def key(self) -> bytes:
        """The private key's 32 bytes (as eth_account's `LocalAccount.key`)."""
        return bytes(self._key.to_bytes())

    def sign_hash(self, digest: bytes) -> tuple[int, int, int]:
        """(yParity, r, s) of a 32-byte hash (low s, as every Ethereum signer makes)."""
        signature = self._key.sign_msg_hash(digest)
        return int(signature.v), int(signature.r), int(signature.s)

    def sign_transaction(self, transaction_dict: Mapping[str, Any]) -> SignedTransaction:
        y_parity, r, s = self.sign_hash(signing_hash(transaction_dict))
        raw = serialize(transaction_dict, y_parity, r, s)
        kind, _ = unsigned_fields(transaction_dict)
        v = (
            y_parity
            if kind == 2
            else 35 + 2 * _int(transaction_dict["chainId"], "chainId") + y_parity
        )
        return SignedTransaction(raw_transaction=raw, hash=keccak256(raw), r=r, s=s, v=v)

    def __repr__(self) -> str:  # never the key
        return f"LocalSigner({self.address})"
