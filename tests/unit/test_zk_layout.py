"""The public-instance layout: encode/decode round trips and the haircut arithmetic."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ion_cli.zk import layout as L

ROOT = "0x" + bytes(range(32)).hex()
MODEL_HASH = "0x" + "ab" * 32


def _inputs(
    features: tuple[int, ...] = (0, 1, 2, 3, 1024, 512, 7, 9), slot: int = 123
) -> L.PublicInputs:
    return L.PublicInputs(
        features_q=features, slot=slot, state_root=ROOT, model_id=L.model_id(MODEL_HASH, "weETH")
    )


def test_the_order_and_count_of_instances() -> None:
    assert (L.SLOT_AT, L.ROOT_AT, L.MODEL_ID_AT, L.SCORE_AT, L.N_INSTANCES) == (8, 10, 26, 34, 35)
    assert (L.RESTAKING_AT, L.BLOCK_AT) == (30, 32)
    inst = _inputs(slot=0x0001_0002).instances(score=-5)
    assert len(inst) == L.N_INSTANCES
    assert inst[:8] == [0, 1, 2, 3, 1024, 512, 7, 9]
    assert inst[L.SLOT_AT : L.ROOT_AT] == [1 * 1024, 2 * 1024]
    assert inst[L.ROOT_AT] == 0x0001 * 1024 and inst[L.ROOT_AT + 15] == 0x1E1F * 1024
    import hashlib

    model_id = hashlib.sha256(bytes.fromhex("ab" * 32) + b"weETH").digest()[:8]
    expected = [int.from_bytes(model_id[i : i + 2], "big") * 1024 for i in range(0, 8, 2)]
    assert inst[L.MODEL_ID_AT : L.RESTAKING_AT] == expected
    assert inst[L.RESTAKING_AT : L.SCORE_AT] == [0, 0, 0, 0]  # no restaking read, block 0
    assert inst[L.SCORE_AT] == L.FIELD_MODULUS - 5


def test_restaking_features_and_the_pinned_block_round_trip() -> None:
    from dataclasses import replace

    inputs = replace(_inputs(), restaking_q=(17, 1024), block=0x0002_0003)
    inst = inputs.instances(score=9)
    assert inst[L.RESTAKING_AT : L.BLOCK_AT] == [17, 1024]
    assert inst[L.BLOCK_AT : L.SCORE_AT] == [2 * 1024, 3 * 1024]
    decoded = L.decode(inst)
    assert decoded.inputs == inputs and decoded.score == 9
    assert inputs.graph_input()[4:] == [[17 / 1024, 1.0], [2.0, 3.0]]


def test_ezkl_hex_is_little_endian() -> None:
    assert L.felt_to_ezkl_hex(0x66) == "66" + "00" * 31
    assert L.felt_from_ezkl_hex(L.felt_to_ezkl_hex(L.to_field(-199))) == L.FIELD_MODULUS - 199
    with pytest.raises(L.LayoutError):
        L.felt_from_ezkl_hex("ff" * 32)  # not reduced


@given(
    features=st.lists(st.integers(0, 1024), min_size=8, max_size=8).map(tuple),
    slot=st.integers(0, 2**32 - 1),
    root=st.binary(min_size=32, max_size=32),
    model=st.binary(min_size=32, max_size=32),
    score=st.integers(-L.SCORE_BOUND, L.SCORE_BOUND),
)
def test_decode_inverts_encode(
    features: tuple[int, ...], slot: int, root: bytes, model: bytes, score: int
) -> None:
    inputs = L.PublicInputs(
        features_q=features,
        slot=slot,
        state_root="0x" + root.hex(),
        model_id=L.model_id("0x" + model.hex(), "rsETH"),
    )
    decoded = L.decode(inputs.instances(score))
    assert decoded.inputs == inputs
    assert decoded.score == score


def test_graph_input_values_are_exact_in_float32() -> None:
    import struct

    data = _inputs(slot=2**32 - 1).graph_input()
    for row in data:
        for x in row:
            assert struct.unpack("f", struct.pack("f", x))[0] == x


def test_out_of_range_is_refused() -> None:
    with pytest.raises(L.LayoutError):
        L.slot_limbs(2**32)
    with pytest.raises(L.LayoutError):
        _inputs(features=(0, 0, 0, 0, 0, 0, 0, 1025)).instances(0)
    with pytest.raises(L.LayoutError):
        L.root_limbs("0x1234")
    bad = _inputs().instances(0)
    bad[L.SLOT_AT] += 1  # not a multiple of the scale
    with pytest.raises(L.LayoutError):
        L.decode(bad)
    bad = _inputs().instances(0)
    bad[0] = 1025  # feature out of range
    with pytest.raises(L.LayoutError):
        L.decode(bad)
    huge = _inputs().instances(0)
    huge[L.SCORE_AT] = L.to_field(L.SCORE_BOUND + 1)
    with pytest.raises(L.LayoutError):
        L.decode(huge)


@given(st.integers(-(2**40), 2**40))
def test_haircut_is_clamped_and_monotone(score: int) -> None:
    h = L.haircut_wad(score)
    assert L.H_MIN_WAD <= h <= L.H_MAX_WAD
    assert L.haircut_wad(score + 1) >= h


def test_haircut_examples() -> None:
    assert L.haircut_wad(-3) == 0
    assert L.haircut_wad(1024) == L.H_MAX_WAD
    assert L.haircut_wad(2048) == L.H_MAX_WAD
    assert L.haircut_wad(512) == L.H_MAX_WAD // 2
    assert L.risk_adjusted_rate(10**18, L.haircut_wad(1024)) == 5 * 10**17
    assert L.score_for_loss(0.25) == pytest.approx(0.5)


def test_model_id_binds_the_model_and_the_token() -> None:
    import hashlib

    weeth = L.model_id(MODEL_HASH, "weETH")
    expected = hashlib.sha256(bytes.fromhex("ab" * 32) + b"weETH").digest()[:8]
    assert weeth == "0x" + expected.hex()
    assert weeth != L.model_id(MODEL_HASH, "rsETH")
    assert weeth != L.model_id("0x" + "cd" * 32, "weETH")
    assert weeth != MODEL_HASH[:18]  # not the bare model hash any more
    limbs = L.model_id_limbs(MODEL_HASH, "weETH")
    assert len(limbs) == L.MODEL_ID_LIMBS and int.from_bytes(expected, "big") == sum(
        limb << (16 * (3 - i)) for i, limb in enumerate(limbs)
    )
    with pytest.raises(L.LayoutError):
        L.model_id(MODEL_HASH, "")
