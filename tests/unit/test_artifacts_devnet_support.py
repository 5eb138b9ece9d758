"""Pure parts of the devnet: the deployment file, toolchain lookup, CREATE addresses, synthetic
validators, parameters, process checks. No anvil needed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ion_cli.devnet import deployment as dep
from ion_cli.devnet import node, params, recipes, toolchain, txbatch, validators
from ion_cli.errors import DevnetNotRunning, ExitCode, UsageError


def _addr(i: int) -> str:
    from eth_utils.address import to_checksum_address

    return str(to_checksum_address(f"0x{i:040x}"))


def _market(n: Iterator[int], name: str, base: str, unwind: bool) -> dict[str, Any]:
    fields = ("collateral_token", "base_token", "pool", "gem_join", "handler", "reserve_oracle",
              "spot_oracle", "price_feed", "liquidation")  # fmt: skip
    market: dict[str, Any] = {"collateral": name, "base": base, "ilk_index": 0}
    market.update({f: _addr(next(n)) for f in fields})
    market["unwind_pool"] = _addr(next(n)) if unwind else None
    return market


def sample_document() -> dict[str, Any]:
    n = iter(range(1, 1000))
    shared = {
        k: _addr(next(n))
        for k in ("whitelist", "lens", "interest_rate", "weth", "steth", "wsteth",
                  "uniswap_wsteth_weth_pool", "weth_flash_pool", "balancer_vault")
    }  # fmt: skip
    shared["ezeth_weth_balancer_pool_id"] = "0x" + "11" * 32
    return {
        "version": 1, "chain_id": 31337, "rpc_url": "http://127.0.0.1:8545", "block": 120,
        "deployed_at": 1_700_000_000, "admin": dep.ADMIN_ADDRESS,
        "dev_account": dep.DEV_ACCOUNT_ADDRESS, "shared": shared,
        "markets": {
            "weETH": _market(n, "weETH", "wstETH", True),
            "ezETH": _market(n, "ezETH", "WETH", False),
        },
        "tokens": {
            "weETH": {"address": _addr(500), "decimals": 18,
                      "contracts": {"eeth": _addr(501), "liquidity_pool": _addr(502)},
                      "withdrawal_credentials": validators.withdrawal_credentials("weETH"),
                      "validators_per_credential": 8},
            "WETH": {"address": shared["weth"]},
        },
    }  # fmt: skip


# ---------------------------------------------------------------- deployment file


def test_deployment_round_trip(tmp_path: Path) -> None:
    doc = sample_document()
    dep.save(doc, tmp_path)
    loaded = dep.load(tmp_path)
    assert loaded.to_json() == doc
    assert loaded.market("WEETH").base == "wstETH"
    assert loaded.markets["ezETH"].unwind_pool is None
    assert loaded.token("weth").contracts == {}
    assert loaded["tokens"]["weETH"]["validators_per_credential"] == 8  # mapping access
    assert loaded.get("missing", 7) == 7 and "shared" in loaded
    assert len(loaded.addresses()) == len(set(loaded.addresses()))
    assert loaded.with_rpc_url("http://127.0.0.1:1").rpc_url == "http://127.0.0.1:1"


def test_missing_deployment_says_run_up(tmp_path: Path) -> None:
    with pytest.raises(DevnetNotRunning, match="ion devnet up"):
        dep.load(tmp_path)


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ("{not json", "Expecting property name"),
        ("[]", "not a JSON object"),
        (json.dumps({"version": 99}), "version 99"),
    ],
)
def test_corrupt_deployment_is_one_usage_error(tmp_path: Path, content: str, detail: str) -> None:
    (tmp_path / dep.FILE_NAME).write_text(content)
    with pytest.raises(dep.DeploymentFileError) as info:
        dep.load(tmp_path)
    assert detail in info.value.message and "ion devnet reset" in info.value.message
    assert info.value.exit_code == ExitCode.USAGE


def test_a_missing_field_is_named(tmp_path: Path) -> None:
    doc = sample_document()
    del doc["markets"]["weETH"]["gem_join"]
    (tmp_path / dep.FILE_NAME).write_text(json.dumps(doc))
    with pytest.raises(dep.DeploymentFileError, match=r"markets\.weETH has no 'gem_join'"):
        dep.load(tmp_path)


def test_unknown_market_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="known: weETH, ezETH"):
        dep.parse(sample_document()).market("stETH")


def test_dev_and_admin_constants_are_anvils_accounts_0_and_9() -> None:
    from eth_account import Account

    assert Account.from_key(dep.DEV_ACCOUNT_KEY).address == dep.DEV_ACCOUNT_ADDRESS
    assert Account.from_key(dep.ADMIN_KEY).address == dep.ADMIN_ADDRESS


# ---------------------------------------------------------------- toolchain


def test_anvil_missing_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ION_NODE_MODULES", str(tmp_path))
    with pytest.raises(UsageError, match="anvil not found") as info:
        toolchain.anvil()
    assert "ION_NODE_MODULES" in info.value.message


def test_native_binary_preferred_over_the_node_wrapper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ION_NODE_MODULES", str(tmp_path))
    wrapper = tmp_path / ".bin" / "anvil"
    native = (
        tmp_path / "@foundry-rs" / f"anvil-{toolchain._platform_suffixes()[0]}" / "bin" / "anvil"
    )
    for path in (wrapper, native):
        path.parent.mkdir(parents=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    assert toolchain.anvil() == native
    native.unlink()
    assert toolchain.anvil() == wrapper


def test_the_project_toolchain_is_found() -> None:
    assert toolchain.anvil().name == "anvil"
    assert toolchain.forge().name == "forge"


# ---------------------------------------------------------------- encoding and addresses


def test_create_address_matches_anvils_first_deployment() -> None:
    # The address every Foundry user has seen: account 0's first contract.
    assert (
        txbatch.create_address(dep.DEV_ACCOUNT_ADDRESS, 0)
        == "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    )
    assert txbatch.create_address(dep.DEV_ACCOUNT_ADDRESS, 1) == (
        "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
    )


def test_encode_call_uses_the_abi_selector() -> None:
    data = txbatch.encode_artifact_call("IonPool", "updateIlkDust", 0, 5)
    assert data.startswith("0x")
    assert len(data) == 2 + 8 + 128


def test_encode_deploy_rejects_interfaces() -> None:
    with pytest.raises(txbatch.DeployError, match="no bytecode"):
        txbatch.encode_deploy("IIonPool")


def test_decode_revert_names_the_custom_error() -> None:
    from eth_abi.abi import encode
    from eth_utils.abi import function_signature_to_4byte_selector

    data = function_signature_to_4byte_selector("VaultCannotBeDusty(uint256,uint256)") + encode(
        ["uint256", "uint256"], [3, 4]
    )
    assert txbatch.decode_revert("0x" + data.hex()) == "VaultCannotBeDusty(3, 4)"
    assert txbatch.decode_revert("0xdeadbeef") == "revert data 0xdeadbeef"


# ---------------------------------------------------------------- validators and parameters


def test_withdrawal_credentials_are_well_formed_and_stable() -> None:
    for token, spec in validators.devnet_sets().items():
        creds = validators.withdrawal_credentials(token)
        assert 2 <= len(creds) <= 4 and len(set(creds)) == len(creds)
        assert creds == validators.withdrawal_credentials(token)
        for cred in creds:
            raw = bytes.fromhex(cred[2:])
            assert len(raw) == 32 and raw[0] in (1, 2) and raw[1:12] == bytes(11)
        assert spec.per_credential > 0
    assert {c[:4] for c in validators.withdrawal_credentials("weETH")} == {"0x01", "0x02"}


def test_reserve_rates_mirror_the_oracles() -> None:
    from ion_adapter_ezeth import devnet_recipe as ezeth
    from ion_adapter_weeth import devnet_recipe as weeth

    markets = recipes.devnet_markets()  # the shipped plugins' recipes
    tps = params.WAD * params.WAD // params.STETH_PER_WSTETH
    assert markets["weETH"].reserve_rate == weeth.DEVNET_RATE * tps // params.WAD
    assert 0.88 < markets["weETH"].reserve_rate / 1e18 < 0.89
    assert markets["ezETH"].reserve_rate == ezeth.DEVNET_RATE
    assert markets["weETH"].dust == params.RAD
    assert markets["ezETH"].ltv == 93 * params.RAY // 100


def test_the_markets_come_in_the_recipes_deploy_order() -> None:
    assert list(recipes.devnet_markets())[:4] == ["weETH", "ezETH", "rsETH", "rswETH"]


# ---------------------------------------------------------------- processes


def test_pid_checks() -> None:
    assert not node.pid_alive(os.getpid())  # alive, but not anvil
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert not node.pid_alive(proc.pid)


def test_port_free() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert not node.port_free(port)
    assert node.port_free(port)


# ---------------------------------------------------------------- fork mode (pure parts)


def test_a_fork_follows_the_forked_chain_id() -> None:
    from ion_cli.devnet import fork

    networks = {"holesky": {"chain_id": 17000}, "other": {"chain_id": 5}}
    assert fork.profile_name(1, networks) == "mainnet"
    assert fork.profile_name(31337, networks) == "devnet"
    assert fork.profile_name(17000, networks) == "holesky"
    assert fork.profile_name(10, networks) is None
    assert node.fork_args("http://x", None) == ["--fork-url", "http://x"]
    assert node.fork_args("http://x", 7) == ["--fork-url", "http://x", "--fork-block-number", "7"]


def test_fork_record_round_trip_hides_the_url_path(tmp_path: Path) -> None:
    from ion_cli.devnet import fork

    info = fork.ForkInfo(
        source=fork.source_label("https://eth.example.com/v2/SECRETKEY"),
        block=19_000_000, chain_id=1, profile="mainnet", started_at=1.0,
        funded={"ETH": "100000 ETH (anvil_setBalance)"},
    )  # fmt: skip
    assert "SECRETKEY" not in info.source
    fork.save(tmp_path, info)
    assert fork.load(tmp_path) == info
    assert "SECRETKEY" not in fork.path(tmp_path).read_text()
    assert info.describe().startswith(
        "fork of mainnet (chain id 1) at block 19000000, from https://"
    )
    fork.forget(tmp_path)
    assert fork.load(tmp_path) is None


def test_a_fresh_devnet_has_the_expected_addresses() -> None:
    """Forks find another devnet's deployment at these addresses: the admin's nonces 0, 1, ..."""
    from ion_cli.devnet import deploy

    doc = deploy.expected_document("http://127.0.0.1:1", 31337, 5)
    assert doc["shared"]["weth"] == txbatch.create_address(dep.ADMIN_ADDRESS, 0)
    parsed = dep.parse(doc)
    assert len(set(parsed.addresses())) == len(parsed.addresses()) > 40
    assert deploy.expected_document("http://127.0.0.1:2", 31337, 9)["markets"] == doc["markets"]


def test_every_market_is_its_plugins_recipes() -> None:
    """The core deploys no token of its own: each market's token, handler and reserve oracle are
    its recipe's (the weETH and ezETH recipes included), in the recipes' deploy order, and a
    recipe's vault pool lands in the shared Balancer-style vault under the recipe's key."""
    from ion_adapter_ezeth import devnet_recipe as ezeth

    from ion_cli.devnet import deploy

    doc = deploy.expected_document("http://127.0.0.1:1", 31337, 5)
    assert list(doc["markets"])[:4] == ["weETH", "ezETH", "rsETH", "rswETH"]
    assert list(doc["markets"]) == list(recipes.devnet_markets())
    for symbol, market in doc["markets"].items():
        assert market["collateral_token"] == doc["tokens"][symbol]["address"]
    assert doc["shared"]["ezeth_weth_balancer_pool_id"] == ezeth.BALANCER_POOL_ID
    assert doc["markets"]["ezETH"]["credential_source"] == "contracts"  # RenzoCredentials
    assert doc["markets"]["weETH"]["credential_source"] == "registry"
    kinds = sorted(set(doc["restaking"]["stakers"].values()))
    assert {"EtherFiNode", "RenzoOperatorDelegator"} <= set(kinds)
    assert set(doc["tokens"]["weETH"]["contracts"]) == {
        "eeth", "liquidity_pool", "etherfi_nodes_manager"
    }  # fmt: skip
