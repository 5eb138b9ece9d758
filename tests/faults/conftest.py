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
    # From the reports, not from RESULTS: under pytest-xdist the scenarios ran in the workers,
    # whose lines reach this (controller) process only as the reports' user_properties.
    lines = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "teardown"
        for name, value in getattr(report, "user_properties", ())
        if name == "fault_scenario"
    ]
    if not lines:
        return
    terminalreporter.section("fault scenarios: journal reconciled with the chain")
    for line in lines:
        terminalreporter.write_line(line)
    twice = sum(" twice=0 " not in line for line in lines)
    lost = sum(" lost=0 " not in line for line in lines)
    terminalreporter.write_line(
        f"{len(lines)} scenarios; with a transaction sent twice: {twice}; with one lost: {lost}"
    )


@pytest.fixture(autouse=True)
def _scenario_lines(request: pytest.FixtureRequest) -> Iterator[None]:
    """Hands each scenario's summary line (faultkit.RESULTS) to the test's report."""
    before = len(RESULTS)
    yield
    for line in RESULTS[before:]:
        request.node.user_properties.append(("fault_scenario", line))


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
