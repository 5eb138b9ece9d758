"""`build_artifacts --shared` reads forge's own `.forge/out`, which keeps the artifacts of
renamed or deleted contracts: only what forge's cache lists for existing sources is collected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ion_cli.devnet import build_artifacts as ba


def _artifact(out: Path, source: str, name: str) -> Path:
    path = out / "out" / Path(source).name / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "abi": [{"type": "function", "name": "f", "inputs": [], "outputs": []}],
        "bytecode": {"object": "0x00", "linkReferences": {}},
        "metadata": {"settings": {"compilationTarget": {source: name}}},
    }
    path.write_text(json.dumps(document))
    return path


def _cache(path: Path, entries: dict[str, dict[str, str]]) -> Path:
    files = {
        source: {
            "artifacts": {
                name: {"0.8.37": {"default": {"path": artifact}}} for name, artifact in arts.items()
            }
        }
        for source, arts in entries.items()
    }
    path.write_text(json.dumps({"files": files}))
    return path


def test_only_the_artifacts_forges_cache_lists_are_collected(tmp_path: Path) -> None:
    root, out = tmp_path / "repo", tmp_path / "forge"
    contracts = root / ba.CONTRACTS
    contracts.mkdir(parents=True)
    (contracts / "A.sol").write_text("contract A {}\n")
    source = (ba.CONTRACTS / "A.sol").as_posix()
    _artifact(out, source, "A")
    _artifact(out, (ba.CONTRACTS / "Gone.sol").as_posix(), "Gone")  # left by an older build
    cache = _cache(tmp_path / "cache.json", {source: {"A": "A.sol/A.json"}})

    only = ba.current_outputs(cache)
    assert only == {Path("A.sol/A.json")}
    files = ba.collect(root, out, only=only)
    assert set(files) == {
        f"{ba.ARTIFACTS.as_posix()}/A.json",
        f"{ba.ARTIFACTS.as_posix()}/_sources.json",
    }
    # Without the cache's list the stale artifact is read, and its source is not there.
    with pytest.raises(KeyError):
        ba.collect(root, out)
