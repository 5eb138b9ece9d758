"""ion_cli.addresses: one pattern, one EIP-55 checksum, one wording; ion_cli.chain_ids."""

from __future__ import annotations

import pytest
from eth_utils.address import to_checksum_address

from ion_cli import addresses, chain_ids
from ion_cli.errors import UsageError

WSTETH = "0x7f39C581F595B53c5cb19bD0b3f8dA6c935E2Ca0"
SAMPLES = [
    WSTETH,
    "0x0000000000eaEbd95dAfcA37A39fd09745739b78",
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    "0x" + "ab" * 20,
    "0x" + "00" * 20,
]


@pytest.mark.parametrize("address", SAMPLES)
def test_checksum_agrees_with_eth_utils(address: str) -> None:
    expected = to_checksum_address(address)
    assert addresses.to_checksum(address.lower()) == expected
    assert addresses.to_checksum(address.upper().replace("0X", "0x")) == expected
    assert addresses.is_checksummed(expected)


def test_is_address() -> None:
    assert addresses.is_address(WSTETH)
    assert addresses.is_address("0X" + WSTETH[2:])
    for bad in ("", "0x123", WSTETH[2:], WSTETH + "00", None, 5, "0x" + "g" * 40):
        assert not addresses.is_address(bad)
    assert not addresses.is_checksummed(WSTETH.lower())


def test_one_wording() -> None:
    with pytest.raises(UsageError, match=r"invalid address '0x12': expected 0x followed by 40"):
        addresses.parse_address("0x12")
    with pytest.raises(UsageError, match="bad address checksum") as info:
        addresses.parse_address(WSTETH[:-1] + "1", what="--to")
    assert "checksum mismatch" in info.value.message
    assert info.value.message.startswith("invalid --to ")
    with pytest.raises(UsageError, match="expected 0x"):
        addresses.to_checksum("nope")


def test_chain_ids() -> None:
    assert chain_ids.MAINNET == 1
    assert chain_ids.DEVNET == 31337
    assert chain_ids.NAMES[chain_ids.DEVNET] == "devnet"
