"""Regenerate ion_cli/devnet/artifacts/ from the Solidity sources: `python -m
ion_cli.devnet.build_artifacts` (add `--check` to only report drift, exit 1 when any).

Runs `forge build` offline (foundry.toml points it at the solc-js wrapper) into a private
temporary output dir, so it never races with a developer's `forge build` / `forge test` on the
shared `.forge/` dir, then writes one stable, key-sorted JSON file per contract.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ion_cli.devnet import toolchain
from ion_cli.errors import IonError
from ion_cli.paths import project_root

CONTRACTS = Path("ion_cli/devnet/contracts")
ARTIFACTS = Path("ion_cli/devnet/artifacts")
SOURCES_INDEX = "_sources.json"


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def source_hashes(root: Path) -> dict[str, str]:
    """sha256 of every contract source, keyed by its path relative to the repo root."""
    return {
        path.relative_to(root).as_posix(): sha256_file(path)
        for path in sorted((root / CONTRACTS).rglob("*.sol"))
    }


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def run_forge(root: Path, out: Path) -> None:
    forge = toolchain.forge()
    cmd = [
        str(forge),
        "build",
        "--offline",
        "--out",
        str(out / "out"),
        "--cache-path",
        str(out / "cache"),
        "--skip",
        "test",
        "--skip",
        "script",
        # Only the package's own contracts (not tests/contracts helpers that import forge-std).
        str(root / CONTRACTS),
    ]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise IonError("forge build failed: " + " | ".join(detail[-12:]))


def collect(root: Path, out: Path) -> dict[str, str]:
    """{file name: content} of the artifacts for every contract compiled from CONTRACTS."""
    hashes = source_hashes(root)
    files: dict[str, str] = {}
    owners: dict[str, str] = {}
    for path in sorted((out / "out").rglob("*.json")):
        if "build-info" in path.parts:
            continue
        data = json.loads(path.read_text())
        targets = data.get("metadata", {}).get("settings", {}).get("compilationTarget", {})
        if len(targets) != 1:
            continue
        ((source, name),) = targets.items()
        if not source.startswith(CONTRACTS.as_posix() + "/"):
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
        files[f"{name}.json"] = _dump(
            {
                "contractName": name,
                "abi": abi,
                "bytecode": code if code.startswith("0x") else "0x" + code,
                "sourcePath": source,
                "sourceHash": hashes[source],
            }
        )
    files[SOURCES_INDEX] = _dump(hashes)
    return files


def build(root: Path) -> dict[str, str]:
    with tempfile.TemporaryDirectory(prefix="ion-forge-") as tmp:
        run_forge(root, Path(tmp))
        return collect(root, Path(tmp))


def drift(root: Path, files: dict[str, str]) -> list[str]:
    """What differs between freshly built `files` and the checked-in artifacts."""
    target = root / ARTIFACTS
    present = {p.name for p in target.glob("*.json")} if target.exists() else set()
    problems = [f"missing {n}" for n in sorted(set(files) - present)]
    problems += [f"stale {n}" for n in sorted(present - set(files))]
    for name in sorted(set(files) & present):
        if (target / name).read_text() != files[name]:
            problems.append(f"changed {name}")
    return problems


def write(root: Path, files: dict[str, str]) -> None:
    target = root / ARTIFACTS
    target.mkdir(parents=True, exist_ok=True)
    for stale in set(p.name for p in target.glob("*.json")) - set(files):
        (target / stale).unlink()
    for name, content in files.items():
        path = target / name
        if not path.exists() or path.read_text() != content:
            path.write_text(content)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ion_cli.devnet.build_artifacts")
    parser.add_argument("--check", action="store_true", help="report drift, write nothing")
    args = parser.parse_args(argv)
    root = project_root()
    if root is None:
        print("error: not running from a source checkout (no package.json)", file=sys.stderr)
        return 2
    try:
        files = build(root)
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
        print(f"artifacts up to date ({len(files) - 1} contracts)")
        return 0
    write(root, files)
    print(f"wrote {len(files) - 1} artifacts to {root / ARTIFACTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
