"""Resolving `--account` / `--address` for the rest of the CLI.

    acct = resolve_account(opts.account, network_name=net.name, chain_id=chain_id,
                           password_file=password_file)
    acct.address          # known at once, from the registry: previews need no password
    acct.signer()         # a LocalSigner; unlocks the key only now (may prompt)

On the devnet (network "devnet" and chain id 31337) the name `dev`, and no name at all, mean
anvil's account 0. Elsewhere `dev` is an ordinary name and no name is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ion_cli.accounts import devnet_account, registry
from ion_cli.accounts.sources import NO_SOURCES, Sources
from ion_cli.addresses import is_address, parse_address
from ion_cli.errors import IonError, UsageError

if TYPE_CHECKING:
    from ion_cli.accounts.txsign import LocalSigner

NO_ACCOUNT = "no account given: pass `account` (a name) or set ION_ACCOUNT"


@dataclass
class ResolvedAccount:
    name: str
    address: str
    storage: str  # "keyring", "keystore" or "devnet"
    keystore_path: Path | None = None
    password_file: Path | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)  # handed over by an API caller
    sources: Sources = field(default=NO_SOURCES, repr=False, compare=False)
    _signer: LocalSigner | None = field(default=None, repr=False, compare=False)

    @property
    def is_dev(self) -> bool:
        return self.storage == "devnet"

    def signer(self) -> LocalSigner:
        """The signing key; read (and a keystore decrypted) on first call only. Signing is
        ion_cli.accounts.txsign's (eth_keys): no eth_account, whose import loads py_ecc, unless
        a keystore has to be decrypted."""
        if self._signer is None:
            from ion_cli.accounts.txsign import LocalSigner

            account = LocalSigner(self._private_key())
            if account.address != self.address:
                raise IonError(
                    f"the key of account {self.name} is for {account.address}, "
                    f"not its recorded address {self.address}"
                )
            self._signer = account
        return self._signer

    def _private_key(self) -> str:
        if self.storage == "devnet":
            return devnet_account.DEV_ACCOUNT_KEY
        # the key stores, only for an account kept in one (start-up cost)
        from ion_cli.accounts import keyring_store, keystore, passwords

        if self.storage == "keyring":
            return keyring_store.load(self.name)
        path = self.keystore_path
        if path is None or not path.exists():
            raise IonError(f"the keystore file of account {self.name} is missing: {path}")
        data = keystore.read(path)
        password = self.password or passwords.existing_password(
            f"account {self.name}", self.password_file, sources=self.sources
        )
        return keystore.decrypt(data, password, what=f"account {self.name}")


def dev_account() -> ResolvedAccount:
    return ResolvedAccount(
        name=devnet_account.DEV_ACCOUNT_NAME,
        address=devnet_account.DEV_ACCOUNT_ADDRESS,
        storage="devnet",
    )


def _registered(
    name: str, password_file: Path | None, password: str | None, sources: Sources
) -> ResolvedAccount:
    record = registry.get(name)
    if record is None:
        hint = (
            " (`dev` exists only on the devnet)" if name == devnet_account.DEV_ACCOUNT_NAME else ""
        )
        raise UsageError(f"no such account: {name} (see `ion account list`){hint}")
    return ResolvedAccount(
        name=record.name,
        address=record.address,
        storage=record.storage,
        keystore_path=Path(record.keystore_path) if record.keystore_path else None,
        password_file=password_file,
        password=password,
        sources=sources,
    )


def resolve_account(
    name: str | None,
    *,
    network_name: str,
    chain_id: int,
    password_file: Path | None = None,
    password: str | None = None,
    sources: Sources = NO_SOURCES,
) -> ResolvedAccount:
    """The account a command signs with (`sources`: the edge's environment and prompt).
    Raises UsageError for an unknown or missing name."""
    on_devnet = devnet_account.is_devnet(network_name, chain_id)
    if name is None or name == "":
        if on_devnet:
            return dev_account()
        raise UsageError(NO_ACCOUNT, params=("account",))
    if on_devnet and name == devnet_account.DEV_ACCOUNT_NAME:
        return dev_account()
    return _registered(name, password_file, password, sources)


def checksum_address(text: str) -> str:
    """`text` as a checksummed address; mixed case must already be a valid checksum."""
    return parse_address(text)


def resolve_address(
    name_or_address: str | None,
    *,
    network_name: str | None = None,
    chain_id: int | None = None,
) -> str:
    """An address for read-only commands: a literal address, or an account's address (no key is
    touched). `dev` is the devnet account unless a registered `dev` exists off the devnet;
    None means `dev` on the devnet and is an error elsewhere."""
    on_devnet = devnet_account.is_devnet(network_name, chain_id)
    if name_or_address is not None and not name_or_address.strip():
        # an empty --address or VAULT is a mistake, never "my own account"
        raise UsageError("the address is empty: give an address or an account name")
    if name_or_address is None:
        if on_devnet:
            return devnet_account.DEV_ACCOUNT_ADDRESS
        raise UsageError(
            "no address given: pass `address` (an address or account name) or `account`",
            params=("address", "account"),
        )
    if is_address(name_or_address):
        return checksum_address(name_or_address)
    if name_or_address == devnet_account.DEV_ACCOUNT_NAME:
        record = None if on_devnet else registry.get(name_or_address)
        return record.address if record else devnet_account.DEV_ACCOUNT_ADDRESS
    record = registry.get(name_or_address)
    if record is None:
        raise UsageError(
            f"not an address or account name: {name_or_address} (see `ion account list`)"
        )
    return record.address
