"""Account use cases: create, import, list, remove. Chooses the storage and keeps the registry in
step with it (a secret is stored first and recorded second; a failed record undoes the store)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ion_cli.accounts import devnet_account, keyring_store, keystore, names, passwords, registry
from ion_cli.accounts.registry import AccountRecord
from ion_cli.accounts.sources import KEYSTORE_ONLY_ENV, NO_SOURCES, Sources
from ion_cli.errors import IonError, UsageError

__all__ = ["KEYSTORE_ONLY_ENV", "create", "import_key", "import_keystore_file", "remove"]
Notify = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def address_of(private_key: str) -> str:
    from eth_account import Account

    address: str = Account.from_key(private_key).address
    return address


def _try_keyring(
    name: str, private_key: str, *, keystore_only: bool, notify: Notify, sources: Sources
) -> bool:
    if keystore_only or sources.keystore_only():
        return False
    try:
        keyring_store.save(name, private_key)
    except keyring_store.KeyringUnavailable as exc:
        notify(f"no usable OS keyring ({exc.reason}); using an encrypted keystore file")
        return False
    return True


def _record(name: str, address: str, *, keystore_path: Path | None) -> AccountRecord:
    record = AccountRecord(
        name=name,
        address=address,
        storage="keystore" if keystore_path is not None else "keyring",
        created=registry.now(),
        keystore_path=str(keystore_path) if keystore_path is not None else None,
    )
    try:
        registry.add(record)
    except BaseException:
        _discard(record)
        raise
    return record


def _discard(record: AccountRecord) -> None:
    if record.keystore_path is not None:
        with contextlib.suppress(OSError):
            Path(record.keystore_path).unlink()
    else:
        keyring_store.delete(record.name)


def _store_key(
    name: str,
    private_key: str,
    *,
    keystore_only: bool,
    password_file: Path | None,
    notify: Notify,
    sources: Sources,
) -> AccountRecord:
    address = address_of(private_key)
    if _try_keyring(name, private_key, keystore_only=keystore_only, notify=notify, sources=sources):
        return _record(name, address, keystore_path=None)
    password = passwords.new_password(f"account {name}", password_file, sources=sources)
    path = keystore.write(name, keystore.encrypt(private_key, password, sources=sources))
    return _record(name, address, keystore_path=path)


def check_new_name(name: str) -> None:
    names.validate_name(name)
    if name.lower() == devnet_account.DEV_ACCOUNT_NAME:
        # `dev` always means the devnet's funded account there: a second `dev` elsewhere would
        # make `--account dev` sign with a different key depending on the network.
        raise UsageError(
            "the name 'dev' is reserved for the devnet's funded account: choose another name"
        )
    registry.ensure_free(name)


def create(
    name: str,
    *,
    keystore_only: bool = False,
    password_file: Path | None = None,
    notify: Notify = _quiet,
    sources: Sources = NO_SOURCES,
) -> AccountRecord:
    """A new random key (eth_account draws it from os.urandom), stored under `name`."""
    check_new_name(name)
    from eth_account import Account

    private_key = "0x" + bytes(Account.create().key).hex()
    return _store_key(
        name,
        private_key,
        keystore_only=keystore_only,
        password_file=password_file,
        notify=notify,
        sources=sources,
    )


def import_key(
    name: str,
    private_key: str,
    *,
    keystore_only: bool = False,
    password_file: Path | None = None,
    notify: Notify = _quiet,
    sources: Sources = NO_SOURCES,
) -> AccountRecord:
    """Store an existing key (already parsed by `ion_cli.accounts.keys`) under `name`."""
    check_new_name(name)
    return _store_key(
        name,
        private_key,
        keystore_only=keystore_only,
        password_file=password_file,
        notify=notify,
        sources=sources,
    )


def import_keystore_file(
    name: str,
    source: Path,
    *,
    keystore_only: bool = False,
    password_file: Path | None = None,
    notify: Notify = _quiet,
    sources: Sources = NO_SOURCES,
) -> AccountRecord:
    """Import a keystore v3 file: unlock it to prove the password, then keep the key in the
    keyring, or else a copy of the file as is (so it keeps its own password and KDF)."""
    check_new_name(name)
    data = keystore.read(source)
    password = passwords.existing_password(f"keystore {source}", password_file, sources=sources)
    private_key = keystore.decrypt(data, password, what=f"keystore {source}")
    address = address_of(private_key)
    claimed = keystore.stored_address(data)
    if claimed is not None and claimed != address.lower():
        raise UsageError(f"keystore {source}: its address field does not match its key")
    if _try_keyring(name, private_key, keystore_only=keystore_only, notify=notify, sources=sources):
        return _record(name, address, keystore_path=None)
    copy: dict[str, Any] = dict(data)
    copy.setdefault("address", address.lower().removeprefix("0x"))
    path = keystore.write(name, copy)
    notify(f"the keystore keeps the password of {source}")
    return _record(name, address, keystore_path=path)


def list_accounts() -> list[AccountRecord]:
    return list(registry.load().values())


def remove(name: str, *, notify: Notify = _quiet) -> AccountRecord:
    """Forget `name` and delete its key (keyring entry or keystore file)."""
    record = registry.require(name)
    if record.keystore_path is not None:
        try:
            Path(record.keystore_path).unlink()
        except FileNotFoundError:
            notify(f"keystore file {record.keystore_path} was already gone")
        except OSError as exc:
            raise IonError(
                f"cannot delete keystore file {record.keystore_path}: {exc.strerror}; "
                "nothing removed"
            ) from None
    else:
        reason = keyring_store.delete(name)
        if reason is not None:
            notify(
                f"could not delete {keyring_store.SERVICE}/{name} from the OS keyring ({reason}); "
                "delete it with your keyring tool"
            )
    registry.remove(name)
    return record
