"""pytest plugin entry point: the fixtures of the devnet and the conformance kit.

Imported explicitly and without guards: a broken import must fail the test run loudly, not make
the fixtures vanish (a missing fixture reads as an unrelated error far from its cause)."""

from __future__ import annotations

from ion_cli.testing.conformance import fake_adapters
from ion_cli.testing.devnet import devnet, devnet_session

__all__ = ["devnet", "devnet_session", "fake_adapters"]
