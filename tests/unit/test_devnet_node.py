"""Which process `ion devnet down` may signal: only an anvil, never a reused pid."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ion_cli.devnet import node


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_process_merely_mentioning_anvil_is_not_the_node() -> None:
    other = subprocess.Popen(["sleep", "30", "/tmp/devnet/anvil.log"])  # like `tail -f anvil.log`
    try:
        assert not node.pid_alive(other.pid)
    finally:
        other.kill()
        other.wait()
