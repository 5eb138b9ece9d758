"""Checks of the `--json` output contract (ion_cli/schemas/README.md) for tests: a document
carries `schema`, validates against its documented JSON Schema, and holds no float and no
percent string. Tests of any command call `check_document(doc)` on what it printed.

jsonschema (a dev dependency) is imported inside the functions: this module loads with the
pytest plugin."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

__all__ = ["PERCENT", "check_document", "figures_are_exact", "schema_of", "schema_path"]

PERCENT = re.compile(r"^[-+]?[0-9][0-9,]*(\.[0-9]+)?\s?%$")
SCHEMA_ID = re.compile(r"^ion\.[a-z][a-z.-]*/[0-9]+$")


def schema_path(schema_id: str) -> str:
    """ "ion.tx.list/1" -> "tx.list" (the file ion_cli/schemas/tx.list.json)."""
    return schema_id.split("/")[0].removeprefix("ion.")


def schema_of(doc: dict[str, Any]) -> dict[str, Any]:
    """The documented JSON Schema the document names (its `$id` is the document's `schema`)."""
    name = schema_path(str(doc["schema"]))
    text = resources.files("ion_cli").joinpath("schemas", f"{name}.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    assert schema["$id"] == doc["schema"], (schema["$id"], doc["schema"])
    return schema


def figures_are_exact(value: Any, where: str = "doc") -> None:
    """No float and no percent string anywhere (prose may mention a percent: a message)."""
    if isinstance(value, dict):
        for key, item in value.items():
            figures_are_exact(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            figures_are_exact(item, f"{where}[{i}]")
    else:
        assert not isinstance(value, float), f"a float at {where}: {value!r}"
        assert not (isinstance(value, str) and PERCENT.match(value)), f"a percent at {where}"


def check_document(doc: Any, expect: str | None = None) -> dict[str, Any]:
    """Assert `doc` keeps the contract (and, given `expect` "tx.list", is that command's);
    returns it."""
    import jsonschema

    assert isinstance(doc, dict), f"a document is a JSON object, not {type(doc).__name__}"
    assert isinstance(doc.get("schema"), str) and SCHEMA_ID.match(doc["schema"]), doc.get("schema")
    if expect is not None:
        assert schema_path(doc["schema"]) == expect, (doc["schema"], expect)
    figures_are_exact(doc, schema_path(doc["schema"]))
    jsonschema.Draft202012Validator(schema_of(doc)).validate(doc)
    return doc
