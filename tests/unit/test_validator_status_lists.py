"""The nine validator statuses are listed once (ion_cli.consensus_rules.STATUSES); the beacon
wire format's `Status` literal (msgspec validates node answers with it, so it must be spelt out
as a type) must name the same nine, in the same order."""

from __future__ import annotations

from typing import get_args

from ion_cli import consensus_rules as cr
from ion_cli.beacon import wire


def test_the_wire_literal_names_the_consensus_rules_statuses() -> None:
    assert get_args(wire.Status) == cr.STATUSES
