"""Fault scenarios: each test records what it sent and what the chain and the journal show;
the summary at the end prints one line per scenario (no transaction sent twice, none lost)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from faultkit import RESULTS, Chain

from ion_cli.testing.devnet import DevnetHandle
from ion_cli.testing.faultproxy import FaultProxy


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RESULTS:
        return
    terminalreporter.section("fault scenarios: journal reconciled with the chain")
    for line in RESULTS:
        terminalreporter.write_line(line)
    twice = sum(" twice=0 " not in line for line in RESULTS)
    lost = sum(" lost=0 " not in line for line in RESULTS)
    terminalreporter.write_line(
        f"{len(RESULTS)} scenarios; with a transaction sent twice: {twice}; with one lost: {lost}"
    )


@pytest.fixture(autouse=True)
def _faults_marker(request: pytest.FixtureRequest) -> None:
    request.node.add_marker(pytest.mark.integration)


# Shared by the scenario files: the chain seen through faultkit, left mining and with an empty
# pool whatever the test did to it; and a fault proxy in front of the session's anvil.
@pytest.fixture
def chain(devnet: DevnetHandle) -> Iterator[Chain]:
    c = Chain(devnet)
    try:
        yield c
    finally:
        c.rpc("anvil_dropAllTransactions")
        c.automine(True)


@pytest.fixture
def proxy(devnet: DevnetHandle) -> Iterator[FaultProxy]:
    with FaultProxy(devnet.rpc_url) as p:
        yield p
