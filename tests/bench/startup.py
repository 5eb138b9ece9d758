"""Start-up benchmark: `ion --help` and one completion request (`ion borrow <TAB>`), each in
interleaved pairs with `python -c "import typer"` (the floor any typer CLI pays).

Prints medians and ratios; asserts nothing (timings belong in notes, not in the test suite).
Run: `make bench` (or `.venv/bin/python tests/bench/startup.py [runs]`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pairs import header, pair

BIN = Path(sys.executable).parent


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    ion = str(BIN / "ion")
    typer = [sys.executable, "-c", "import typer"]
    completion = dict(
        os.environ, _ION_COMPLETE="complete_bash", COMP_WORDS="ion borrow ", COMP_CWORD="2"
    )
    print(f"start-up against `python -c 'import typer'` ({header(runs)})")
    print(pair("ion --help", [ion, "--help"], typer, runs).line(1.3))
    print(pair("completion (ion borrow <TAB>)", [ion], typer, runs, completion).line(1.5))
    web3 = pair(
        "python -c 'import web3' (for scale)", [sys.executable, "-c", "import web3"], typer, 3
    )
    print(web3.line())


if __name__ == "__main__":
    main()
