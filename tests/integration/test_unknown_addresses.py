"""Unknown is not absent: a profile whose weETH market lacks its Liquidation address (as mainnet
weETH does) shows the liquidation figures as unknown, with the reason and the fix, in tables and
JSON ({"unknown": ...}, never null), and the writes that need them refuse with that sentence."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.testing.devnet import DevnetHandle

pytestmark = pytest.mark.integration

DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
REASON = "the Liquidation address of the weETH market is not known on partial"
HINT = "set networks.partial.markets.weETH.liquidation in config.toml"


def flat(table: str) -> str:
    """A rich table's text without borders, wrapped cells joined: one line of words."""
    return " ".join(re.sub(r"[│┃┌┐└┘├┤┬┴┼─━╭╮╰╯]", " ", table).split())


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture
def partial(devnet: DevnetHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A profile with the devnet's weETH market but no Liquidation address, and an account `me`
    holding the devnet's key (the built-in `dev` exists only on the `devnet` profile)."""
    m = devnet.deployment.market("weETH")
    config = tmp_path / "config.toml"
    config.write_text(
        "[networks.partial]\n"
        "chain_id = 31337\n"
        f'rpc_url = "{devnet.rpc_url}"\n'
        f'lens = "{devnet.deployment.shared.lens}"\n'
        "[networks.partial.markets.weETH]\n"
        'base = "wstETH"\n'
        f'pool = "{m.pool}"\n'
        f'gem_join = "{m.gem_join}"\n'
        f'reserve_oracle = "{m.reserve_oracle}"\n'
        f'spot_oracle = "{m.spot_oracle}"\n'
    )
    monkeypatch.setenv("ION_CONFIG", str(config))
    key = tmp_path / "key"
    key.write_text(DEV_KEY + "\n")
    result = invoke("account", "import", "me", "--private-key-file", str(key))
    assert result.exit_code == 0, result.stderr
    return "partial"


def test_a_vault_with_debt_never_shows_no_debt(devnet: DevnetHandle, partial: str) -> None:
    for args in (["deposit", "weETH", "20"], ["borrow", "weETH", "2"]):
        result = invoke(*args, "--yes")  # on the devnet profile, which knows everything
        assert result.exit_code == 0, result.stderr
    where = ["--network", partial, "--account", "me"]

    data = json.loads(invoke("position", "weETH", *where, "--json").stdout)
    assert Decimal(data["debt"]) >= 2
    assert data["health"] == {"unknown": REASON}
    for key in ("liquidation_exchange_rate", "drop_to_liquidation", "liquidatable"):
        assert data[key] == {"unknown": REASON}, key
    assert data["health_spot"] is not None  # the pool's own check needs no Liquidation

    table = invoke("position", "weETH", *where)
    assert table.exit_code == 0, table.stderr
    row = next(line for line in table.stdout.splitlines() if "health (liquidation)" in line)
    assert "no debt" not in row
    assert f"health (liquidation) unknown ({REASON}; {HINT})" in flat(table.stdout)


def test_markets_say_the_threshold_is_unknown(devnet: DevnetHandle, partial: str) -> None:
    rows = json.loads(invoke("markets", "--network", partial, "--json").stdout)["markets"]
    assert [r["market"] for r in rows] == ["weETH"]
    assert rows[0]["liquidation_threshold"] == {"unknown": REASON}
    table = invoke("markets", "--network", partial)
    assert table.exit_code == 0, table.stderr
    assert f"weETH LT: unknown ({REASON}; {HINT})" in flat(table.stdout)


def test_writes_that_need_the_liquidation_refuse_with_the_reason(
    devnet: DevnetHandle, partial: str
) -> None:
    where = ["--network", partial, "--account", "me", "--yes"]
    assert invoke("deposit", "weETH", "20", *where).exit_code == 0  # needs no Liquidation
    for args in (["borrow", "weETH", "1"], ["withdraw", "weETH", "1"]):
        result = invoke(*args, *where)
        assert result.exit_code == 3, (args, result.stderr)
        line = result.stderr.strip().splitlines()[-1]
        assert line.startswith("error: cannot check the safety margin")
        assert f"unknown ({REASON}; {HINT})" in line
    # --force goes by the pool's own limit, which needs no Liquidation contract
    assert invoke("borrow", "weETH", "1", "--force", *where).exit_code == 0


def test_the_api_returns_unknown_values(devnet: DevnetHandle, partial: str) -> None:
    from ion_cli.api import Ion
    from ion_cli.results import Unknown

    ion = Ion(network=partial, account="me")
    ion.deposit("weETH", "10")
    ion.borrow("weETH", "1", force=True)
    position = ion.position("weETH")
    assert isinstance(position.health, Unknown) and position.health.reason == REASON
    assert position.to_json()["health"] == {"unknown": REASON}


def test_without_debt_no_debt_stays_a_fact(devnet: DevnetHandle, partial: str) -> None:
    """Only what needs the unknown terms is unknown: an empty vault has no debt either way."""
    data = json.loads(
        invoke(
            "position",
            "weETH",
            "--network",
            partial,
            "--json",
            "--address",
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        ).stdout
    )
    assert data["debt"] == "0" and data["health"] is None and data["liquidatable"] is False
    assert data["liquidation_threshold"] == {"unknown": REASON}
    assert data["max_borrow_safe"] == {"unknown": REASON}
