"""Figures of the preview shown before signing (rendering is the caller's: the CLI's observer)."""

from __future__ import annotations

from ion_cli.chain.fees import FeeQuote
from ion_cli.chain.simulate import Simulation


def estimated_fee(sim: Simulation, fees: FeeQuote) -> tuple[int, int]:
    """(likely fee, most the fee can be) in wei, over the simulated steps."""
    likely = sum(s.gas_used for s in sim.steps) * fees.expected_price
    most = sum(s.limit() for s in sim.steps) * fees.max_fee
    return likely, most
