"""Keep secrets out of what ion prints: provider URLs carry API keys in their path or query
(`https://host/v3/KEY`), and library errors quote them ("... for url: /v3/KEY")."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_URL = re.compile(r"\b(?:https?|wss?)://[^\s'\"<>()\[\]]+")
_URL_FIELD = re.compile(r"(\burl:\s*)(?!<hidden>)\S+", re.IGNORECASE)


def display_url(url: str) -> str:
    """The URL without credentials, path or query (where API keys live): scheme://host:port."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid url>"
    if not parts.scheme or not parts.hostname:
        return url if "/" not in url and "@" not in url else "<invalid url>"
    host = parts.hostname
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    hidden = "/..." if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{host}{port}{hidden}"


def scrub(text: str) -> str:
    """`text` with every URL cut to scheme://host:port and every quoted `url: ...` hidden."""
    text = _URL.sub(lambda m: display_url(m.group(0)), text)
    return _URL_FIELD.sub(r"\1<hidden>", text)
