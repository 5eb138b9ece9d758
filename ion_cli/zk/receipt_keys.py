"""Reading a receipt's nested fields: a receipt is a user's file, so any level may be missing or
of another type; such a path reads as None and the check that wanted it says what is wrong."""

from __future__ import annotations

from typing import Any


def nested(data: Any, *keys: str) -> Any:
    """data[k1][k2]..., or None where a level is missing or not an object."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
