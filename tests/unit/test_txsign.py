"""The project's own transaction signing (ion_cli.accounts.txsign) against eth_account, byte
for byte, over many random transactions (hypothesis; derandomized in CI by the profile)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ion_cli.abi import rlp
from ion_cli.accounts.txsign import LocalSigner

UINT256 = st.integers(min_value=0, max_value=2**256 - 1)
UINT64 = st.integers(min_value=0, max_value=2**64 - 2)
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
KEYS = st.integers(min_value=1, max_value=SECP256K1_N - 1).map(
    lambda k: "0x" + k.to_bytes(32, "big").hex()
)
ADDRESSES = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
CALLDATA = st.binary(max_size=600).map(lambda b: "0x" + b.hex())
ACCESS = st.lists(
    st.fixed_dictionaries(
        {
            "address": ADDRESSES,
            "storageKeys": st.lists(
                st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex()), max_size=3
            ),
        }
    ),
    max_size=2,
)


def _checksum(address: str) -> str:
    from ion_cli.addresses import to_checksum

    return to_checksum(address)


def _eth_account_sign(key: str, tx: dict[str, Any]) -> Any:
    from eth_account import Account

    return Account.from_key(key).sign_transaction(tx)


@settings(max_examples=150, deadline=None)
@given(
    key=KEYS,
    to=ADDRESSES,
    data=CALLDATA,
    value=UINT256,
    nonce=UINT64,
    gas=st.integers(min_value=21_000, max_value=2**63),
    chain_id=st.integers(min_value=1, max_value=2**32),
    tip=st.integers(min_value=0, max_value=2**128),
    extra=st.integers(min_value=0, max_value=2**128),
    access=ACCESS,
)
def test_eip1559_equals_eth_account(
    key: str,
    to: str,
    data: str,
    value: int,
    nonce: int,
    gas: int,
    chain_id: int,
    tip: int,
    extra: int,
    access: list[dict[str, Any]],
) -> None:
    tx: dict[str, Any] = {
        "type": 2,
        "to": _checksum(to),
        "data": data,
        "value": value,
        "nonce": nonce,
        "gas": gas,
        "chainId": chain_id,
        "maxPriorityFeePerGas": tip,
        "maxFeePerGas": tip + extra,
    }
    if access:
        tx["accessList"] = [
            {"address": _checksum(a["address"]), "storageKeys": a["storageKeys"]} for a in access
        ]
    theirs = _eth_account_sign(key, tx)
    ours = LocalSigner(key).sign_transaction(tx)
    assert ours.raw_transaction == bytes(theirs.raw_transaction)
    assert ours.hash == bytes(theirs.hash)
    assert (ours.r, ours.s, ours.v) == (theirs.r, theirs.s, theirs.v)


@settings(max_examples=60, deadline=None)
@given(
    key=KEYS,
    to=ADDRESSES,
    data=CALLDATA,
    value=UINT256,
    nonce=UINT64,
    price=st.integers(min_value=0, max_value=2**128),
    chain_id=st.integers(min_value=1, max_value=2**32),
)
def test_legacy_eip155_equals_eth_account(
    key: str, to: str, data: str, value: int, nonce: int, price: int, chain_id: int
) -> None:
    tx = {
        "to": _checksum(to),
        "data": data,
        "value": value,
        "nonce": nonce,
        "gas": 100_000,
        "chainId": chain_id,
        "gasPrice": price,
    }
    theirs = _eth_account_sign(key, tx)
    ours = LocalSigner(key).sign_transaction(tx)
    assert ours.raw_transaction == bytes(theirs.raw_transaction)
    assert ours.hash == bytes(theirs.hash)


@settings(max_examples=40, deadline=None)
@given(key=KEYS)
def test_address_equals_eth_account(key: str) -> None:
    from eth_account import Account

    assert LocalSigner(key).address == Account.from_key(key).address


RLP_ITEMS = st.recursive(
    st.binary(max_size=80) | st.integers(min_value=0, max_value=2**300),
    lambda inner: st.lists(inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(item=RLP_ITEMS)
def test_rlp_equals_the_rlp_package(item: Any) -> None:
    import rlp as reference

    assert rlp.encode(item) == reference.encode(item)


def test_signer_never_shows_its_key() -> None:
    key = "0x" + "11" * 32
    assert "11" * 8 not in repr(LocalSigner(key))
