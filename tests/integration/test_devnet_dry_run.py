"""`--dry-run` changes nothing on the devnet: every `ion devnet` command given it leaves the
devnet's files (state, deployment, beacon state, pid files) and its block number as they were,
and says what it would do. `ion devnet reset` asks first: without a terminal and without --yes
it refuses (exit 3) and changes nothing (issue 17: reset --dry-run deleted the state, slash and
advance --dry-run acted)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.errors import ExitCode
from ion_cli.testing.devnet import DevnetHandle
from ion_cli.testing.json_documents import check_document

pytestmark = pytest.mark.integration

DRY_RUNS = [
    ["up"],
    ["down"],
    ["status"],
    ["reset"],
    ["reset", "--yes"],
    ["advance"],
    ["advance", "--epochs", "100"],
    ["slash", "--lrt", "weETH"],
    ["slash", "--lrt", "rsETH", "--count", "5"],
    ["penalize", "--lrt", "ezETH", "--gwei", "1000000000"],
]


def _files(directory: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
        if p.is_file() and not p.name.endswith(".log")
    }


def _head(devnet: DevnetHandle) -> tuple[int, int]:
    from ion_cli.devnet import beacon

    assert devnet.beacon_url is not None
    info = beacon.call(devnet.beacon_url, "/ion/v1/devnet/info")
    return devnet.w3.eth.block_number, int(info["head_slot"])


@pytest.mark.parametrize("args", DRY_RUNS, ids=lambda a: " ".join(a))
def test_dry_run_changes_nothing(devnet: DevnetHandle, args: list[str]) -> None:
    files = _files(devnet.deployment_dir)
    head = _head(devnet)
    result = CliRunner().invoke(app, ["devnet", *args, "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    doc = check_document(json.loads(result.stdout))  # a dry run's document is documented too
    assert doc.get("dry_run") is True or args == ["status"]
    assert _files(devnet.deployment_dir) == files
    assert _head(devnet) == head


def test_reset_without_yes_and_without_a_terminal_refuses(devnet: DevnetHandle) -> None:
    files = _files(devnet.deployment_dir)
    head = _head(devnet)
    result = CliRunner().invoke(app, ["devnet", "reset"], input="y\n")
    assert result.exit_code == ExitCode.REFUSED, result.output
    assert "--yes" in result.stderr
    assert _files(devnet.deployment_dir) == files
    assert _head(devnet) == head


@pytest.mark.parametrize(
    "args",
    [
        ["slash", "--lrt", "weETH", "--count", "99999"],
        ["slash", "--lrt", "weETH", "--count", "99999999"],
        ["penalize", "--lrt", "weETH", "--gwei", str(2**64)],
        ["advance", "--epochs", "١"],
        ["slash", "--lrt", "weETH", "--count", "٣"],
    ],
    ids=lambda a: " ".join(a),
)
def test_refused_devnet_commands_mine_nothing(devnet: DevnetHandle, args: list[str]) -> None:
    head = _head(devnet)
    result = CliRunner().invoke(app, ["devnet", *args])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "Traceback" not in result.output
    assert _head(devnet) == head
