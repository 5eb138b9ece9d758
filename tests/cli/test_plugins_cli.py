"""`ion plugins list|check` and the promise that plugins never break or slow the CLI.

Fake adapters are registered with real entry-point metadata on a temporary path, seen by the
subprocesses through PYTHONPATH, and unregistered when each test ends.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ion_cli.testing.conformance import fake_adapter_source

Register = Callable[..., Path]

FIRST_PARTY = ("weETH", "ezETH", "rsETH", "rswETH")
HEAVY = ("web3", "eth_account", "eth_abi", "eth_utils", "httpx", "keyring", "ezkl", "hexbytes")

INCOMPLETE = """
class Half:
    api_version = 1
    symbol = "halfETH"
    name = "Half"
    decimals = 18
adapter = Half()
"""


def run_ion(
    *args: str, pythonpath: Path | None = None, adapters: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    if adapters is not None:
        env["ION_ADAPTERS"] = adapters
    return subprocess.run(
        [sys.executable, "-m", "ion_cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.fixture
def broken_root(fake_adapters: Register) -> Path:
    return fake_adapters(
        {
            "fketh": "ion_fake_good:adapter",
            "boometh": "ion_fake_boom:adapter",
            "halfeth": "ion_fake_half:adapter",
            "futeth": "ion_fake_future:adapter",
        },
        {
            "ion_fake_good": fake_adapter_source("fkETH"),
            "ion_fake_boom": "raise ImportError('boom at import')\n",
            "ion_fake_half": INCOMPLETE,
            "ion_fake_future": fake_adapter_source("futETH", api_version=99),
        },
    )


def test_list_json_exact(broken_root: Path) -> None:
    result = run_ion(
        "plugins",
        "list",
        "--json",
        pythonpath=broken_root,
        adapters="fketh,boometh,halfeth,futeth,weETH",
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    fake = {"distribution": "ion-fake-adapters", "version": "0.0.1"}
    assert json.loads(result.stdout)["plugins"] == [
        {
            "name": "boometh",
            **fake,
            "api_version": None,
            "status": "error: import failed: ImportError: boom at import",
        },
        {"name": "fketh", **fake, "api_version": 2, "status": "ok"},
        {
            "name": "futeth",
            **fake,
            "api_version": None,
            "status": "error: declares API version 99, ion speaks 1 and 2 (2 is current)",
        },
        {
            "name": "halfeth",
            **fake,
            "api_version": None,
            "status": "error: incomplete adapter: missing addresses, exchange_rate, mint_plan, "
            "withdrawal, validators",
        },
        {
            "name": "weeth",
            "distribution": "ion-adapter-weeth",
            "version": "0.1.0",
            "api_version": 2,
            "status": "ok",
        },
    ]


def test_check_fails_naming_the_broken_ones(broken_root: Path) -> None:
    result = run_ion("plugins", "check", pythonpath=broken_root)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: adapter check failed: boometh, futeth, halfeth"
    ]
    for name in ("fketh", "boometh", *FIRST_PARTY):
        assert name in result.stdout


def test_check_passes_with_good_adapters_only(broken_root: Path) -> None:
    result = run_ion(
        "plugins",
        "check",
        "--json",
        pythonpath=broken_root,
        adapters="fketh," + ",".join(FIRST_PARTY),
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["plugins"]
    assert [(r["name"], r["symbol"], r["ok"]) for r in rows] == [
        ("ezeth", "ezETH", True),
        ("fketh", "fkETH", True),
        ("rseth", "rsETH", True),
        ("rsweth", "rswETH", True),
        ("weeth", "weETH", True),
    ]


def test_one_warning_line_and_the_others_keep_working(fake_adapters: Register) -> None:
    root = fake_adapters(
        {"boometh": "ion_fake_boom2:adapter"},
        {"ion_fake_boom2": "raise ImportError('boom at import')\n"},
    )
    code = (
        "from ion_cli.plugins_registry import adapters\n"
        "first = adapters(); second = adapters()\n"
        "print(','.join(sorted(first)))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(root))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout.strip() == ",".join(sorted(s.lower() for s in FIRST_PARTY))
    assert result.stderr.splitlines() == [
        "warning: adapter 'boometh' skipped: import failed: ImportError: boom at import"
    ]


# Runs the CLI in-process, then reports on stderr its exit code and which watched modules it
# imported: no adapter (nor fake) module, nothing heavy.
PROBE = """
import sys
sys.argv = ["ion", *sys.argv[1:]]
import ion_cli.cli
code = 0
try:
    ion_cli.cli.main()
except SystemExit as exc:
    code = exc.code or 0
watched = {heavy!r}
loaded = sorted(
    m for m in sys.modules
    if m.split(".")[0] in watched or m.startswith(("ion_adapter_", "ion_fake"))
)
sys.stderr.write(f"EXIT={{code}} LOADED={{','.join(loaded)}}\\n")
"""


@pytest.mark.parametrize("args", [["--help"], ["plugins", "--help"], ["plugins", "list", "--help"]])
def test_help_is_quiet_and_imports_no_adapter_nor_heavy_module(
    args: list[str], broken_root: Path
) -> None:
    env = dict(os.environ, PYTHONPATH=str(broken_root))
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=set(HEAVY)), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert "Usage" in result.stdout
    # No plugin warning either: --help must not even look at the adapters' code.
    assert result.stderr.splitlines() == ["EXIT=0 LOADED="], result.stderr


def test_completion_imports_no_adapter(broken_root: Path) -> None:
    env = dict(
        os.environ,
        PYTHONPATH=str(broken_root),
        _ION_COMPLETE="complete_bash",
        COMP_WORDS="ion plugins ",
        COMP_CWORD="2",
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=set(HEAVY))],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert "list" in result.stdout and "check" in result.stdout
    assert result.stderr.splitlines() == ["EXIT=0 LOADED="], result.stderr


def test_first_party_adapters_are_installed() -> None:
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group="ion.adapters")}
    assert set(FIRST_PARTY) <= names, "pip install -e plugins/ion-* (see plugins/README.md)"
