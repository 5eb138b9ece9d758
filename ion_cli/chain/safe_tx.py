"""Safe 1.4.1 transactions: a batch as one MultiSendCallOnly call, the Safe transaction hash
its owners sign (EIP-712), `execTransaction` calldata and the signatures it takes, and the
reads that say who may sign (owners, threshold, nonce, approved hashes).

A batch executes atomically: `execTransaction` delegatecalls MultiSendCallOnly with every call
packed as (operation uint8 = 0, to address, value uint256, data length uint256, data); if one
call reverts, all do (with safeTxGas and gasPrice 0 the Safe reverts with GS013 when the inner
call fails). The addresses are the canonical 1.4.1 deployments (the same on every chain, made
through Safe's singleton factory with salt 0; the devnet deploys them there too).

Pure encoding plus read calls (plan `Call`s a Reader runs): no web3, no signing key here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ion_cli.chain.plan import Call

VERSION = "1.4.1"

# The canonical 1.4.1 deployments (safe-deployments, src/assets/v1.4.1).
SAFE_SINGLETON = "0x41675C099F32341bf84BFc5382aF534df5C7461a"
SAFE_L2_SINGLETON = "0x29fcB43b46531BcA003ddC8FCB67FFE91900C762"
PROXY_FACTORY = "0x4e1DCf7AD4e460CfD30791CCC4F9c8a4f820ec67"
MULTI_SEND_CALL_ONLY = "0x9641d764fc13c8B624c04430C7356C1C7C8102e2"
FALLBACK_HANDLER = "0xfd0732Dc9E303f09fCEf3a7388Ad10A83459Ec99"
ZERO = "0x0000000000000000000000000000000000000000"

CALL, DELEGATECALL = 0, 1

# Where each function is published (ion_cli/abi/published): the preview decodes with the same.
_INTERFACE = {"multiSend": "MultiSendCallOnly", "createProxyWithNonce": "MultiSendCallOnly"}

_DOMAIN_TYPE = "EIP712Domain(uint256 chainId,address verifyingContract)"
_SAFE_TX_TYPE = (
    "SafeTx(address to,uint256 value,bytes data,uint8 operation,uint256 safeTxGas,"
    "uint256 baseGas,uint256 gasPrice,address gasToken,address refundReceiver,uint256 nonce)"
)


def entry(name: str) -> dict[str, Any]:
    """The published ABI entry of a Safe (or MultiSendCallOnly, SafeProxyFactory) function."""
    from ion_cli.abi import interface

    return dict(interface(_INTERFACE.get(name, "Safe")).function(name))


def _call(to: str, name: str, args: Sequence[Any], description: str = "", value: int = 0) -> Call:
    from ion_cli.abi.codec import encode_entry

    function = entry(name)
    return Call(
        to=to,
        data=encode_entry(function, list(args)),
        value=value,
        description=description,
        method=f"Safe.{name}" if name != "multiSend" else "MultiSendCallOnly.multiSend",
        function=function,
    )


# ---- MultiSend ------------------------------------------------------------------------------


def pack_multisend(calls: Sequence[tuple[str, int, bytes]]) -> bytes:
    """MultiSend's `transactions` bytes: each call as operation (1 byte, 0: call), to (20),
    value (32), data length (32), data; no padding between them."""
    from ion_cli.chain.plan import word_address, word_uint

    packed = bytearray()
    for to, value, data in calls:
        packed += bytes([CALL]) + word_address(to)[12:] + word_uint(value)
        packed += word_uint(len(data)) + bytes(data)
    return bytes(packed)


def unpack_multisend(packed: bytes) -> list[tuple[int, str, int, bytes]]:
    """The inverse of `pack_multisend`: (operation, to, value, data) per call."""
    from ion_cli.addresses import to_checksum

    found: list[tuple[int, str, int, bytes]] = []
    at = 0
    while at < len(packed):
        if at + 85 > len(packed):
            raise ValueError("truncated MultiSend transaction")
        operation = packed[at]
        to = str(to_checksum("0x" + packed[at + 1 : at + 21].hex()))
        value = int.from_bytes(packed[at + 21 : at + 53], "big")
        size = int.from_bytes(packed[at + 53 : at + 85], "big")
        data = bytes(packed[at + 85 : at + 85 + size])
        if len(data) != size:
            raise ValueError("truncated MultiSend data")
        found.append((operation, to, value, data))
        at += 85 + size
    return found


def multisend_data(calls: Sequence[tuple[str, int, bytes]]) -> bytes:
    """Calldata of MultiSendCallOnly.multiSend for `calls`."""
    from ion_cli.abi.codec import encode_entry

    return encode_entry(entry("multiSend"), [pack_multisend(calls)])


# ---- the Safe transaction -------------------------------------------------------------------


@dataclass(frozen=True)
class SafeTx:
    """One Safe transaction (no refund: gas paid by whoever executes it)."""

    safe: str
    to: str
    value: int
    data: bytes
    operation: int
    nonce: int
    safe_tx_gas: int = 0
    base_gas: int = 0
    gas_price: int = 0
    gas_token: str = ZERO
    refund_receiver: str = ZERO

    def hash(self, chain_id: int) -> bytes:
        """The EIP-712 hash the owners sign (what the Safe's getTransactionHash returns)."""
        from ion_cli.abi.codec import encode_args
        from ion_cli.keccak import keccak256

        domain = keccak256(
            encode_args(
                ["bytes32", "uint256", "address"],
                [keccak256(_DOMAIN_TYPE.encode()), chain_id, self.safe],
            )
        )
        body = keccak256(
            encode_args(
                [
                    "bytes32",
                    "address",
                    "uint256",
                    "bytes32",
                    "uint8",
                    "uint256",
                    "uint256",
                    "uint256",
                    "address",
                    "address",
                    "uint256",
                ],
                [
                    keccak256(_SAFE_TX_TYPE.encode()),
                    self.to,
                    self.value,
                    keccak256(self.data),
                    self.operation,
                    self.safe_tx_gas,
                    self.base_gas,
                    self.gas_price,
                    self.gas_token,
                    self.refund_receiver,
                    self.nonce,
                ],
            )
        )
        return keccak256(b"\x19\x01" + domain + body)

    def exec_call(self, signatures: bytes, description: str = "") -> Call:
        """`execTransaction` with `signatures` (see `pack_signatures`)."""
        return _call(
            self.safe,
            "execTransaction",
            [
                self.to,
                self.value,
                self.data,
                self.operation,
                self.safe_tx_gas,
                self.base_gas,
                self.gas_price,
                self.gas_token,
                self.refund_receiver,
                signatures,
            ],
            description,
        )


def batch_tx(safe: str, calls: Sequence[tuple[str, int, bytes]], nonce: int) -> SafeTx:
    """The Safe transaction that runs `calls` atomically: a delegatecall to MultiSendCallOnly
    (a single call with no value is sent as is, as the Transaction Builder does too)."""
    if len(calls) == 1 and calls[0][1] == 0:
        to, value, data = calls[0]
        return SafeTx(safe=safe, to=to, value=value, data=data, operation=CALL, nonce=nonce)
    return SafeTx(
        safe=safe,
        to=MULTI_SEND_CALL_ONLY,
        value=0,
        data=multisend_data(calls),
        operation=DELEGATECALL,
        nonce=nonce,
    )


def approved_signature(owner: str) -> bytes:
    """A "pre-validated" signature (v = 1, r = the owner): valid when the owner executes the
    transaction itself or approved its hash on chain with `approveHash`."""
    from ion_cli.chain.plan import word_address

    return word_address(owner) + bytes(32) + b"\x01"


def pack_signatures(signatures: Mapping[str, bytes]) -> bytes:
    """The `signatures` argument: one 65-byte signature per owner, in ascending order of
    the owners' addresses (the Safe refuses any other order)."""
    ordered = sorted(signatures.items(), key=lambda item: int(item[0], 16))
    for owner, signature in ordered:
        if len(signature) != 65:
            raise ValueError(f"the signature of {owner} is not 65 bytes")
    return b"".join(signature for _, signature in ordered)


# ---- reads (run with a Reader's read/read_one) ----------------------------------------------


def owners_call(safe: str) -> Call:
    return _call(safe, "getOwners", [])


def threshold_call(safe: str) -> Call:
    return _call(safe, "getThreshold", [])


def nonce_call(safe: str) -> Call:
    return _call(safe, "nonce", [])


def version_call(safe: str) -> Call:
    return _call(safe, "VERSION", [])


def approved_hash_call(safe: str, owner: str, tx_hash: bytes) -> Call:
    return _call(safe, "approvedHashes", [owner, tx_hash])


def approve_hash_call(safe: str, tx_hash: bytes) -> Call:
    return _call(
        safe, "approveHash", [tx_hash], description=f"approve Safe transaction 0x{tx_hash.hex()}"
    )


def setup_data(owners: Sequence[str], threshold: int, fallback: str = FALLBACK_HANDLER) -> bytes:
    from ion_cli.abi.codec import encode_entry

    return encode_entry(
        entry("setup"), [list(owners), threshold, ZERO, b"", fallback, ZERO, 0, ZERO]
    )


def create_proxy_call(owners: Sequence[str], threshold: int, salt_nonce: int) -> Call:
    return _call(
        PROXY_FACTORY,
        "createProxyWithNonce",
        [SAFE_SINGLETON, setup_data(owners, threshold), salt_nonce],
        description=f"create a Safe ({threshold} of {len(owners)})",
    )


def named_call(to: str, value: int, data: bytes) -> Call:
    """A batch call for the simulation, named by its decoded method in messages."""
    from ion_cli.abi.describe import decode_calldata
    from ion_cli.chain.plan import Call

    decoded = decode_calldata(data)
    method = f"{decoded.interface}.{decoded.function}" if decoded is not None else ""
    return Call(to=to, data=data, value=value, method=method)
