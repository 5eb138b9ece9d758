"""Every command's --json on one devnet run (the `make demo` sequence): each document carries
`schema`, validates against its documented JSON Schema (ion_cli/schemas/), and holds no float
and no percent string (ratios are decimal strings, amounts decimal strings in token units)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from demo_sequence import STEPS, resolve  # beside this file
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.testing.devnet import DevnetHandle
from ion_cli.testing.json_documents import check_document, figures_are_exact, schema_of

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


def test_every_json_document_has_a_schema_and_exact_figures(
    devnet: DevnetHandle, tmp_path: Path
) -> None:
    docs = demo_documents(tmp_path)
    if os.environ.get("ION_SCHEMA_WRITE"):  # draft the schemas from this run (then review)
        from json_schema_gen import write  # beside this file

        from ion_cli.command_table import COMMANDS

        write(docs, {name: entry.help for name, entry in COMMANDS.items()})
    for printed in docs.values():
        for doc in printed:
            check_document(doc)


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
