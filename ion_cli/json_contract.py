"""The one output contract of `--json` (see ion_cli/schemas/README.md): every document is made
here from a typed result, and every document names its schema.

- `schema`: "ion.<command path>/<version>" (`ion.tx.list/1`), the file
  ion_cli/schemas/<command path>.json (JSON Schema) documents it; a version rises when a field is
  renamed, removed or changes type (adding a field keeps it).
- token amounts: decimal strings in token units, the token named by the key or a sibling field;
  wei and Gwei: integers, the key ends in `_wei` / `_gwei`; ratios and rates: decimal strings
  (0.05, never 5% and never a float); times: integer Unix seconds; unknown figures:
  {"unknown": reason}.
- a list result is an object: {"schema": ..., "<what>": [...]}.

Standard library only: the CLI imports it on every --json run.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from decimal import Decimal
from enum import Enum
from pathlib import PurePath
from typing import Any

# A document's version per command path; 1 unless listed (raise it on an incompatible change).
VERSIONS: dict[str, int] = {}

# The key under which a command whose result is a list puts it.
LIST_KEYS: dict[str, str] = {
    "markets": "markets",
    "plugins.list": "plugins",
    "plugins.check": "plugins",
    "account.list": "accounts",
    "tx.list": "transactions",
    "positions": "positions",
}


def schema_id(path: str) -> str:
    """`tx.list` -> "ion.tx.list/1"."""
    return f"ion.{path}/{VERSIONS.get(path, 1)}"


def decimal_text(value: Decimal) -> str:
    """Plain notation, exact: 1E-6 -> "0.000001", 1.50 stays "1.50" (as computed)."""
    if not value.is_finite():
        raise ValueError(f"not a finite number: {value}")
    return format(value, "f")


def plain(value: Any) -> Any:
    """JSON types only: typed results through their to_json(), Decimals as decimal strings,
    floats (a ratio computed in float somewhere below) as the shortest decimal string that
    reads back the same, never as a JSON number."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value}")
        return decimal_text(Decimal(repr(value)))
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return plain(to_json())
    if isinstance(value, Mapping):
        return {str(k): _unit(str(k), plain(v)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return [plain(v) for v in items]
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, PurePath):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _unit(key: str, value: Any) -> Any:
    """Wei and Gwei are integers: a `*_wei` / `*_gwei` figure kept as a digit string below (an
    exact 256-bit value) is written as the JSON integer it is."""
    if isinstance(value, str) and key.endswith(("_wei", "_gwei")):
        digits = value[1:] if value.startswith("-") else value
        if digits.isdigit():
            return int(value)
    return value


def document(value: Any, path: str | None) -> Any:
    """The --json document of a command's result: `schema` first, then the result's fields."""
    body = plain(value)
    if path is None:
        return body
    schema = schema_id(path)
    if isinstance(body, list):
        return {"schema": schema, LIST_KEYS.get(path, "items"): body}
    if isinstance(body, dict):
        return {"schema": schema, **{k: v for k, v in body.items() if k != "schema"}}
    return {"schema": schema, "value": body}


def dumps(value: Any, path: str | None = None, *, indent: int | None = 2) -> str:
    return json.dumps(document(value, path), indent=indent)
