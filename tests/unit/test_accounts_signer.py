"""resolve_account / resolve_address: the API other commands use to find their signer."""

import os
from pathlib import Path

import keyring
import keyring.core
import pytest
from eth_account import Account

from ion_cli.accounts import devnet_account, manager
from ion_cli.accounts.signer import resolve_account, resolve_address
from ion_cli.accounts.sources import Sources
from ion_cli.errors import IonError, UsageError

# the live environment, as the CLI's edge hands it to the accounts layer
ENVIRONMENT = Sources(environ=os.environ)

KEY = "0x" + "55" * 32
ADDRESS = Account.from_key(KEY).address


@pytest.fixture(autouse=True)
def cheap_and_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ION_SCRYPT_N", "16")
    for var in ("ION_PASSWORD_FILE", "ION_KEYSTORE_ONLY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.setattr("ion_cli.accounts.prompts.is_interactive", lambda: False)


def test_dev_constants_are_anvils_account_zero() -> None:
    derived = Account.from_key(devnet_account.DEV_ACCOUNT_KEY).address
    assert derived == devnet_account.DEV_ACCOUNT_ADDRESS


def test_dev_constants_agree_with_the_devnet_module() -> None:
    assert devnet_account._ANVIL_ACCOUNT_0_ADDRESS == devnet_account.DEV_ACCOUNT_ADDRESS
    assert devnet_account._ANVIL_ACCOUNT_0_KEY == devnet_account.DEV_ACCOUNT_KEY
    deployment = pytest.importorskip("ion_cli.devnet.deployment")
    if not hasattr(deployment, "DEV_ACCOUNT_KEY"):
        pytest.skip("ion_cli.devnet.deployment has no DEV_ACCOUNT_KEY")
    assert deployment.DEV_ACCOUNT_KEY == devnet_account.DEV_ACCOUNT_KEY
    assert deployment.DEV_ACCOUNT_ADDRESS == devnet_account.DEV_ACCOUNT_ADDRESS


@pytest.mark.parametrize("name", [None, "dev"])
def test_dev_on_the_devnet(name: str | None) -> None:
    acct = resolve_account(name, network_name="devnet", chain_id=31337, sources=ENVIRONMENT)
    assert acct.address == devnet_account.DEV_ACCOUNT_ADDRESS
    assert acct.signer().address == acct.address


def test_no_account_off_the_devnet() -> None:
    with pytest.raises(
        UsageError, match=r"no account given: pass `account` \(a name\) or set ION_ACCOUNT"
    ):
        resolve_account(None, network_name="mainnet", chain_id=1, sources=ENVIRONMENT)
    # chain id 31337 under another profile name is not the devnet
    with pytest.raises(UsageError, match="no account given"):
        resolve_account(None, network_name="local", chain_id=31337, sources=ENVIRONMENT)
    with pytest.raises(UsageError, match="no such account: dev"):
        resolve_account("dev", network_name="mainnet", chain_id=1, sources=ENVIRONMENT)


def test_dev_is_reserved_for_the_devnet_account() -> None:
    # One name, one key: a registered `dev` would sign with another key off the devnet.
    for name in ("dev", "DEV"):
        with pytest.raises(UsageError, match="reserved"):
            manager.import_key(name, KEY, sources=ENVIRONMENT)
    assert (
        resolve_account("dev", network_name="devnet", chain_id=31337, sources=ENVIRONMENT).address
        == devnet_account.DEV_ACCOUNT_ADDRESS
    )


def test_keyring_account_signs() -> None:
    manager.import_key("alice", KEY, sources=ENVIRONMENT)
    acct = resolve_account("alice", network_name="mainnet", chain_id=1, sources=ENVIRONMENT)
    assert acct.address == ADDRESS
    assert acct.signer().key.hex().removeprefix("0x") == KEY[2:]


def test_keystore_account_is_unlocked_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ION_PASSWORD", "pw")
    manager.import_key("alice", KEY, keystore_only=True, sources=ENVIRONMENT)
    monkeypatch.setenv("ION_PASSWORD", "wrong")
    acct = resolve_account(
        "alice", network_name="mainnet", chain_id=1, sources=ENVIRONMENT
    )  # no password needed yet
    assert acct.address == ADDRESS
    with pytest.raises(UsageError) as info:
        acct.signer()
    assert info.value.message == "wrong password for account alice"
    monkeypatch.setenv("ION_PASSWORD", "pw")
    assert acct.signer().address == ADDRESS
    monkeypatch.setenv("ION_PASSWORD", "wrong")
    assert acct.signer().address == ADDRESS  # cached: decrypted once


def test_keystore_account_password_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ION_PASSWORD", "pw")
    manager.import_key("alice", KEY, keystore_only=True, sources=ENVIRONMENT)
    monkeypatch.delenv("ION_PASSWORD")
    with pytest.raises(UsageError, match="no password for account alice"):
        resolve_account("alice", network_name="mainnet", chain_id=1, sources=ENVIRONMENT).signer()
    pw = tmp_path / "pw"
    pw.write_text("pw\n")
    assert (
        resolve_account(
            "alice", network_name="mainnet", chain_id=1, password_file=pw, sources=ENVIRONMENT
        )
        .signer()
        .address
        == ADDRESS
    )


def test_key_removed_outside_ion() -> None:
    manager.import_key("alice", KEY, sources=ENVIRONMENT)
    keyring.delete_password("ion-cli", "alice")
    with pytest.raises(IonError, match="has no key for account alice"):
        resolve_account("alice", network_name="mainnet", chain_id=1, sources=ENVIRONMENT).signer()


def test_unknown_account() -> None:
    with pytest.raises(UsageError, match=r"no such account: bob \(see `ion account list`\)"):
        resolve_account("bob", network_name="mainnet", chain_id=1, sources=ENVIRONMENT)


def test_resolve_address() -> None:
    manager.import_key("alice", KEY, sources=ENVIRONMENT)
    assert resolve_address("alice") == ADDRESS
    assert resolve_address(ADDRESS.lower()) == ADDRESS
    assert resolve_address(ADDRESS) == ADDRESS
    assert resolve_address("dev") == devnet_account.DEV_ACCOUNT_ADDRESS
    assert (
        resolve_address(None, network_name="devnet", chain_id=31337)
        == devnet_account.DEV_ACCOUNT_ADDRESS
    )
    with pytest.raises(UsageError, match="bad address checksum"):
        resolve_address(ADDRESS[:2] + ADDRESS[2:].swapcase())
    with pytest.raises(UsageError, match="not an address or account name: bob"):
        resolve_address("bob")
    with pytest.raises(UsageError, match="no address given"):
        resolve_address(None, network_name="mainnet", chain_id=1)
