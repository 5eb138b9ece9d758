"""Network profiles and the config file: devnet by default, mainnet's published addresses with
unknowns left unknown, custom profiles layered on a base."""

from __future__ import annotations

from pathlib import Path

import pytest

from ion_cli.config import load_config
from ion_cli.errors import DevnetNotRunning, UsageError
from ion_cli.networks import MAINNET, network_names, resolve_network


def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    monkeypatch.setenv("ION_CONFIG", str(path))


def test_mainnet_profile_carries_published_addresses_and_marks_unknowns() -> None:
    assert MAINNET.chain_id == 1
    weeth = MAINNET.market("WEETH")  # case-insensitive
    assert weeth.pool == "0x0000000000eaEbd95dAfcA37A39fd09745739b78"
    assert "handler" in weeth.unsure
    assert weeth.liquidation is None
    with pytest.raises(UsageError, match="Liquidation address is unknown on mainnet"):
        MAINNET.address(weeth, "liquidation")
    assert MAINNET.market("ezETH").handler is None
    assert MAINNET.market("rswETH").liquidation == "0x0000000000471A3b87706d651C7C9e645c5c0d16"
    assert MAINNET.lens == "0xe89AF12af000C4f76a57A3aD16ef8277a727DC81"


def test_unknown_market_lists_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"unknown market 'stETH' on mainnet \(markets: .*weETH"):
        MAINNET.market("stETH")


def test_default_network_is_devnet_and_needs_a_running_devnet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ION_DEVNET_DIR", str(tmp_path / "none"))
    assert load_config().default_network == "devnet"
    with pytest.raises(DevnetNotRunning, match="ion devnet up"):
        resolve_network(None, load_config())


def test_custom_profile_on_mainnet_fills_unknowns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        tmp_path,
        monkeypatch,
        """
default_network = "mine"
[networks.mine]
base = "mainnet"
rpc_url = "http://127.0.0.1:8545"
[networks.mine.markets.weETH]
liquidation = "0x00000000000000000000000000000000000000aa"
handler = "0x00000000000000000000000000000000000000bb"
[safety]
margin = 0.1
""",
    )
    profile = resolve_network(None, load_config())
    assert (profile.name, profile.chain_id, profile.rpc_url) == ("mine", 1, "http://127.0.0.1:8545")
    weeth = profile.market("weeth")
    assert weeth.liquidation == "0x00000000000000000000000000000000000000aa"
    assert "handler" not in weeth.unsure  # the user set it: no longer "unsure"
    assert profile.market("rsETH").pool == MAINNET.market("rsETH").pool
    assert str(load_config().safety_margin) == "0.1"
    assert network_names(load_config()) == ["devnet", "mainnet", "mine"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[networks.x]\nrpc_url = 'http://h'\n", "needs a chain_id"),
        ("[networks.x]\nbase = 'goerli'\n", "unknown base profile"),
        ("[safety]\nmargin = 2\n", "margin must be in"),
        ("this is = not toml = at all", "cannot read the config file"),
    ],
)
def test_bad_config_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    write_config(tmp_path, monkeypatch, text)
    with pytest.raises(UsageError, match=message):
        resolve_network("x", load_config())


def test_unknown_network_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UsageError, match="unknown network 'sepolia'"):
        resolve_network("sepolia", load_config())


def test_unknown_settings_are_named_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path, monkeypatch, 'default-network = "mainnet"\n')
    assert load_config().default_network == "devnet"
    assert "unknown setting(s) ignored: default-network" in capsys.readouterr().err


def test_a_mainnet_table_without_base_amends_the_built_in_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the Unknown hint points: networks.mainnet.markets.weETH.liquidation."""
    liquidation = "0x" + "12" * 20
    write_config(
        tmp_path, monkeypatch, f'[networks.mainnet.markets.weETH]\nliquidation = "{liquidation}"\n'
    )
    profile = resolve_network("mainnet", load_config())
    assert profile.chain_id == 1
    assert profile.market("weETH").liquidation == liquidation
    assert profile.market("weETH").pool == MAINNET.market("weETH").pool
