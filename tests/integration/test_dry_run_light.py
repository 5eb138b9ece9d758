"""A dry run loads only what it uses (issue 20: a dry run within 1.6x of a bare
`import httpx, eth_abi, rich, typer`): the sending half of the pipeline (broadcast, receipt
polling) and rich's emoji table stay unloaded. Checks what is imported, never how long it takes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ion_cli.testing.devnet import DevnetHandle

NOT_ON_A_DRY_RUN = ("ion_cli.chain.sending", "rich._emoji_codes")

PROBE = """
import json, sys
import ion_cli.cli
try:
    ion_cli.cli.main()
except SystemExit as exc:
    if exc.code not in (0, None):
        raise
print("LOADED=" + json.dumps(sorted(m for m in {modules!r} if m in sys.modules)), file=sys.stderr)
"""


def _loaded(*args: str) -> tuple[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(modules=NOT_ON_A_DRY_RUN), *args],
        capture_output=True,
        text=True,
        env=os.environ,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    line = [x for x in done.stderr.splitlines() if x.startswith("LOADED=")][-1]
    return done.stdout, list(json.loads(line.removeprefix("LOADED=")))


def test_a_leverage_dry_run_loads_neither_sending_nor_the_emoji_table(
    devnet: DevnetHandle,
) -> None:
    dry = ("leverage", "weETH", "--deposit", "2", "--to", "2x", "--dry-run")
    out, loaded = _loaded(*dry)  # the human rendering: rich tables on stdout
    assert loaded == [], loaded
    assert "vault of" in out  # the position table was printed
    out, loaded = _loaded(*dry, "--json")
    assert loaded == [], loaded
    assert json.loads(out)["dry_run"] is True


def test_sending_still_loads_the_sending_half(devnet: DevnetHandle) -> None:
    """The probe can fail: a real write does load ion_cli.chain.sending."""
    _, loaded = _loaded("deposit", "weETH", "1", "--yes", "--json")
    assert "ion_cli.chain.sending" in loaded
