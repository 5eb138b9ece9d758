"""Example strategies built on the Python API (`ion_cli.api.Ion`)."""
