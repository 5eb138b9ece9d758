"""CI's drift check: compile the contracts with forge (offline, solc-js) and compare with the
checked-in artifacts. In the project's `.forge/` (`--shared`): CI's forge step has compiled
nearly all of them already, so this costs seconds there; on its own, a full compile (~1 min)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ion_cli.paths import project_root

pytestmark = pytest.mark.integration


@pytest.mark.skipif(project_root() is None, reason="needs the source checkout")
def test_artifacts_match_a_fresh_forge_build() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ion_cli.devnet.build_artifacts", "--check", "--shared"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "up to date" in proc.stdout
