"""A fifth adapter without any edit of ion_cli/ (adapter API v2).

tests/fixtures/ion_adapter_fxeth (not shipped) is installed the way any plugin is: an
`ion.adapters` entry point in a dist-info on sys.path. It brings its own stand-in, handler and
reserve-oracle variants (compiled into its own artifacts dir by `make artifacts`), its published
interfaces and a devnet recipe; one devnet of its own (module scope) deploys its market next to
the core's, and the market, a flash leverage through its own handler, a deleverage through its
own unwind pool, a close and its validators work through the public CLI.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ion_cli.cli import app
from ion_cli.testing.conformance import registered_adapters
from ion_cli.testing.devnet import DevnetHandle, start_devnet, stop_devnet

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SYMBOL = "fxETH"


@pytest.fixture(scope="module")
def fifth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevnetHandle]:
    """A devnet deployed with the fifth adapter installed (and the four shipped ones)."""
    sys.path.insert(0, str(FIXTURES))
    try:
        with registered_adapters(
            tmp_path_factory.mktemp("fifth-dist"),
            {SYMBOL: "ion_adapter_fxeth:adapter"},
            distribution="ion-adapter-fxeth",
        ):
            handle = start_devnet(tmp_path_factory.mktemp("fifth-devnet"))
            try:
                yield handle
            finally:
                stop_devnet(handle)
    finally:
        sys.path.remove(str(FIXTURES))
        for name in [m for m in sys.modules if m.startswith("ion_adapter_fxeth")]:
            del sys.modules[name]


@pytest.fixture
def devnet5(fifth: DevnetHandle, monkeypatch: pytest.MonkeyPatch) -> DevnetHandle:
    """The fifth adapter's devnet for one test: `ion` commands find it (the root conftest
    isolates every test's environment)."""
    monkeypatch.setenv("ION_DEVNET_DIR", str(fifth.deployment_dir))
    return fifth


def ion(*args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return json.loads(result.stdout)


def test_the_core_never_names_the_fifth_token() -> None:
    """The fixture needs no edit of ion_cli/: none of its names appear there."""
    names = ("fxeth", "ion_adapter_fx")
    hits = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "ion_cli").rglob("*.py")
        if any(n in path.read_text(encoding="utf-8").lower() for n in names)
    ]
    assert hits == []


def test_its_recipe_deploys_a_market_and_its_own_contracts(devnet5: DevnetHandle) -> None:
    market = devnet5.deployment.market(SYMBOL)
    token = devnet5.deployment.token(SYMBOL)
    assert market.collateral_token == token.address and market.base == "wstETH"
    code = devnet5.w3.eth.get_code(devnet5.w3.to_checksum_address(market.handler))
    assert len(code) > 0
    # the four shipped markets are deployed as before, beside the fifth
    assert {"weETH", "rsETH", "rswETH", "ezETH", SYMBOL} <= set(devnet5.deployment.markets)


def test_the_market_is_listed_with_its_rate(devnet5: DevnetHandle) -> None:
    markets = {m["market"]: m for m in ion("markets")["markets"]}
    assert SYMBOL in markets, sorted(markets)
    # fxETH's rate 1.05 in wstETH (1 / 1.17 wstETH per stETH), as the plugin's oracle computes
    reserve = Decimal(str(markets[SYMBOL]["reserve_exchange_rate"]))
    assert abs(reserve - Decimal("1.05") / Decimal("1.17")) < Decimal("0.000001")
    # and the LRT's own rate, as its adapter reads it from its stand-in
    assert Decimal(str(markets[SYMBOL]["lrt_eth_rate"])) == Decimal("1.05")


def test_flash_leverage_through_its_own_handler(devnet5: DevnetHandle) -> None:
    done = ion("leverage", SYMBOL, "--deposit", "10", "--to", "2x", "--yes")
    position = done["position"]
    assert Decimal(str(position["collateral"])) > Decimal("19")
    lev = Decimal(str(position["leverage"]))
    assert abs(lev - 2) < Decimal("0.02"), position


def test_deleverage_unwinds_through_its_pool_then_close(devnet5: DevnetHandle) -> None:
    """After the leverage above: its LRT/wstETH pool (routed by the devnet's router and quoter)
    carries the multi-step unwind, and --close ends at zero."""
    market = devnet5.deployment.market(SYMBOL)
    assert market.unwind_pool is not None
    done = ion("deleverage", SYMBOL, "--to", "1.5x", "--yes")
    lev = Decimal(str(done["position"]["leverage"]))
    assert abs(lev - Decimal("1.5")) < Decimal("0.02"), done["position"]
    closed = ion("deleverage", SYMBOL, "--close", "--yes")
    assert Decimal(str(closed["position"]["debt"])) == 0


def test_its_validators_are_served_and_counted(devnet5: DevnetHandle) -> None:
    summary = ion("validators", "summary", "--lrt", SYMBOL, "--state", "head")
    assert summary["count"] == 2 * 50 and summary["complete"] is True


def test_its_conformance_hooks_agree_with_the_adapter(devnet5: DevnetHandle) -> None:
    from ion_cli import plugins_registry
    from ion_cli.adapters import AdapterContext, chain_call_from

    adapter = plugins_registry.load(SYMBOL)
    assert plugins_registry.offline_problems(SYMBOL.lower(), adapter) == []  # `ion plugins check`
    assert adapter.conformance is not None
    token = devnet5.deployment["tokens"][SYMBOL]

    def eth_call(to: str, data: bytes) -> bytes:
        return bytes(devnet5.w3.eth.call({"to": devnet5.w3.to_checksum_address(to), "data": data}))

    ctx = AdapterContext(
        chain_id=devnet5.deployment.chain_id,
        network="devnet",
        deployment=devnet5.deployment.raw,
        call=chain_call_from(eth_call),
    )
    assert adapter.exchange_rate(ctx) == adapter.conformance.read_rate(devnet5, token)
    adapter.conformance.set_rate(devnet5, token, 1_070_000_000_000_000_000)
    assert adapter.exchange_rate(ctx) == 1_070_000_000_000_000_000
