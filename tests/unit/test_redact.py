"""Provider URLs carry API keys: nothing ion prints may show a URL's path or query."""

from __future__ import annotations

import pytest

from ion_cli.output import error_line
from ion_cli.redact import display_url, scrub


def test_display_url_keeps_scheme_host_and_port_only() -> None:
    assert (
        display_url("https://mainnet.example.io/v3/SECRETKEY") == "https://mainnet.example.io/..."
    )
    assert display_url("http://127.0.0.1:8545") == "http://127.0.0.1:8545"
    assert display_url("https://user:pw@host/x?key=1") == "https://host/..."


@pytest.mark.parametrize(
    "text",
    [
        "HTTPSConnectionPool(host='h', port=443): Max retries exceeded with url: /v3/SECRETKEY",
        "401 Client Error: Unauthorized for url: https://h.example/v3/SECRETKEY",
        "failed at wss://h.example/ws/SECRETKEY?x=1 (closed)",
    ],
)
def test_scrub_hides_paths_and_queries(text: str) -> None:
    assert "SECRETKEY" not in scrub(text)


def test_every_error_line_is_scrubbed(capsys: pytest.CaptureFixture[str]) -> None:
    error_line("ValueError: bad answer from https://rpc.example/v2/SECRETKEY")
    err = capsys.readouterr().err
    assert err == "error: ValueError: bad answer from https://rpc.example/...\n"
