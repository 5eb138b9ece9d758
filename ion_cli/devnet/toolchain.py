"""Find the Foundry binaries (anvil, forge) of the project's own npm packages.

The project pins Foundry in package.json instead of asking users for a global install, so the
binaries live under `node_modules/`. We prefer the native platform binary over the
`node_modules/.bin/<tool>` Node wrapper: the wrapper costs a Node start-up on every launch and
puts an extra process between us and anvil when we send it signals.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

from ion_cli.errors import UsageError
from ion_cli.paths import project_root

# npm's names for the platform packages (`@foundry-rs/<tool>-<os>-<arch>`).
_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
_OS = {"linux": "linux", "darwin": "darwin", "win32": "win32"}


def node_modules_dirs() -> list[Path]:
    """Where to look, in order: $ION_NODE_MODULES, then <project root>/node_modules."""
    dirs: list[Path] = []
    env = os.environ.get("ION_NODE_MODULES")
    if env:
        dirs.append(Path(env))
        # An explicit setting is the whole answer: tests point it at an empty dir to simulate
        # a machine without the toolchain, and users set it to pick one install over another.
        return dirs
    root = project_root()
    if root is not None:
        dirs.append(root / "node_modules")
    return dirs


def _platform_suffixes() -> list[str]:
    system = _OS.get(sys.platform, sys.platform)
    arch = _ARCH.get(platform.machine().lower(), platform.machine().lower())
    suffixes = [f"{system}-{arch}"]
    # Other arch variants last: an emulated install (e.g. amd64 on arm64 macOS) still runs.
    suffixes += [f"{system}-{a}" for a in ("amd64", "arm64") if a != arch]
    return suffixes


def candidates(tool: str, modules: Path) -> list[Path]:
    exe = f"{tool}.exe" if sys.platform == "win32" else tool
    found = [modules / "@foundry-rs" / f"{tool}-{s}" / "bin" / exe for s in _platform_suffixes()]
    found.append(modules / ".bin" / tool)
    return found


def find_tool(tool: str) -> Path:
    """The path of `tool` (anvil, forge, cast), or a UsageError that says how to install it."""
    dirs = node_modules_dirs()
    for modules in dirs:
        for path in candidates(tool, modules):
            if path.is_file() and os.access(path, os.X_OK):
                return path
    if os.environ.get("ION_NODE_MODULES"):
        hint = (
            f"ION_NODE_MODULES={dirs[0]} holds no @foundry-rs/{tool}: "
            "point it at the project's node_modules or unset it"
        )
    elif dirs:
        hint = f"run `npm ci` in {dirs[0].parent}"
    else:
        hint = f"set ION_NODE_MODULES to a node_modules dir holding @foundry-rs/{tool}"
    raise UsageError(f"{tool} not found: {hint}")


def anvil() -> Path:
    return find_tool("anvil")


def forge() -> Path:
    return find_tool("forge")
