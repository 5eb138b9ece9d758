"""The `protocol` fixture: call/send/expect-revert helpers on the per-test devnet snapshot."""

from __future__ import annotations

import pytest

from ion_cli.testing.devnet import DevnetHandle, Protocol


@pytest.fixture
def protocol(devnet: DevnetHandle) -> Protocol:
    return Protocol(devnet)
