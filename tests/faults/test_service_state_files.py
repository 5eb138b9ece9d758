"""The devnet's service state files (node.json, beacon.json and their pid files) are written
atomically, and one that is corrupt is a one-line error naming it (never a guess that nothing
runs, which could start a second node next to a live one)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ion_cli.atomic import CorruptFileError
from ion_cli.cli import app
from ion_cli.devnet import node, processes


@pytest.mark.parametrize(
    "content",
    ['{"pid": 12', "[1, 2]", '{"pid": "x", "port": 1, "url": "u"}', '{"port": 8545}', "\x00\x01"],
)
def test_a_corrupt_node_state_file_is_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    (tmp_path / node.INFO_FILE).write_text(content)
    (tmp_path / node.PID_FILE).write_text("123\n")
    with pytest.raises(CorruptFileError) as caught:
        node.recorded(tmp_path)
    assert str(tmp_path / node.INFO_FILE) in str(caught.value)
    monkeypatch.setenv("ION_DEVNET_DIR", str(tmp_path))
    for args in (["devnet", "status"], ["devnet", "down"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.stdout + result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(tmp_path / node.INFO_FILE) in lines[0]
        assert "Traceback" not in result.stderr
    assert (tmp_path / node.INFO_FILE).read_text() == content  # left as it was


def test_state_files_are_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / node.INFO_FILE
    processes.write_json(path, {"pid": 1, "port": 2, "url": "http://127.0.0.1:2"})
    first = path.stat().st_ino
    processes.write_json(path, {"pid": 3, "port": 4, "url": "http://127.0.0.1:4"})
    assert json.loads(path.read_text())["pid"] == 3
    assert path.stat().st_ino != first  # a new file renamed over the old, not rewritten in place
    processes.write_pid(tmp_path / node.PID_FILE, 42)
    assert (tmp_path / node.PID_FILE).read_text() == "42\n"
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]  # no temporary left
    info = node.recorded(tmp_path)
    assert info is not None and info.pid == 3 and info.port == 4


def test_a_missing_state_file_is_nothing_recorded(tmp_path: Path) -> None:
    assert node.recorded(tmp_path) is None
