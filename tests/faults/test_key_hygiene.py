"""Key hygiene over the README walk-through (.ci/walkthrough's commands, in-process on the test
devnet) plus the same writes signed by a keystore account: no private key and no password in
any output or in any file ion wrote; keystore and journal files (the SQLite database and its
-wal/-shm) are 0600 in a 0700 folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from faultkit import WAD, ion

from ion_cli.devnet.deployment import DEV_ACCOUNT_KEY
from ion_cli.testing.devnet import DevnetHandle, Protocol

pytestmark = pytest.mark.integration

ALICE_KEY = "0x" + "5a" * 31 + "01"
PASSWORD = "correct horse battery staple 7"

WALKTHROUGH = [
    ("markets",),
    ("plugins", "list"),
    ("supply", "weETH", "10", "--yes"),
    ("deposit", "weETH", "20", "--yes"),
    ("borrow", "weETH", "12", "--yes"),
    ("position", "weETH"),
    ("repay", "weETH", "all", "--yes"),
    ("withdraw", "weETH", "all", "--yes"),
    ("redeem", "weETH", "all", "--yes"),
    ("position", "weETH", "--json"),
    ("tx", "list"),
]


def _forms(secret: str) -> list[bytes]:
    """The ways a secret could appear: as typed, without 0x, upper case, as raw bytes."""
    text = secret.removeprefix("0x")
    found = [secret.encode(), text.encode(), text.upper().encode()]
    if all(c in "0123456789abcdef" for c in text):
        found.append(bytes.fromhex(text))
    return found


def test_walkthrough_leaks_no_key_or_password(
    devnet: DevnetHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eth_account import Account

    protocol = Protocol(devnet)
    alice = Account.from_key(ALICE_KEY).address
    key_file, pw_file = tmp_path / "alice.key", tmp_path / "pw"
    key_file.write_text(ALICE_KEY + "\n")
    pw_file.write_text(PASSWORD + "\n")
    monkeypatch.setenv("ION_KEYSTORE_ONLY", "1")
    transcript: list[str] = []

    def run(*args: str) -> None:
        done = ion(*args)
        assert done.returncode == 0, (args, done.stderr)
        transcript.extend([done.stdout, done.stderr])

    run("account", "import", "alice", "--private-key-file", str(key_file), "--keystore",
        "--password-file", str(pw_file))  # fmt: skip
    key_file.unlink()  # the user's own file: not ion's to keep
    devnet.w3.provider.make_request("anvil_setBalance", [alice, hex(10 * WAD)])
    weeth = devnet.deployment.market("weETH").collateral_token
    protocol.send(protocol.dev, weeth, "WETH9", "transfer", alice, 5 * WAD)
    for args in WALKTHROUGH:
        run(*args)
    for args in (("deposit", "weETH", "2", "--yes"), ("borrow", "weETH", "1", "--yes")):
        run(*args, "--account", "alice", "--password-file", str(pw_file))
    run("tx", "list", "--account", "alice", "--json")
    run("position", "weETH", "--account", "alice")

    home = Path(os.environ["XDG_DATA_HOME"]).parent
    files = [p for p in home.rglob("*") if p.is_file()]
    journal_files = [p for p in files if p.name.startswith("journal.sqlite3")]
    assert {p.name for p in journal_files} >= {"journal.sqlite3"}, "the journal was written"
    for path in journal_files:  # the database, and its -wal / -shm while it is open
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700, path.parent
    secrets = _forms(ALICE_KEY) + _forms(PASSWORD) + _forms(DEV_ACCOUNT_KEY)
    output = "\n".join(transcript).encode()
    for form in secrets:
        assert form not in output
        for path in files:
            assert form not in path.read_bytes(), path
    for path in files:
        private = path.suffix in (".jsonl", ".lock") or path.name.startswith("journal.sqlite3")
        if private or "keystores" in path.parts:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
