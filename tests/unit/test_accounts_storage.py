"""Where keys go: the keyring (keyrings.alt PlaintextKeyring here), keystore files as fallback."""

import json
import os
import stat
from pathlib import Path
from typing import Any

import keyring
import keyring.core
import pytest
from eth_account import Account
from keyring.backends import fail
from keyrings.alt.file import PlaintextKeyring

from ion_cli.accounts import files, keyring_store, keystore, manager, registry
from ion_cli.accounts.sources import Sources
from ion_cli.errors import IonError, UsageError

# the live environment, as the CLI's edge hands it to the accounts layer
ENVIRONMENT = Sources(environ=os.environ)

KEY = "0x" + "22" * 32
ADDRESS = Account.from_key(KEY).address


@pytest.fixture(autouse=True)
def cheap_and_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ION_SCRYPT_N", "16")
    for var in ("ION_PASSWORD_FILE", "ION_KEYSTORE_ONLY"):
        monkeypatch.delenv(var, raising=False)
    # Re-detect from PYTHON_KEYRING_BACKEND (set by the root conftest) for every test.
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.setattr("ion_cli.accounts.prompts.is_interactive", lambda: False)


class RaisingKeyring:
    """A backend that fails the way a headless EncryptedKeyring does (no terminal)."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.exc

    def delete_password(self, service: str, username: str) -> None:
        raise self.exc


def _use_backend(monkeypatch: pytest.MonkeyPatch, backend: Any) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", backend)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_keyring_path_stores_the_key_in_the_keyring() -> None:
    record = manager.import_key("alice", KEY, sources=ENVIRONMENT)
    assert record.storage == "keyring"
    assert record.address == ADDRESS
    assert keyring.get_password("ion-cli", "alice") == KEY
    assert not files.keystore_path("alice").exists()
    assert KEY[2:] not in files.registry_path().read_text()


def test_create_makes_a_fresh_key_each_time() -> None:
    a = manager.create("a", sources=ENVIRONMENT)
    b = manager.create("b", sources=ENVIRONMENT)
    assert a.address != b.address
    assert Account.from_key(keyring.get_password("ion-cli", "a")).address == a.address


@pytest.mark.parametrize(
    "backend",
    [
        fail.Keyring(),  # type: ignore[no-untyped-call]
        RaisingKeyring(EOFError()),
        RaisingKeyring(RuntimeError("no D-Bus")),
        RaisingKeyring(keyring.errors.KeyringError("locked")),
    ],
    ids=["fail-backend", "eof", "runtime", "keyring-error"],
)
def test_fallback_to_keystore_when_keyring_fails(
    backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_backend(monkeypatch, backend)
    monkeypatch.setenv("ION_PASSWORD", "pw")
    notes: list[str] = []
    record = manager.import_key("alice", KEY, notify=notes.append, sources=ENVIRONMENT)
    assert record.storage == "keystore"
    assert notes and "no usable OS keyring" in notes[0]
    path = Path(record.keystore_path or "")
    assert path == files.keystore_path("alice")
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert _mode(files.registry_path()) == 0o600
    data = json.loads(path.read_text())
    assert data["crypto"]["kdf"] == "scrypt"
    assert data["crypto"]["kdfparams"]["n"] == 16
    assert KEY[2:] not in path.read_text()
    assert keystore.decrypt(data, "pw", what="account alice") == KEY


def test_plaintext_file_backend_is_not_used_unless_chosen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    _use_backend(monkeypatch, PlaintextKeyring())
    with pytest.raises(keyring_store.KeyringUnavailable, match=r"keyrings\.alt"):
        keyring_store.backend()


def test_keystore_only_env_and_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ION_PASSWORD", "pw")
    assert (
        manager.import_key("a", KEY, keystore_only=True, sources=ENVIRONMENT).storage == "keystore"
    )
    monkeypatch.setenv("ION_KEYSTORE_ONLY", "1")
    assert manager.create("b", sources=ENVIRONMENT).storage == "keystore"
    assert keyring.get_password("ion-cli", "a") is None


def test_default_scrypt_cost_and_bad_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ION_SCRYPT_N")
    assert keystore.scrypt_n(sources=ENVIRONMENT) == 2**18
    monkeypatch.setenv("ION_SCRYPT_N", "1000")
    with pytest.raises(UsageError, match="power of two"):
        keystore.scrypt_n(sources=ENVIRONMENT)


def test_wrong_password_is_one_usage_error() -> None:
    data = keystore.encrypt(KEY, "right", sources=ENVIRONMENT)
    with pytest.raises(UsageError) as info:
        keystore.decrypt(data, "wrong", what="account alice")
    assert info.value.message == "wrong password for account alice"


def test_import_keystore_file_into_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "key.json"
    source.write_text(json.dumps(keystore.encrypt(KEY, "old", sources=ENVIRONMENT)))
    monkeypatch.setenv("ION_PASSWORD", "old")
    record = manager.import_keystore_file("alice", source, sources=ENVIRONMENT)
    assert record.storage == "keyring"
    assert keyring.get_password("ion-cli", "alice") == KEY


def test_import_keystore_file_as_copy_keeps_its_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "key.json"
    source.write_text(json.dumps(keystore.encrypt(KEY, "old", sources=ENVIRONMENT)))
    pw = tmp_path / "pw"
    pw.write_text("old\n")
    record = manager.import_keystore_file(
        "alice", source, keystore_only=True, password_file=pw, sources=ENVIRONMENT
    )
    copy = json.loads(Path(record.keystore_path or "").read_text())
    assert keystore.decrypt(copy, "old", what="x") == KEY


def test_import_keystore_file_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ION_PASSWORD", "nope")
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1}')
    with pytest.raises(UsageError, match="not a keystore v3 file"):
        manager.import_keystore_file("a", bad, sources=ENVIRONMENT)
    with pytest.raises(UsageError, match=r"keystore file .*: no such file"):
        manager.import_keystore_file("a", tmp_path / "missing.json", sources=ENVIRONMENT)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(keystore.encrypt(KEY, "right", sources=ENVIRONMENT)))
    with pytest.raises(UsageError, match=f"wrong password for keystore {good}"):
        manager.import_keystore_file("a", good, sources=ENVIRONMENT)
    assert registry.load() == {}


def test_duplicate_name_refused_before_any_storage(monkeypatch: pytest.MonkeyPatch) -> None:
    manager.import_key("alice", KEY, sources=ENVIRONMENT)
    with pytest.raises(UsageError, match="already exists"):
        manager.create("alice", sources=ENVIRONMENT)


def test_orphan_keyring_entry_is_not_overwritten() -> None:
    keyring.set_password("ion-cli", "alice", "0x" + "33" * 32)
    with pytest.raises(IonError, match="already holds a key"):
        manager.import_key("alice", KEY, sources=ENVIRONMENT)
    assert keyring.get_password("ion-cli", "alice") == "0x" + "33" * 32


def test_orphan_keystore_file_is_not_overwritten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ION_PASSWORD", "pw")
    files.ensure_private_dir(files.keystore_dir())
    files.keystore_path("alice").write_text("{}")
    with pytest.raises(UsageError, match="already exists"):
        manager.import_key("alice", KEY, keystore_only=True, sources=ENVIRONMENT)
    assert files.keystore_path("alice").read_text() == "{}"
    assert registry.load() == {}


def test_remove_deletes_the_key_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ION_PASSWORD", "pw")
    manager.import_key("k", KEY, sources=ENVIRONMENT)
    file_record = manager.import_key("f", "0x" + "44" * 32, keystore_only=True, sources=ENVIRONMENT)
    manager.remove("k")
    manager.remove("f")
    assert keyring.get_password("ion-cli", "k") is None
    assert not Path(file_record.keystore_path or "").exists()
    assert registry.load() == {}
    with pytest.raises(UsageError, match="no such account"):
        manager.remove("k")


def test_remove_with_broken_keyring_warns_and_forgets(monkeypatch: pytest.MonkeyPatch) -> None:
    manager.import_key("k", KEY, sources=ENVIRONMENT)
    _use_backend(monkeypatch, RaisingKeyring(RuntimeError("gone")))
    notes: list[str] = []
    manager.remove("k", notify=notes.append)
    assert "could not delete ion-cli/k" in notes[0]
    assert registry.load() == {}
