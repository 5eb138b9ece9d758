"""Success is success: a write that succeeded exits 0 whatever became of stdout (closed with
`>&-`, a broken pipe, a full device), with a warning on stderr. Issue 17: `ion deposit ezETH 1
--yes >&-` mined the deposit and exited 1 with an AttributeError; a broken pipe under a human
rendering exited 1 (rich's default)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ion_cli.testing.devnet import DevnetHandle

ION = [sys.executable, "-m", "ion_cli"]


def _sh(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", script, "bash", *ION, *args],
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["table", "json"])
def test_a_write_with_stdout_closed_exits_0(devnet: DevnetHandle, json_flag: list[str]) -> None:
    nonce = devnet.w3.eth.get_transaction_count(devnet.dev)
    done = _sh('"$@" >&-', "deposit", "ezETH", "1", "--yes", *json_flag)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "error:" not in done.stderr
    assert "could not be written to stdout" in done.stderr
    assert devnet.w3.eth.get_transaction_count(devnet.dev) > nonce  # it was sent and mined


def test_a_write_with_stdout_and_stderr_closed_exits_0(devnet: DevnetHandle) -> None:
    nonce = devnet.w3.eth.get_transaction_count(devnet.dev)
    done = _sh('"$@" >&- 2>&-', "deposit", "ezETH", "1", "--yes")
    assert done.returncode == 0
    assert devnet.w3.eth.get_transaction_count(devnet.dev) > nonce


def test_a_broken_pipe_is_not_a_failure(devnet: DevnetHandle) -> None:
    # `head -c 1` reads one byte and exits: the table's later writes meet a closed pipe
    script = 'set -o pipefail; "$@" | head -c 1 > /dev/null'
    done = _sh(script, "markets")
    assert "Traceback" not in done.stderr and "error:" not in done.stderr
    assert done.returncode == 0, done.stderr
