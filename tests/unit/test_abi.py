"""ion_cli.abi: the one signature parser, the published data files, the one encoder."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from eth_abi.abi import decode, encode

from ion_cli import abi
from ion_cli.abi import codec
from ion_cli.abi.signature import human, parse_param, parse_signature, selector, signature_text

# Selectors and topics computed independently (cast sig / cast keccak).
KNOWN_SELECTORS = {
    "approve(address,uint256)": "095ea7b3",
    "transfer(address,uint256)": "a9059cbb",
    "transferFrom(address,address,uint256)": "23b872dd",
    "addOperator(address)": "9870d7fe",
    "removeOperator(address)": "ac8a584a",
    "deposit()": "d0e30db0",
    "getRate()": "679aefce",
    "balanceOf(address)": "70a08231",
}


@pytest.mark.parametrize(("text", "expected"), KNOWN_SELECTORS.items())
def test_selectors_match_known_values(text: str, expected: str) -> None:
    assert selector(text).hex() == expected


def test_event_topic_of_transfer() -> None:
    entry = parse_signature(
        "Transfer(address indexed from, address indexed to, uint256 value)", "event"
    )
    assert abi.event_topic(entry).hex().startswith("ddf252ad")
    assert [p["indexed"] for p in entry["inputs"]] == [True, True, False]


def test_solidity_notation_with_names_mutability_and_returns() -> None:
    entry = parse_signature(
        "vault(uint8 ilkIndex, address user) view returns (uint256 collateral, uint256)"
    )
    assert entry == {
        "type": "function",
        "name": "vault",
        "inputs": [{"type": "uint8", "name": "ilkIndex"}, {"type": "address", "name": "user"}],
        "outputs": [{"type": "uint256", "name": "collateral"}, {"type": "uint256", "name": ""}],
        "stateMutability": "view",
    }
    assert parse_signature("deposit() payable")["stateMutability"] == "payable"
    assert parse_signature("pause()")["stateMutability"] == "nonpayable"


def test_cast_notation() -> None:
    entry = parse_signature("calculateTVLs()(uint256[][],uint256[],uint256)")
    assert [p["type"] for p in entry["outputs"]] == ["uint256[][]", "uint256[]", "uint256"]


def test_tuples_nest_and_canonicalise() -> None:
    entry = parse_signature(
        "swap((bytes32 poolId, uint8 kind, bytes userData) single, "
        "(address sender, bool b)[] funds, uint256 limit) payable returns (uint256)"
    )
    assert signature_text(entry) == "swap((bytes32,uint8,bytes),(address,bool)[],uint256)"
    assert entry["inputs"][0]["components"][0] == {"type": "bytes32", "name": "poolId"}
    assert entry["inputs"][1]["type"] == "tuple[]"


def test_storage_words_and_payable_address_are_ignored() -> None:
    assert parse_param("bytes32[] memory proof") == {"type": "bytes32[]", "name": "proof"}
    assert parse_param("address payable to") == {"type": "address", "name": "to"}
    assert parse_param("uint x")["type"] == "uint256"


@pytest.mark.parametrize(
    "bad",
    ["", "noparens", "(uint256)", "f(uint256", "f()uint256", "f(uint7)", "f(uint256 a b)"],
)
def test_bad_signatures_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_signature(bad)


def test_errors_and_events_refuse_returns() -> None:
    with pytest.raises(ValueError):
        parse_signature("Oops(uint256) returns (uint256)", "error")


def test_human_round_trips() -> None:
    text = "getCurrentBorrowRate(uint8 ilkIndex) view returns (uint256 borrowRate, uint256 rf)"
    assert human(parse_signature(text)) == text


# ---- the data files


def _files() -> list[str]:
    root = resources.files("ion_cli.abi") / "published"
    return sorted(e.name for e in root.iterdir() if e.name.endswith(".json"))


def test_every_data_file_loads_under_its_own_name() -> None:
    assert len(_files()) == len(abi.names()) > 20
    for name in abi.names():
        item = abi.interface(name)
        assert item.name == name
        assert item.source, name
        raw = json.loads(
            (resources.files("ion_cli.abi") / "published" / f"{name}.json").read_text()
        )
        assert set(raw) <= {"name", "kind", "source", "notes", "include", "aliases"} | {
            "functions",
            "events",
            "errors",
        }


def test_no_interface_has_two_functions_with_one_selector() -> None:
    for item in abi.all_interfaces():
        functions = list(item.of_kind("function"))
        assert len(item.selectors()) == len(functions), item.name


def test_the_pool_publishes_the_documented_interface() -> None:
    pool = abi.interface("IonPool")
    for text in (
        "supply(address,uint256,bytes32[])",
        "borrow(uint8,address,address,uint256,bytes32[])",
        "repay(uint8,address,address,uint256)",
        "supplyFactorUnaccrued()",
        "repayBadDebt(address,uint256)",
    ):
        assert text in pool.signatures()
    # v2: the totals live in IonLens, never on the pool
    for text in ("ilkCount()", "debt()", "spot(uint8)", "liquidity()"):
        assert text not in pool.signatures()
    assert "ilkCount(address)" in abi.interface("IonLens").signatures()
    assert "IlkInitialized(uint8,address)" in pool.signatures("event")
    assert "EnforcedPause()" in pool.signatures("error")


def test_includes_and_aliases() -> None:
    weth = abi.interface("WETH9")
    assert weth.name == "WETH"
    assert "approve(address,uint256)" in weth.signatures()  # from ERC20
    assert abi.interface("IERC20Metadata").name == "ERC20"
    handler = abi.interface("RswEthHandler")
    assert "flashswapAndMint(uint256,uint256,uint256,uint256,bytes32[])" in handler.signatures()
    assert "repayFullAndWithdraw(uint256)" in handler.signatures()
    assert "getLstAmountOutForEthAmountIn(uint256)" in handler.signatures()


def test_overloads_are_chosen_by_arity() -> None:
    manager = abi.interface("RestakeManager")
    assert manager.function("depositETH", 1)["inputs"][0]["type"] == "uint256"
    assert manager.function("depositETH", 0)["inputs"] == []
    with pytest.raises(abi.NotPublished, match="overloaded"):
        manager.function("depositETH")


def test_unknown_names_are_errors() -> None:
    with pytest.raises(abi.UnknownInterface):
        abi.interface("NoSuchContract")
    with pytest.raises(abi.NotPublished):
        abi.interface("IonPool").function("ilkCount")


def test_abi_copies_are_independent() -> None:
    first = abi.abi("IonPool")
    first.clear()
    assert abi.abi("IonPool")


def test_all_errors_are_unique_by_signature() -> None:
    errors = abi.all_errors()
    texts = [signature_text(e) for e in errors]
    assert len(texts) == len(set(texts))
    assert "VaultCannotBeDusty(uint256,uint256)" in texts


# ---- the encoder


def test_encode_and_decode() -> None:
    entry = abi.interface("IonPool").function("borrow")
    me = "0x" + "ab" * 20
    data = codec.encode_entry(entry, [0, me, me, 5, []])
    assert data[:4] == selector(entry)
    assert decode(["uint8", "address", "address", "uint256", "bytes32[]"], data[4:]) == (
        0,
        me,
        me,
        5,
        (),
    )
    vault = abi.interface("IonPool").function("vault")
    assert codec.decode_output(vault, encode(["uint256", "uint256"], [1, 2])) == (1, 2)
    rate = abi.interface("IonPool").function("rate")
    assert codec.decode_output(rate, encode(["uint256"], [7])) == 7
    assert codec.decode_output(abi.interface("IonPool").function("pause"), b"") is None


def test_encode_checks_arity_and_values() -> None:
    entry = abi.interface("IonPool").function("withdraw")
    with pytest.raises(codec.EncodingError, match="takes 2 arguments"):
        codec.encode_entry(entry, [])
    with pytest.raises(codec.EncodingError, match=r"withdraw\(address,uint256\)"):
        codec.encode_entry(entry, ["0x" + "ab" * 20, -1])


def test_decoded_addresses_are_checksummed() -> None:
    entry = parse_signature("f()(address,(address,uint256)[],address[])")
    a, b, c = "0x" + "ab" * 20, "0x" + "cd" * 20, "0x" + "ef" * 20
    data = encode(["address", "(address,uint256)[]", "address[]"], [a, [(b, 1)], [c]])
    first, pairs, many = codec.decode_output(entry, data)
    from eth_utils.address import to_checksum_address

    assert first == to_checksum_address(a)
    assert pairs == ((to_checksum_address(b), 1),)
    assert many == (to_checksum_address(c),)


def test_all_function_selectors_names_every_holder() -> None:
    from ion_cli.abi.published import all_function_selectors

    table = all_function_selectors()
    approve = table[selector("approve(address,uint256)")]
    assert "ERC20.approve(address,uint256)" in approve
    assert "IonPool.approve(address,uint256)" in approve
    assert table[selector("getRate()")] == ["RswETH.getRate()", "WeETH.getRate()"]


@pytest.mark.parametrize("size", [0, 1, 32, 55, 135, 136, 137, 271, 272, 500])
def test_pure_keccak_matches_eth_hash(size: int) -> None:
    from eth_hash.auto import keccak

    from ion_cli.keccak import keccak256, keccak256_python

    data = bytes((7 * i + size) % 256 for i in range(size))
    assert keccak256(data) == keccak(data)  # the C library when installed
    assert keccak256_python(data) == keccak(data)


def test_keccak_comes_from_c_when_pycryptodome_is_installed() -> None:
    import importlib.util
    import subprocess
    import sys

    from ion_cli.keccak import backend

    if importlib.util.find_spec("Crypto") is None:
        assert backend() == "python"
        return
    assert backend() == "c"
    # loaded through ctypes: neither pycryptodome's Python package nor cffi is imported
    code = (
        "import sys; from ion_cli.keccak import keccak256, backend; keccak256(b'x'); "
        "print(backend(), 'Crypto' in sys.modules, 'cffi' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["c", "False", "False"]


def test_the_c_backend_s_check_value_is_keccak_of_nothing() -> None:
    from eth_hash.auto import keccak

    from ion_cli import keccak as k

    assert k._EMPTY == keccak(b"") == k.keccak256_python(b"")
