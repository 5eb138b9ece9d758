"""Thin typer commands: parse, call one flow, render. No web3 at import time."""
