"""Which process `ion devnet down` may signal: only an anvil, never a reused pid."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ion_cli.devnet import node


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_process_merely_mentioning_anvil_is_not_the_node() -> None:
    # like a `tail -f .../anvil.log` that got the dead node's pid
    other = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(30)", "/tmp/devnet/anvil.log"]
    )
    try:
        assert other.poll() is None  # it is alive...
        assert not node.pid_alive(other.pid)  # ...but it is not the node
    finally:
        other.kill()
        other.wait()
