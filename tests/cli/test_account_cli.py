"""`ion account ...` through the real CLI app: outputs, exit codes, prompts, and no key leaks."""

import json
import stat
from pathlib import Path

import keyring
import keyring.core
import pytest
from eth_account import Account
from keyring.backends import fail
from typer.testing import CliRunner, Result

from ion_cli.accounts import files
from ion_cli.cli import app

KEY = "0x" + "66" * 32
ADDRESS = Account.from_key(KEY).address
DEV_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
runner = CliRunner()


@pytest.fixture(autouse=True)
def cheap_and_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ION_SCRYPT_N", "16")
    for var in ("ION_PASSWORD_FILE", "ION_KEYSTORE_ONLY", "ION_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.setattr("ion_cli.accounts.prompts.is_interactive", lambda: False)


@pytest.fixture
def interactive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ion_cli.accounts.prompts.is_interactive", lambda: True)


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())  # type: ignore[no-untyped-call]


def ion(*args: str, input: str | None = None) -> Result:
    result = runner.invoke(app, ["account", *args], input=input)
    # The rules every account command keeps, whatever happens.
    for secret in (KEY, KEY[2:], KEY[2:].upper()):
        assert secret not in result.stdout
        assert secret not in result.stderr
    assert "Traceback" not in result.output
    if result.exit_code not in (0, 1, 2, 3):
        raise AssertionError(f"exit {result.exit_code}: {result.output}")
    if result.exit_code != 0:
        assert result.stdout == "" or result.stdout.isspace() or "Aborted" in result.output
    return result


def key_file(tmp_path: Path, text: str = KEY) -> Path:
    path = tmp_path / "key.txt"
    path.write_text(text + "\n")
    return path


def test_new_shows_name_and_address_never_the_key() -> None:
    result = ion("new", "alice", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["name"] == "alice" and data["storage"] == "keyring"
    stored = keyring.get_password("ion-cli", "alice")
    assert stored is not None and Account.from_key(stored).address == data["address"]
    assert stored[2:] not in result.output


def test_new_human_output() -> None:
    result = ion("new", "alice")
    assert result.exit_code == 0
    assert "alice" in result.stdout and "keyring" in result.stdout


def test_import_from_file_then_list_show_remove(tmp_path: Path) -> None:
    assert ion("import", "alice", "--private-key-file", str(key_file(tmp_path))).exit_code == 0
    listed = json.loads(ion("list", "--json").stdout)["accounts"]
    assert listed[0] == {
        "name": "alice",
        "address": ADDRESS,
        "storage": "keyring",
        "keystore_path": None,
        "created": listed[0]["created"],
    }
    assert listed[-1]["name"] == "dev" and listed[-1]["storage"] == "devnet"
    human = ion("list").stdout
    assert ADDRESS in human and "devnet only" in human and DEV_ADDRESS in human
    shown = json.loads(ion("show", "alice", "--json").stdout)
    assert shown["address"] == ADDRESS
    removed = ion("remove", "alice", "--yes", "--json")
    assert removed.exit_code == 0
    assert json.loads(removed.stdout)["removed"] == "alice"
    assert keyring.get_password("ion-cli", "alice") is None
    missing = ion("show", "alice")
    assert missing.exit_code == 2
    assert missing.stderr == "error: no such account: alice (see `ion account list`)\n"


def test_import_from_hidden_prompt(interactive: None) -> None:
    result = ion("import", "alice", input=KEY + "\n")
    assert result.exit_code == 0, result.output
    assert "Private key for account alice" in result.stderr
    assert keyring.get_password("ion-cli", "alice") == KEY


def test_import_prompt_without_terminal_is_a_usage_error() -> None:
    result = ion("import", "alice", input=KEY + "\n")
    assert result.exit_code == 2
    assert "--private-key-file" in result.stderr


def test_import_from_stdin_pipe(tmp_path: Path) -> None:
    result = ion("import", "alice", "--private-key-file", "-", input=KEY + "\n")
    assert result.exit_code == 0, result.output
    assert keyring.get_password("ion-cli", "alice") == KEY


def test_key_as_argument_is_refused_and_not_echoed() -> None:
    result = ion("import", "alice", KEY)
    assert result.exit_code == 2
    assert "never accepted as an argument" in result.stderr
    assert ion("import", KEY).exit_code == 2
    assert ion("new", KEY).exit_code == 2
    assert json.loads(ion("list", "--json").stdout)["accounts"][0]["name"] == "dev"


def test_keystore_fallback_with_prompted_password(
    no_keyring: None, interactive: None, tmp_path: Path
) -> None:
    result = ion(
        "import",
        "alice",
        "--private-key-file",
        str(key_file(tmp_path)),
        "--json",
        input="s3cret\ns3cret\n",
    )
    assert result.exit_code == 0, result.output
    assert "no usable OS keyring" in result.stderr
    assert "s3cret" not in result.output
    data = json.loads(result.stdout)
    assert data["storage"] == "keystore"
    path = Path(data["keystore_path"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Account.from_key(Account.decrypt(path.read_text(), "s3cret")).address == ADDRESS


def test_keystore_without_password_source_or_terminal(no_keyring: None) -> None:
    result = ion("new", "alice")
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("(no terminal to prompt on)")
    assert "pass --password-file or set ION_PASSWORD" in result.stderr
    assert not files.registry_path().exists()


def test_keystore_flag_and_password_file(tmp_path: Path) -> None:
    pw = tmp_path / "pw"
    pw.write_text("from-file\n")
    result = ion("new", "alice", "--keystore", "--password-file", str(pw), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["storage"] == "keystore"
    assert "from-file" not in result.output
    assert Account.decrypt(Path(data["keystore_path"]).read_text(), "from-file")


def test_import_keystore_file_wrong_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "ks.json"
    source.write_text(
        json.dumps(Account.encrypt(bytes.fromhex(KEY[2:]), "right", kdf="scrypt", iterations=16))
    )
    monkeypatch.setenv("ION_PASSWORD", "wrong")
    result = ion("import", "alice", "--keystore-file", str(source))
    assert result.exit_code == 2
    assert result.stderr == f"error: wrong password for keystore {source}\n"
    monkeypatch.setenv("ION_PASSWORD", "right")
    result = ion("import", "alice", "--keystore-file", str(source), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["address"] == ADDRESS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "bad name"], "bad account name"),
        (["import", "alice", "--private-key-file", "/nonexistent/key"], "cannot read private key"),
        (
            ["import", "alice", "--keystore-file", "/nonexistent/ks.json"],
            "keystore file /nonexistent/ks.json: no such file",
        ),
        (["show", "nobody"], "no such account: nobody"),
        (["remove", "nobody", "--yes"], "no such account: nobody"),
        (["remove", "dev", "--yes"], "nothing to remove"),
    ],
)
def test_errors_are_one_line(args: list[str], message: str) -> None:
    result = ion(*args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert message in result.stderr


def test_bad_key_file_does_not_echo_contents(tmp_path: Path) -> None:
    almost = KEY[:-2]  # 62 hex digits: a typo'd key is still a secret
    result = ion("import", "alice", "--private-key-file", str(key_file(tmp_path, almost)))
    assert result.exit_code == 2
    assert "bad private key" in result.stderr
    assert almost[2:] not in result.output


def test_duplicate_name(tmp_path: Path) -> None:
    assert ion("new", "alice").exit_code == 0
    result = ion("import", "alice", "--private-key-file", str(key_file(tmp_path)))
    assert result.exit_code == 2
    assert "already exists" in result.stderr


def test_remove_asks_first(interactive: None) -> None:
    assert ion("new", "alice").exit_code == 0
    declined = ion("remove", "alice", input="n\n")
    assert declined.exit_code == 3
    assert keyring.get_password("ion-cli", "alice") is not None
    accepted = ion("remove", "alice", input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert keyring.get_password("ion-cli", "alice") is None


def test_remove_without_terminal_needs_yes() -> None:
    assert ion("new", "alice").exit_code == 0
    result = ion("remove", "alice")
    assert result.exit_code == 3
    assert "pass --yes" in result.stderr


def test_remove_keystore_account_deletes_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ION_PASSWORD", "pw")
    data = json.loads(ion("new", "alice", "--keystore", "--json").stdout)
    assert Path(data["keystore_path"]).exists()
    assert ion("remove", "alice", "-y").exit_code == 0
    assert not Path(data["keystore_path"]).exists()


def test_show_dev() -> None:
    data = json.loads(ion("show", "dev", "--json").stdout)
    assert data["address"] == DEV_ADDRESS and data["storage"] == "devnet"
