"""The conformance kit, run for this adapter (offline checks and devnet integration tests)."""

from ion_cli.testing.conformance import AdapterConformance


class TestRsEthConformance(AdapterConformance):
    adapter_name = "rseth"
