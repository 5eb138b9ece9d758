"""The shipped completion scripts match what typer generates, and completion needs no network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ion_cli.completion_scripts import main as completion_scripts


def test_completion_scripts_do_not_drift() -> None:
    assert completion_scripts(["--check"]) == 0, "run `make completions`"


def _complete(words: str, cword: int) -> list[str]:
    env = dict(
        os.environ,
        _ION_COMPLETE="complete_bash",
        COMP_WORDS=words,
        COMP_CWORD=str(cword),
        ETH_RPC_URL="http://127.0.0.1:9",  # nothing listens: completion must not try
    )
    out = subprocess.run(
        [sys.executable, "-m", "ion_cli"], capture_output=True, text=True, env=env, timeout=30
    )
    return out.stdout.split()


def test_markets_complete_from_installed_adapters() -> None:
    assert {"weETH", "ezETH", "rsETH", "rswETH"} <= set(_complete("ion borrow ", 2))


def test_subcommands_complete() -> None:
    assert {"markets", "position", "supply", "borrow", "devnet"} <= set(_complete("ion ", 1))


def test_install_completion_writes_the_bash_script(tmp_path: Path) -> None:
    home = str(tmp_path)
    env = dict(os.environ, HOME=home, SHELL="/bin/bash")
    done = subprocess.run(
        [sys.executable, "-m", "ion_cli", "--install-completion"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    script = tmp_path / ".bash_completions" / "ion.sh"
    assert "_ION_COMPLETE" in script.read_text()
    assert str(script) in (tmp_path / ".bashrc").read_text()


def test_markets_complete_from_the_names_the_last_read_saw(tmp_path: Path) -> None:
    from ion_cli.completion_data import MARKETS_CACHE, market_names, remember_markets
    from ion_cli.paths import cache_dir

    path = cache_dir() / MARKETS_CACHE
    path.unlink(missing_ok=True)
    remember_markets(["weETH", "ezETH"])
    assert path.exists()
    assert market_names() == ["ezETH", "weETH"]
    assert set(_complete("ion borrow ", 2)) == {"ezETH", "weETH"}
    path.write_text("not json")  # a damaged cache: the adapters' names, never an error
    assert {"weETH", "ezETH", "rsETH", "rswETH"} <= set(market_names())
    path.unlink()


def test_a_read_of_the_markets_refreshes_the_cache() -> None:
    import json

    import pytest

    from ion_cli.chain.market_state import read_markets
    from ion_cli.chain.rpc import Reader
    from ion_cli.completion_data import MARKETS_CACHE
    from ion_cli.config import Config
    from ion_cli.networks import resolve_network
    from ion_cli.paths import cache_dir

    class Offline(Reader):  # the read fails at once: the names are recorded before a request
        def __init__(self) -> None:
            pass

        def block(self, block: object = "latest") -> dict[str, int]:
            raise RuntimeError("offline")

    path = cache_dir() / MARKETS_CACHE
    path.unlink(missing_ok=True)
    profile = resolve_network("mainnet", Config())
    with pytest.raises(Exception, match="market state"):
        read_markets(Offline(), profile, list(profile.markets.values()))
    assert sorted(json.loads(path.read_text())["markets"]) == sorted(profile.markets)
