"""Safe 1.4.1 encodings (ion_cli.chain.safe_tx): MultiSend's packed transactions, the Safe
transaction hash owners sign, signatures in owner order, execTransaction calldata."""

from __future__ import annotations

import pytest

from ion_cli.chain import safe_tx as st

A = "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6"
B = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
DEV = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def test_multisend_packing_by_hand() -> None:
    packed = st.pack_multisend([(A, 1, b"\x12\x34"), (B, 0, b"")])
    first = (
        b"\x00"  # operation: call
        + bytes.fromhex(A[2:])
        + (1).to_bytes(32, "big")
        + (2).to_bytes(32, "big")
        + b"\x12\x34"
    )
    second = b"\x00" + bytes.fromhex(B[2:]) + bytes(32) + bytes(32)
    assert packed == first + second
    assert st.unpack_multisend(packed) == [(0, A, 1, b"\x12\x34"), (0, B, 0, b"")]
    with pytest.raises(ValueError):
        st.unpack_multisend(packed[:-1])


def test_multisend_calldata() -> None:
    data = st.multisend_data([(A, 0, b"\xab")])
    assert data[:4].hex() == "8d80ff0a"  # multiSend(bytes)
    assert int.from_bytes(data[4:36], "big") == 32  # offset of the bytes
    assert int.from_bytes(data[36:68], "big") == 86  # 1 + 20 + 32 + 32 + 1


def test_a_batch_is_one_delegatecall_and_a_single_call_goes_direct() -> None:
    batch = st.batch_tx(DEV, [(A, 0, b"\x01"), (B, 0, b"\x02")], 7)
    assert (batch.to, batch.operation, batch.nonce) == (st.MULTI_SEND_CALL_ONLY, 1, 7)
    single = st.batch_tx(DEV, [(A, 0, b"\x01")], 7)
    assert (single.to, single.operation, single.data) == (A, 0, b"\x01")


def test_safe_tx_hash_matches_the_contract() -> None:
    # getTransactionHash of a Safe 1.4.1 proxy on anvil (chain 31337) for these fields
    tx = st.SafeTx(
        safe="0x4646A969D2306bD05E6eF9e7Ff4a0bc82534D149",
        to=DEV,
        value=5,
        data=b"\x12\x34",
        operation=0,
        nonce=3,
    )
    assert tx.hash(31337).hex() == (
        "d9343dbf0e9632b8c2821754dceb0868238f93a339de0c255a718b281f260afb"
    )


def test_safe_tx_hash_of_a_mainnet_style_transfer() -> None:
    # an ERC-20 transfer by a Safe on Base (chain 8453), nonce 11: a published vector
    data = bytes.fromhex(
        "a9059cbb000000000000000000000000f057afeec22e220f47ad4220871364e9e828b2e9"
        "00000000000000000000000000000000000000000001a784379d99db42000000"
    )
    tx = st.SafeTx(
        safe="0xcBa28b38103307Ec8dA98377ffF9816C164f9AFa",
        to="0xBAa5CC21fd487B8Fcc2F632f3F4E8D37262a0842",
        value=0,
        data=data,
        operation=0,
        nonce=11,
    )
    assert "0x" + tx.hash(8453).hex() == (
        "0x1bf99e3cf2d2272960c8a02ca4163459ad240de7995bec237a886b84968a077c"
    )


def test_signatures_in_ascending_owner_order() -> None:
    sigs = {DEV: b"\x01" * 65, B: b"\x02" * 65}
    assert st.pack_signatures(sigs) == b"\x02" * 65 + b"\x01" * 65  # 0x7099... < 0xf39F...
    approved = st.approved_signature(B)
    assert approved[:32] == bytes(12) + bytes.fromhex(B[2:]) and approved[-1] == 1
    with pytest.raises(ValueError):
        st.pack_signatures({A: b"\x00" * 64})


def test_exec_transaction_calldata() -> None:
    tx = st.batch_tx(DEV, [(A, 0, b"\x01"), (B, 0, b"\x02")], 0)
    call = tx.exec_call(st.approved_signature(DEV))
    assert call.to == DEV and call.method == "Safe.execTransaction"
    assert call.data[:4].hex() == "6a761202"  # execTransaction(...)
