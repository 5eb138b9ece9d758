"""The strategy example (the documented API only) passes `mypy --strict` and runs on the
devnet, comparing figures as numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ion_cli.testing.devnet import DevnetHandle

SCRIPT = Path(__file__).with_name("strategy_example.py")


def test_the_example_passes_mypy_strict() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
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
