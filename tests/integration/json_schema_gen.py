"""Draft the JSON Schemas of ion_cli/schemas/ from documents a devnet run printed
(`ION_SCHEMA_WRITE=1 pytest tests/integration/test_json_contract.py`): the shapes seen, with the
contract's kinds (decimal strings, integers, addresses, hashes, unknown figures). The drafts are
then read and committed like code; the test validates every later run against them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).resolve().parents[2] / "ion_cli" / "schemas"
DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
DEFS: dict[str, Any] = {
    "decimal": {
        "description": "An exact decimal string (token units, a ratio or a rate; never a float "
        "and never a percent), or an unknown figure.",
        "anyOf": [
            {"type": "string", "pattern": DECIMAL},
            {"$ref": "#/$defs/unknown"},
            {"type": "null"},
        ],
    },
    "unknown": {
        "description": "A figure that needs a fact nobody knows: why.",
        "type": "object",
        "required": ["unknown"],
        "properties": {"unknown": {"type": "string"}},
    },
    "address": {"type": ["string", "null"], "pattern": "^0x[0-9a-fA-F]{40}$"},
    "hash": {"type": ["string", "null"], "pattern": "^0x[0-9a-fA-F]{64}$"},
}
# Fields are required in the document and in its records one level down (a list's items count
# as the list's level); deeper, a record's fields depend on the chain's state (a feed with or
# without an accepted score): present when they apply.
REQUIRED_DEPTH = 1
# Objects keyed by data (statuses, names, market symbols): a map, not a record.
MAPS = {
    "by_status",
    "credential_types",
    "markets",
    "tokens",
    "sums",
    "shared",
    "feed_rates",
    "zk",
    "deployment",
    "adapters",
    "plugins",
    "restaking",
    "eigenlayer",
}


def _kind(value: Any) -> dict[str, Any]:
    if value is None:
        return {"type": "null"}
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, str):
        if re.match(r"^0x[0-9a-fA-F]{40}$", value):
            return {"$ref": "#/$defs/address"}
        if re.match(r"^0x[0-9a-fA-F]{64}$", value):
            return {"$ref": "#/$defs/hash"}
        if re.match(DECIMAL, value):
            return {"$ref": "#/$defs/decimal"}
        return {"type": "string"}
    if isinstance(value, dict) and set(value) == {"unknown"}:
        return {"$ref": "#/$defs/decimal"}
    raise TypeError(type(value).__name__)


def infer(samples: list[Any], key: str = "", depth: int = 0) -> dict[str, Any]:
    """One schema for every sample (any mix of types becomes anyOf)."""
    objects = [s for s in samples if isinstance(s, dict) and set(s) != {"unknown"}]
    lists = [s for s in samples if isinstance(s, list)]
    options: list[dict[str, Any]] = []
    if objects:
        if key in MAPS and depth > 0:
            values = [v for o in objects for v in o.values()]
            options.append(
                {"type": "object", "additionalProperties": infer(values, "", depth + 1)}
                if values
                else {"type": "object"}
            )
        else:
            names: list[str] = []
            for o in objects:
                names += [k for k in o if k not in names]
            props = {n: infer([o[n] for o in objects if n in o], n, depth + 1) for n in names}
            record: dict[str, Any] = {"type": "object", "properties": props}
            required = [n for n in names if all(n in o for o in objects)]
            if required and depth <= REQUIRED_DEPTH:
                record["required"] = required
            options.append(record)
    if lists:
        items = [x for item in lists for x in item]
        options.append(
            {"type": "array", "items": infer(items, "", depth)} if items else {"type": "array"}
        )
    for s in samples:
        if isinstance(s, dict | list) and not (isinstance(s, dict) and set(s) == {"unknown"}):
            continue
        kind = _kind(s)
        if kind not in options:
            options.append(kind)
    # a decimal seen as a plain string too: keep the string
    if {"$ref": "#/$defs/decimal"} in options and {"type": "string"} in options:
        options.remove({"$ref": "#/$defs/decimal"})
    scalars = [o for o in options if o.get("type") not in ("object", "array")]
    if scalars and len(scalars) == len(options):  # a leaf: None means "not applicable"
        if options == [{"type": "null"}]:
            return {}  # only ever seen empty: no shape to promise
        types = [o["type"] for o in options if "type" in o]
        refs = [o for o in options if "$ref" in o]  # nullable by their definition
        if not refs:
            return {"type": sorted(set(types) | {"null"})}
        if types == ["null"]:
            options.remove({"type": "null"})
    if len(options) == 1:
        return options[0]
    return {"anyOf": options} if options else {}


def is_dry_run(doc: Any) -> bool:
    """A --dry-run document of a command whose result is another shape (`ion devnet ...`):
    what it would do (`would`), nothing done."""
    return isinstance(doc, dict) and doc.get("dry_run") is True and "would" in doc


def body_of(docs: list[Any], schema: str) -> dict[str, Any]:
    """The schema's body: the shape of the documents, or, when a command's dry run prints a
    shape of its own, either one (anyOf)."""
    bodies = []
    for group in ([d for d in docs if not is_dry_run(d)], [d for d in docs if is_dry_run(d)]):
        if group:
            body = infer(group)
            body["properties"]["schema"] = {"const": schema}
            bodies.append(body)
    return bodies[0] if len(bodies) == 1 else {"anyOf": bodies}


def write(documents: dict[str, list[Any]], titles: dict[str, str]) -> None:
    by_schema: dict[str, list[Any]] = {}
    for docs in documents.values():
        for doc in docs:
            by_schema.setdefault(doc["schema"], []).append(doc)
    SCHEMAS.mkdir(exist_ok=True)
    for schema, docs in sorted(by_schema.items()):
        path = schema.split("/")[0].removeprefix("ion.")
        body = body_of(docs, schema)
        document = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": schema,
            "title": f"ion {path.replace('.', ' ')} --json",
            "description": titles.get(path, ""),
            **body,
            "$defs": DEFS,
        }
        (SCHEMAS / f"{path}.json").write_text(json.dumps(document, indent=2) + "\n")
