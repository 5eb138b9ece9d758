"""Shell completion of account names stays light: only the registry file, no heavy imports."""

import json
import subprocess
import sys
import textwrap

import pytest

from ion_cli.accounts import devnet_account, files
from ion_cli.completion_data import account_names

HEAVY = ("keyring", "keyrings", "eth_account", "eth_keyfile", "web3", "eth_utils")


def test_account_names_reads_the_registry() -> None:
    assert account_names() == [devnet_account.DEV_ACCOUNT_NAME]
    path = files.registry_path()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"zed": {}, "alice": {}, "dev": {}}))
    assert account_names() == ["alice", "dev", "zed"]


@pytest.mark.parametrize("content", ["{broken", "[1, 2]", ""])
def test_account_names_never_fails(content: str) -> None:
    path = files.registry_path()
    path.parent.mkdir(parents=True)
    path.write_text(content)
    assert account_names() == ["dev"]


def test_cli_and_completion_import_nothing_heavy() -> None:
    code = textwrap.dedent(
        f"""
        import sys
        import ion_cli.cli
        import ion_cli.commands.account
        from ion_cli.completion_data import account_names
        account_names()
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})
        print(",".join(loaded))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"heavy modules imported at startup: {out}"


def test_account_list_and_show_stay_light() -> None:
    # Listing needs no key: it must not pay for keyring or eth_account either.
    code = textwrap.dedent(
        f"""
        import sys
        from typer.testing import CliRunner
        from ion_cli.cli import app
        for args in (["account", "list"], ["account", "show", "dev"]):
            result = CliRunner().invoke(app, args)
            assert result.exit_code == 0, result.output
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})
        print(",".join(loaded))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"heavy modules imported by `ion account list`: {out}"
