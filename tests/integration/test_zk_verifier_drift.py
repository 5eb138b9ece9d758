"""CI's drift check of the generated Halo2 verifier: ezkl writes it again from the shipped
verifying key, settings and SRS, and it must equal the checked-in source (the compiled artifact
is checked with the other contracts' in test_devnet_artifacts.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ion_cli.paths import project_root

pytestmark = pytest.mark.integration


@pytest.mark.skipif(project_root() is None, reason="needs the source checkout")
def test_verifier_matches_a_fresh_generation() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ion_cli.zk.build_verifier", "--check", "--no-compile"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "up to date" in proc.stdout
