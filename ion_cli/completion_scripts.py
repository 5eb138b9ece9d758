"""Generates the shell completion scripts shipped in completions/ (bash, zsh, fish).

`python -m ion_cli.completion_scripts` rewrites them; `--check` exits 1 when they drift (the
test suite runs the check). The scripts call back into `ion` with `_ION_COMPLETE` set, so market
and account names complete from local metadata, without network I/O.
"""

from __future__ import annotations

import sys
from pathlib import Path

SHELLS = {"bash": "ion.bash", "zsh": "_ion", "fish": "ion.fish"}


def script(shell: str) -> str:
    from typer._completion_shared import get_completion_script

    text = get_completion_script(prog_name="ion", complete_var="_ION_COMPLETE", shell=shell)
    return text.rstrip("\n") + "\n"


def completions_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "completions"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    target = completions_dir()
    drifted = []
    for shell, name in SHELLS.items():
        path = target / name
        wanted = script(shell)
        if check:
            if not path.exists() or path.read_text() != wanted:
                drifted.append(str(path))
        else:
            target.mkdir(exist_ok=True)
            path.write_text(wanted)
    if drifted:
        print("completion scripts drifted (run `make completions`): " + ", ".join(drifted))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
