"""Durations in seconds shown to people: one place for the two forms the messages use."""

from __future__ import annotations


def compact(seconds: int) -> str:
    """3725 -> "1h2m5s", 86400 -> "1d" (the watch's messages)."""
    parts = []
    for size, unit in ((86_400, "d"), (3600, "h"), (60, "m"), (1, "s")):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


def spaced(seconds: int) -> str:
    """3725 -> "1 h 2 min", 65 -> "1 min 5 s" (a wait in a sentence; negative waits are 0 s)."""
    seconds = max(0, seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds} s"
