"""The startup budget: `ion --help` and TAB completion must not import the heavy libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("web3", "eth_account", "eth_abi", "ezkl", "httpx", "keyring")

PROBE = """
import json, sys
import ion_cli.cli
{extra}
print(json.dumps(sorted(m for m in {heavy} if m in sys.modules)))
"""


def _loaded(extra: str = "") -> list[str]:
    code = PROBE.format(extra=extra, heavy=repr(HEAVY))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    ).stdout
    return list(json.loads(out.strip().splitlines()[-1]))


def test_importing_the_entry_point_loads_no_heavy_module() -> None:
    assert _loaded() == []


def test_help_loads_no_heavy_module() -> None:
    extra = (
        "from typer.testing import CliRunner\n"
        "CliRunner().invoke(ion_cli.cli.app, ['--help'])\n"
        "CliRunner().invoke(ion_cli.cli.app, ['borrow', '--help'])\n"
    )
    assert _loaded(extra) == []


def test_completion_request_loads_no_heavy_module() -> None:
    env = dict(os.environ, _ION_COMPLETE="complete_bash", COMP_WORDS="ion borrow ", COMP_CWORD="2")
    code = (
        "import sys, ion_cli.cli\n"
        "try:\n    ion_cli.cli.main()\nexcept SystemExit:\n    pass\n"
        f"print('LOADED=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    ).stdout
    loaded = out.strip().splitlines()[-1]
    assert loaded == "LOADED=", out
    assert "weETH" in out
