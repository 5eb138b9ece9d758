"""The deadline reaches httpx's socket operations: netdeadline wraps the network backend of
httpx's transport (a private attribute of httpx/httpcore: this test fails loudly if an upgrade
moves it, instead of the deadline silently no longer covering headers and TLS handshakes)."""

from __future__ import annotations

import time

import pytest

from ion_cli import netdeadline


def test_httpx_transport_gets_the_bounded_backend() -> None:
    bounded = netdeadline.transport(None, seconds=5)
    by_scheme = type(bounded).inner  # type: ignore[attr-defined]
    for scheme in ("http", "https"):
        inner = by_scheme.for_scheme(scheme)
        backend = inner._pool._network_backend
        assert isinstance(backend, netdeadline._backend_class())
        netdeadline.transport(inner, seconds=5)  # wrapping twice keeps one wrapper
        assert inner._pool._network_backend is backend


def test_http_builds_no_verified_tls_context_and_https_verifies() -> None:
    import ssl

    by_scheme = type(netdeadline.transport(None, seconds=5)).inner  # type: ignore[attr-defined]
    assert by_scheme._made == {}  # nothing is built before a request
    plain = by_scheme.for_scheme("http")._pool._ssl_context
    assert plain.verify_mode == ssl.CERT_NONE  # no certificate store loaded
    assert by_scheme.for_scheme("https")._pool._ssl_context.verify_mode == ssl.CERT_REQUIRED


def test_no_socket_operation_starts_after_the_deadline() -> None:
    import httpcore

    netdeadline._local.until = time.monotonic() - 1
    try:
        with pytest.raises(httpcore.ReadTimeout):
            netdeadline._left(30.0, httpcore.ReadTimeout)
    finally:
        netdeadline._local.until = None


def test_an_operation_gets_at_most_the_time_left() -> None:
    import httpcore

    netdeadline._local.until = time.monotonic() + 2
    try:
        left = netdeadline._left(30.0, httpcore.ReadTimeout)
        assert left is not None and 0 < left <= 2
        assert netdeadline._left(0.5, httpcore.ReadTimeout) == 0.5
    finally:
        netdeadline._local.until = None
    assert netdeadline._left(30.0, httpcore.ReadTimeout) == 30.0
