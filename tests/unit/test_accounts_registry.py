"""Registry file, names, private-key parsing, password sources: pure and file-level behaviour."""

import json
import os
import stat
from pathlib import Path

import pytest

from ion_cli.accounts import files, keys, names, passwords, registry
from ion_cli.accounts.registry import AccountRecord
from ion_cli.accounts.sources import Sources
from ion_cli.errors import IonError, UsageError

# the live environment, as the CLI's edge hands it to the accounts layer
ENVIRONMENT = Sources(environ=os.environ)

KEY = "0x" + "11" * 32


def _record(name: str = "alice", storage: str = "keyring") -> AccountRecord:
    return AccountRecord(
        name=name,
        address="0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A",
        storage=storage,  # type: ignore[arg-type]
        created=registry.now(),
        keystore_path="/x/alice.json" if storage == "keystore" else None,
    )


def test_empty_registry_when_no_file() -> None:
    assert registry.load() == {}
    assert registry.get("alice") is None


def test_add_get_remove_round_trip() -> None:
    registry.add(_record("alice"))
    registry.add(_record("bob", "keystore"))
    assert registry.require("bob").keystore_path == "/x/alice.json"
    assert sorted(registry.load()) == ["alice", "bob"]
    registry.remove("alice")
    assert list(registry.load()) == ["bob"]


def test_file_format_and_mode() -> None:
    registry.add(_record("alice"))
    path = files.registry_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert set(data["alice"]) == {"address", "storage", "created"}
    assert data["alice"]["storage"] == "keyring"


def test_duplicate_and_missing_names() -> None:
    registry.add(_record("alice"))
    with pytest.raises(UsageError, match="already exists"):
        registry.add(_record("alice"))
    with pytest.raises(UsageError, match=r"no such account: carol \(see `ion account list`\)"):
        registry.require("carol")


def test_damaged_registry_is_one_clear_error() -> None:
    path = files.registry_path()
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(IonError, match="damaged"):
        registry.load()
    path.write_text(json.dumps({"alice": {"storage": "usb"}}))
    with pytest.raises(IonError, match="damaged"):
        registry.load()


@pytest.mark.parametrize("name", ["a", "alice", "A.b-c_9", "x" * 64, "dev"])
def test_good_names(name: str) -> None:
    assert names.validate_name(name) == name


@pytest.mark.parametrize("name", ["", "x" * 65, "a b", "a/b", "../x", "é", "a\n"])
def test_bad_names(name: str) -> None:
    with pytest.raises(UsageError, match="bad account name"):
        names.validate_name(name)


@pytest.mark.parametrize("name", [KEY, KEY[2:], "0x" + "ab" * 20])
def test_key_or_address_as_name_is_refused_without_echo(name: str) -> None:
    with pytest.raises(UsageError) as info:
        names.validate_name(name)
    assert name not in info.value.message
    assert "looks like an address or a private key" in info.value.message


def test_parse_private_key() -> None:
    assert keys.parse_private_key(f"  {KEY.upper().replace('0X', '0x')}\n", source="f") == KEY
    assert keys.parse_private_key(KEY[2:], source="f") == KEY
    for bad in ["", "0x1234", "0x" + "zz" * 32, "0x" + "00" * 32, "0x" + "ff" * 32]:
        with pytest.raises(UsageError, match="bad private key in f") as info:
            keys.parse_private_key(bad, source="f")
        assert bad.strip() == "" or bad not in info.value.message


def test_password_sources_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ION_PASSWORD_FILE", raising=False)
    monkeypatch.setattr("ion_cli.accounts.prompts.is_interactive", lambda: False)
    with pytest.raises(UsageError, match="pass `password_file` or set ION_PASSWORD"):
        passwords.existing_password("account a", sources=ENVIRONMENT)
    monkeypatch.setenv("ION_PASSWORD", "from-env")
    assert passwords.existing_password("account a", sources=ENVIRONMENT) == "from-env"
    env_file = tmp_path / "env-pw"
    env_file.write_text("from-env-file\n")
    monkeypatch.setenv("ION_PASSWORD_FILE", str(env_file))
    assert passwords.new_password("account a", sources=ENVIRONMENT) == "from-env-file"
    flag_file = tmp_path / "pw"
    flag_file.write_text(" spaced pw \r\n")
    assert passwords.existing_password("account a", flag_file, sources=ENVIRONMENT) == " spaced pw "


def test_bad_password_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(UsageError, match="is empty"):
        passwords.read_password_file(empty)
    with pytest.raises(UsageError, match="cannot read password file"):
        passwords.read_password_file(tmp_path / "missing")
