"""Regenerate ion_cli/devnet/artifacts/ from the Solidity sources: `python -m
ion_cli.devnet.build_artifacts` (add `--check` to only report drift, exit 1 when any).

Runs one `forge build` offline (foundry.toml points it at the solc-js wrapper) into a private
temporary output dir, so it never races with a developer's `forge build` / `forge test` on the
shared `.forge/` dir, then writes one stable, key-sorted JSON file per contract. `--shared`
builds in `.forge/` instead: after `forge test` (CI's forge step) only the sources no forge test
imports are compiled, so the drift check costs seconds instead of a full solc-js compile.

The core's contracts (ion_cli/devnet/contracts -> ion_cli/devnet/artifacts) and every plugin's
own (`<package>/contracts` -> `<package>/artifacts`, package data of the plugin: its stand-ins,
handler and reserve-oracle variants) are built in the same run, each into its own artifacts dir
with its own source index; `--check` covers them all. Plugins are found as
plugins/*/ion_adapter_*/ and, for the test fixtures, tests/fixtures/ion_adapter_*/. A plugin's
sources import the core's as `ion/...` (foundry.toml's remapping).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ion_cli.devnet import toolchain
from ion_cli.errors import IonError
from ion_cli.paths import project_root

CONTRACTS = Path("ion_cli/devnet/contracts")
ARTIFACTS = Path("ion_cli/devnet/artifacts")
SOURCES_INDEX = "_sources.json"
PLUGIN_PACKAGES = ("plugins/*/ion_adapter_*", "tests/fixtures/ion_adapter_*")


@dataclass(frozen=True)
class Unit:
    """One set of sources and the artifacts dir they compile into (the core's, or a plugin's)."""

    contracts: Path
    artifacts: Path


def units(root: Path) -> list[Unit]:
    found = [Unit(CONTRACTS, ARTIFACTS)]
    for pattern in PLUGIN_PACKAGES:
        for package in sorted(root.glob(pattern)):
            if (package / "contracts").is_dir():
                rel = package.relative_to(root)
                found.append(Unit(rel / "contracts", rel / "artifacts"))
    return found


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def source_hashes(root: Path, contracts: Path = CONTRACTS) -> dict[str, str]:
    """sha256 of every contract source, keyed by its path relative to the repo root."""
    return {
        path.relative_to(root).as_posix(): sha256_file(path)
        for path in sorted((root / contracts).rglob("*.sol"))
    }


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def run_forge(root: Path, out: Path | None, unit_list: list[Unit]) -> None:
    """One `forge build` of every unit's sources (a plugin's import the core's: compiled once).
    `out=None` builds in the project's own `.forge/` (foundry.toml's out and cache dirs), the
    ones `forge test` uses: after a `forge test` nothing is compiled again."""
    forge = toolchain.forge()
    dirs = ["--out", str(out / "out"), "--cache-path", str(out / "cache")] if out else []
    cmd = [
        str(forge),
        "build",
        "--offline",
        *dirs,
        # Only the units' own contracts (not tests/contracts helpers that import forge-std).
        # No `--skip test`: it would also skip the fixture plugin under tests/fixtures/.
        *[str(root / unit.contracts) for unit in unit_list],
    ]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise IonError("forge build failed: " + " | ".join(detail[-12:]))


def current_outputs(cache_file: Path) -> set[Path]:
    """The artifacts (relative to the out dir) that forge's cache lists for sources that still
    exist: a shared out dir may keep files of renamed or deleted contracts."""
    document = json.loads(cache_file.read_text())
    found: set[Path] = set()
    for entry in document.get("files", {}).values():
        for versions in entry.get("artifacts", {}).values():
            for profiles in versions.values():
                for artifact in profiles.values():
                    found.add(Path(artifact["path"]))
    return found


def collect(
    root: Path,
    out: Path,
    unit: Unit | None = None,
    owners: dict[str, str] | None = None,
    only: set[Path] | None = None,
) -> dict[str, str]:
    """{artifact path relative to the repo root: content} of every contract compiled from the
    unit's sources (default: the core's), and the unit's source index. `owners` (contract name
    -> source) is shared across units: a name is defined once in the core and the plugins.
    `only`: the artifact files to read (relative to out/out), when the out dir is shared."""
    unit = unit or Unit(CONTRACTS, ARTIFACTS)
    unit_list = [unit]
    hashes = {u.contracts: source_hashes(root, u.contracts) for u in unit_list}
    files: dict[str, str] = {}
    owners = owners if owners is not None else {}
    for path in sorted((out / "out").rglob("*.json")):
        if "build-info" in path.parts:
            continue
        if only is not None and path.relative_to(out / "out") not in only:
            continue
        data = json.loads(path.read_text())
        targets = data.get("metadata", {}).get("settings", {}).get("compilationTarget", {})
        if len(targets) != 1:
            continue
        ((source, name),) = targets.items()
        unit = next((u for u in unit_list if source.startswith(u.contracts.as_posix() + "/")), None)
        if unit is None:
            continue  # OpenZeppelin and other dependencies: not ours to ship
        abi = data.get("abi") or []
        bytecode = data.get("bytecode", {})
        if bytecode.get("linkReferences"):
            raise IonError(f"{name} needs library linking, which the devnet deployer lacks")
        code = bytecode.get("object") or "0x"
        if not abi:
            continue  # internal-only libraries (WadRayMath): nothing the CLI can call
        if name in owners and owners[name] != source:
            raise IonError(f"contract name {name} is defined twice: {owners[name]} and {source}")
        owners[name] = source
        files[(unit.artifacts / f"{name}.json").as_posix()] = _dump(
            {
                "contractName": name,
                "abi": abi,
                "bytecode": code if code.startswith("0x") else "0x" + code,
                "sourcePath": source,
                "sourceHash": hashes[unit.contracts][source],
            }
        )
    for unit in unit_list:
        files[(unit.artifacts / SOURCES_INDEX).as_posix()] = _dump(hashes[unit.contracts])
    return files


def build(root: Path, *, shared: bool = False) -> dict[str, str]:
    """Every unit's artifacts from one forge build: in a temporary dir (never racing with a
    developer's `forge build` on `.forge/`), or with `shared` in the project's `.forge/`,
    reusing what `forge test` compiled (CI's forge step runs before pytest)."""
    unit_list = units(root)
    files: dict[str, str] = {}
    owners: dict[str, str] = {}
    if shared:
        out = root / ".forge"
        run_forge(root, None, unit_list)
        only = current_outputs(out / "cache" / "solidity-files-cache.json")
        for unit in unit_list:
            files.update(collect(root, out, unit, owners, only))
        return files
    with tempfile.TemporaryDirectory(prefix="ion-forge-") as tmp:
        run_forge(root, Path(tmp), unit_list)
        for unit in unit_list:
            files.update(collect(root, Path(tmp), unit, owners))
    return files


def _present(root: Path, unit_list: list[Unit]) -> set[str]:
    present: set[str] = set()
    for unit in unit_list:
        target = root / unit.artifacts
        if target.exists():
            present |= {(unit.artifacts / p.name).as_posix() for p in target.glob("*.json")}
    return present


def drift(root: Path, files: dict[str, str]) -> list[str]:
    """What differs between freshly built `files` and the checked-in artifacts."""
    present = _present(root, units(root))
    problems = [f"missing {n}" for n in sorted(set(files) - present)]
    problems += [f"stale {n}" for n in sorted(present - set(files))]
    for name in sorted(set(files) & present):
        if (root / name).read_text() != files[name]:
            problems.append(f"changed {name}")
    return problems


def write(root: Path, files: dict[str, str]) -> None:
    unit_list = units(root)
    for unit in unit_list:
        (root / unit.artifacts).mkdir(parents=True, exist_ok=True)
    for stale in _present(root, unit_list) - set(files):
        (root / stale).unlink()
    for name, content in files.items():
        path = root / name
        if not path.exists() or path.read_text() != content:
            path.write_text(content)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ion_cli.devnet.build_artifacts")
    parser.add_argument("--check", action="store_true", help="report drift, write nothing")
    parser.add_argument(
        "--shared", action="store_true", help="build in .forge/ (reuses a `forge test` build)"
    )
    args = parser.parse_args(argv)
    root = project_root()
    if root is None:
        print("error: not running from a source checkout (no package.json)", file=sys.stderr)
        return 2
    try:
        files = build(root, shared=args.shared)
    except IonError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    if args.check:
        problems = drift(root, files)
        for problem in problems:
            print(f"drift: {problem}", file=sys.stderr)
        if problems:
            print("run `python -m ion_cli.devnet.build_artifacts` and commit", file=sys.stderr)
            return 1
        print(f"artifacts up to date ({_count(files)} contracts)")
        return 0
    write(root, files)
    print(f"wrote {_count(files)} artifacts ({len(units(root))} artifacts dirs)")
    return 0


def _count(files: dict[str, str]) -> int:
    return sum(1 for name in files if not name.endswith(SOURCES_INDEX))


if __name__ == "__main__":
    sys.exit(main())
