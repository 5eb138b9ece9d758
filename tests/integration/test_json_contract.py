"""Every command's --json on one devnet run (the `make demo` sequence): each document carries
`schema`, validates against its documented JSON Schema (ion_cli/schemas/), and holds no float
and no percent string (ratios are decimal strings, amounts decimal strings in token units)."""

from __future__ import annotations

import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from demo_sequence import STEPS, resolve  # beside this file
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.testing.devnet import DevnetHandle

pytestmark = pytest.mark.integration


def run(*args: str, codes: tuple[int, ...] = (0,)) -> list[Any]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.exit_code in codes, (args, result.exit_code, result.stdout, result.stderr)
    text = result.stdout.strip()
    if result.exit_code != 0 and not text:  # a refusal: one line on stderr, no document
        return []
    if args[0] == "watch":  # one JSON line per event
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    assert text.startswith("{"), (args, result.stdout, result.stderr)
    return [json.loads(text)]


def demo_documents(tmp: Path) -> dict[str, list[Any]]:
    """Every step of the demo sequence with --json: the documents by step name."""
    out: dict[str, list[Any]] = {}
    for step in STEPS:
        printed = run(*resolve(step.args, str(tmp)), codes=step.codes)
        out.setdefault(step.name, []).extend(printed)
    return out


PERCENT = re.compile(r"^[-+]?[0-9][0-9,]*(\.[0-9]+)?\s?%$")


def figures_are_exact(value: Any, where: str) -> None:
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


def schema_of(doc: dict[str, Any]) -> dict[str, Any]:
    name = str(doc["schema"]).split("/")[0].removeprefix("ion.")
    text = resources.files("ion_cli").joinpath("schemas", f"{name}.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    assert schema["$id"] == doc["schema"]
    return schema


def test_every_json_document_has_a_schema_and_exact_figures(
    devnet: DevnetHandle, tmp_path: Path
) -> None:
    docs = demo_documents(tmp_path)
    if os.environ.get("ION_SCHEMA_WRITE"):  # draft the schemas from this run (then review)
        from json_schema_gen import write  # beside this file

        from ion_cli.command_table import COMMANDS

        write(docs, {name: entry.help for name, entry in COMMANDS.items()})
    for command, printed in docs.items():
        for doc in printed:
            assert isinstance(doc, dict) and re.match(r"^ion\.[a-z.-]+/[0-9]+$", doc["schema"])
            figures_are_exact(doc, command)
            jsonschema.Draft202012Validator(schema_of(doc)).validate(doc)


def test_the_checks_can_fail() -> None:
    """A float, a percent string or a missing field fails the checks above."""
    with pytest.raises(AssertionError, match="float"):
        figures_are_exact({"a": [{"b": 0.5}]}, "doc")
    with pytest.raises(AssertionError, match="percent"):
        figures_are_exact({"haircut": "5.0781%"}, "doc")
    figures_are_exact({"message": "lost 0.02% of the set"}, "doc")
    schema = schema_of({"schema": "ion.markets/1"})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate({"schema": "ion.markets/1"})
