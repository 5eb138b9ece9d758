"""The strategy example (the documented API only) passes `mypy --strict` and runs on the
devnet, comparing figures as numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ion_cli.paths import project_root
from ion_cli.testing.devnet import DevnetHandle

SCRIPT = Path(__file__).with_name("strategy_example.py")


def test_the_example_passes_mypy_strict() -> None:
    # Incremental, from the project root: the package's modules come from the cache that
    # `make typecheck` (`mypy ion_cli`, the same strict config) wrote just before, so only the
    # example itself is checked (about 1 s instead of 11). Without that cache mypy builds it.
    root = project_root() or Path.cwd()
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=root,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.integration
def test_the_example_runs_on_the_devnet(
    devnet: DevnetHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import strategy_example
    finally:
        sys.path.remove(str(SCRIPT.parent))
    assert strategy_example.main()[:3] == ["markets", "supply", "deposit"]
    assert capsys.readouterr().out == ""  # the API prints nothing
