"""Test support shipped with ion: the devnet fixtures and the adapter conformance kit.

Registered as the pytest plugin `ion` (entry point `pytest11`), so an adapter's own test suite
gets the fixtures without copying them.
"""
