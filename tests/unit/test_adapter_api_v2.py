"""Adapter API v2: every token fact comes from the adapter; v1 adapters still load (shim)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from ion_cli import adapters as a
from ion_cli import plugins_registry as reg
from ion_cli.testing.conformance import fake_adapter_source

Register = Callable[..., Path]


@pytest.fixture
def registry() -> reg.Registry:
    return reg.Registry(warn=lambda _message: None)


def test_a_v1_adapter_loads_through_the_shim_with_a_deprecation_warning(
    fake_adapters: Register, registry: reg.Registry
) -> None:
    fake_adapters(
        {"olDETH": "ion_fake_v1:adapter"},
        {"ion_fake_v1": fake_adapter_source("olDETH", api_version=1)},
    )
    with pytest.warns(DeprecationWarning, match="adapter 'oldeth' speaks adapter API v1"):
        adapter = registry.load("oldeth")
    assert adapter.api_version == a.API_VERSION
    # the facts v2 added are "none" for it; its own members are its own
    for fact in a.FACTS_V2:
        assert getattr(adapter, fact) is None
    assert adapter.symbol == "olDETH"
    assert adapter.exchange_rate(a.AdapterContext.offline()) == 10**18
    assert adapter.unwrap.api_version == 1  # type: ignore[attr-defined]
    assert reg.offline_problems("oldeth", adapter) == []


def test_a_v2_adapter_must_state_its_facts(fake_adapters: Register, registry: reg.Registry) -> None:
    """A v2 adapter that lacks a fact is refused (None is a statement: "none")."""
    source = fake_adapter_source("nofETH", api_version=2).replace("    leverage = None\n", "")
    fake_adapters({"nofeth": "ion_fake_nof:adapter"}, {"ion_fake_nof": source})
    [result] = [r for r in registry.load_results() if r.info.name == "nofeth"]
    assert result.error == "incomplete adapter: missing leverage"


def test_the_shipped_adapters_state_their_facts() -> None:
    reg.reset()
    found = reg.adapters()
    for key in ("weeth", "ezeth", "rseth", "rsweth"):
        adapter = found[key]
        assert adapter.api_version == 2
        assert isinstance(adapter.leverage, a.LeverageFacts)
        assert isinstance(adapter.assumed_yield, a.YieldFacts)
        assert isinstance(adapter.mainnet_market, a.MarketFacts)
        assert isinstance(adapter.contracts, a.ContractFiles)
        assert isinstance(adapter.conformance, a.ConformanceHooks)
    # the one Balancer-flash handler has its own deleverage; the direct-mint ones unwind
    kinds = {k: (found[k].leverage.kind, found[k].leverage.delever) for k in found}  # type: ignore[union-attr]
    assert kinds["ezeth"] == (a.BALANCER_FLASH, "flashDeleverageWethAndSwap")
    assert kinds["weeth"] == (a.FLASHSWAP_MINT, None)


def test_the_entry_point_spells_the_market_without_importing(
    fake_adapters: Register, registry: reg.Registry
) -> None:
    import sys

    fake_adapters(
        {"spELT": "ion_fake_spelt:adapter"}, {"ion_fake_spelt": fake_adapter_source("spELT")}
    )
    assert registry.symbol("SPELT") == "spELT"
    assert "ion_fake_spelt" not in sys.modules
    assert "spELT" in reg.fast_market_symbols()


def test_the_mainnet_profile_comes_from_the_adapters() -> None:
    from ion_cli.networks import MAINNET, mainnet_profile

    reg.reset()
    profile = mainnet_profile()
    assert profile.markets.keys() == MAINNET.markets.keys()
    assert {"weETH", "ezETH", "rsETH", "rswETH"} <= set(profile.markets)
    assert profile.market("weETH").unsure == frozenset({"handler"})
    assert profile.market("ezETH").base_symbol == "WETH"


def test_a_leverage_kind_is_checked() -> None:
    with pytest.raises(ValueError, match="unknown handler kind"):
        a.LeverageFacts(handler="X", kind="teleport", lever="go")
    assert a.YieldFacts(apr=Decimal("0.01"), label="x").source is None


def test_plugins_check_reads_the_facts(fake_adapters: Register, registry: reg.Registry) -> None:
    source = fake_adapter_source("bdETH", api_version=2).replace(
        "    leverage = None\n",
        "    leverage = a.LeverageFacts(handler='NoSuchHandler', kind=a.FLASHSWAP_MINT, "
        "lever='flashswapAndMint')\n",
    )
    source = source.replace("    assumed_yield = None\n", "    assumed_yield = 0.03\n")
    fake_adapters({"bdETH": "ion_fake_bad_facts:adapter"}, {"ion_fake_bad_facts": source})
    problems = reg.offline_problems("bdeth", registry.load("bdeth"))
    assert "assumed_yield must be YieldFacts or None, not float" in problems
    assert any("no published interface 'NoSuchHandler'" in p for p in problems)


def test_the_shipped_adapters_pass_the_offline_checks() -> None:
    reg.reset()
    for key, adapter in reg.adapters().items():
        assert reg.offline_problems(key, adapter) == [], key
