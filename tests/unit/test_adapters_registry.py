"""Discovery through entry points, with fake plugins registered by real metadata and always
unregistered (see ion_cli.testing.conformance.registered_adapters)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ion_cli import plugins_registry as reg
from ion_cli.adapters import AdapterContext
from ion_cli.completion_data import market_names
from ion_cli.errors import UsageError
from ion_cli.testing.conformance import fake_adapter_source, registered_adapters

Register = Callable[..., Path]

INCOMPLETE = """
class Half:
    api_version = 1
    symbol = "halfETH"
    name = "Half"
    decimals = 18
    def addresses(self, ctx): ...
adapter = Half()
"""

BROKEN = {
    "fketh": "ion_fake_good:adapter",
    "boometh": "ion_fake_boom:adapter",
    "halfeth": "ion_fake_half:adapter",
    "futeth": "ion_fake_future:adapter",
}
BROKEN_MODULES = {
    "ion_fake_good": fake_adapter_source("fkETH"),
    "ion_fake_boom": "import ion_no_such_module_xyz\n",
    "ion_fake_half": INCOMPLETE,
    "ion_fake_future": fake_adapter_source("futETH", api_version=99),
}


@pytest.fixture
def warnings() -> list[str]:
    return []


@pytest.fixture
def registry(warnings: list[str]) -> reg.Registry:
    return reg.Registry(warn=warnings.append)


def names(registry: reg.Registry) -> list[str]:
    return [info.name for info in registry.discover()]


def test_listing_reads_metadata_without_importing(
    fake_adapters: Register, registry: reg.Registry
) -> None:
    fake_adapters({"fketh": "ion_fake_good:adapter"}, {"ion_fake_good": fake_adapter_source()})
    infos = {info.name: info for info in registry.discover()}
    assert infos["fketh"] == reg.PluginInfo(
        name="fketh",
        value="ion_fake_good:adapter",
        distribution="ion-fake-adapters",
        version="0.0.1",
    )
    assert "ion_fake_good" not in sys.modules
    assert "fkETH" not in registry.market_symbols()  # unknown name, not loaded: name as given
    adapter = registry.load("FKETH")
    assert adapter.symbol == "fkETH" and adapter.exchange_rate(AdapterContext.offline()) == 10**18
    assert "fkETH" in registry.market_symbols()  # once loaded, the adapter's own spelling


def test_fakes_are_unregistered_after_the_block(tmp_path: Path) -> None:
    with registered_adapters(
        tmp_path / "fakes",
        {"fketh": "ion_fake_gone:adapter"},
        {"ion_fake_gone": fake_adapter_source()},
    ):
        assert "fketh" in names(reg.Registry())
        reg.load("fketh")
        assert "ion_fake_gone" in sys.modules
    assert "fketh" not in names(reg.Registry())
    assert "ion_fake_gone" not in sys.modules
    assert str(tmp_path / "fakes") not in sys.path


def test_env_var_limits_listing_and_loading(
    fake_adapters: Register, registry: reg.Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_adapters(BROKEN, BROKEN_MODULES)
    monkeypatch.setenv("ION_ADAPTERS", " FKETH , nothere")
    assert names(registry) == ["fketh"]
    with pytest.raises(UsageError, match="unknown market 'boometh'"):
        registry.load("boometh")
    monkeypatch.setenv("ION_ADAPTERS", "")
    assert names(registry) == []
    assert reg.enabled_names({}) is None
    assert reg.enabled_names({"ION_ADAPTERS": "weeth,ezETH"}) == {"weeth", "ezeth"}


def test_broken_adapters_are_reported_once_and_skipped(
    fake_adapters: Register, registry: reg.Registry, warnings: list[str]
) -> None:
    fake_adapters(BROKEN, BROKEN_MODULES)
    usable = registry.adapters()
    registry.adapters()  # asking again must not repeat the warnings
    assert "fketh" in usable
    assert not {"boometh", "halfeth", "futeth"} & set(usable)
    assert sorted(warnings) == [
        "adapter 'boometh' skipped: import failed: ModuleNotFoundError: "
        "No module named 'ion_no_such_module_xyz'",
        "adapter 'futeth' skipped: declares API version 99, ion speaks 1 and 2 (2 is current)",
        "adapter 'halfeth' skipped: incomplete adapter: missing exchange_rate, mint_plan, "
        "withdrawal, validators",
    ]
    with pytest.raises(reg.PluginError, match="'halfeth' is broken: incomplete"):
        registry.load("halfeth")


def test_load_unknown_market_names_the_installed_ones(
    fake_adapters: Register, registry: reg.Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_adapters({"fketh": "ion_fake_good:adapter"}, {"ion_fake_good": fake_adapter_source()})
    monkeypatch.setenv("ION_ADAPTERS", "fketh")
    with pytest.raises(UsageError, match=r"unknown market 'nope' \(adapters: fketh\)"):
        registry.load("nope")


def test_a_class_entry_point_is_instantiated(
    fake_adapters: Register, registry: reg.Registry
) -> None:
    fake_adapters({"fketh": "ion_fake_cls:FakeAdapter"}, {"ion_fake_cls": fake_adapter_source()})
    assert type(registry.load("fketh")).__name__ == "FakeAdapter"


def test_a_name_claimed_twice_keeps_the_first(
    fake_adapters: Register, registry: reg.Registry, warnings: list[str]
) -> None:
    # Registered later = earlier on sys.path = found first.
    fake_adapters(
        {"fketh": "ion_fake_a:adapter"},
        {"ion_fake_a": fake_adapter_source()},
        distribution="ion-fake-a",
    )
    fake_adapters(
        {"fketh": "ion_fake_b:adapter"},
        {"ion_fake_b": fake_adapter_source()},
        distribution="ion-fake-b",
    )
    [info] = [i for i in registry.discover() if i.name == "fketh"]
    registry.discover()
    assert info.distribution == "ion-fake-b"
    assert warnings == ["adapter 'fketh' from ion-fake-a ignored: ion-fake-b already provides it"]


def test_known_symbols_map_without_loading(registry: reg.Registry) -> None:
    assert registry.symbol("rsweth") == "rswETH"
    assert registry.symbol("WEETH") == "weETH"
    assert registry.symbol("unknown") == "unknown"


def test_completion_reads_metadata_only(fake_adapters: Register) -> None:
    fake_adapters({"weeth": "ion_fake_weeth:adapter"}, {"ion_fake_weeth": fake_adapter_source()})
    assert "weETH" in market_names()
    assert "ion_fake_weeth" not in sys.modules


def test_offline_problems_catch_bad_declarations(
    fake_adapters: Register, registry: reg.Registry
) -> None:
    lower_case = "0x" + "ab" * 20  # letters all lower case: not a checksummed address
    fake_adapters(
        {"fketh": "ion_fake_bad:adapter"},
        {"ion_fake_bad": fake_adapter_source("otherETH", token=lower_case)},
    )
    problems = reg.offline_problems("fketh", registry.load("fketh"))
    assert problems == [
        "symbol 'otherETH' does not match the entry-point name 'fketh'",
        f"mainnet token address {lower_case} is not checksummed",
    ]


def test_first_party_adapters_pass_offline_checks() -> None:
    registry = reg.Registry()
    for name in ("weeth", "ezeth", "rseth", "rsweth"):
        assert reg.offline_problems(name, registry.load(name)) == []


def test_fast_names_agree_with_importlib_metadata(
    fake_adapters: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_adapters(BROKEN, BROKEN_MODULES)
    assert reg.fast_entry_point_names() == names(reg.Registry())
    assert {"fketh", "boometh", "weeth"} <= set(reg.fast_entry_point_names())
    monkeypatch.setenv("ION_ADAPTERS", "fketh,weeth")
    assert reg.fast_entry_point_names() == ["fketh", "weeth"]


def test_fast_names_skip_unreadable_paths(tmp_path: Path) -> None:
    dist = tmp_path / "x-1.dist-info"
    dist.mkdir()
    (dist / "entry_points.txt").write_text(
        "[console_scripts]\nnot_me = a:b\n[ion.adapters]\n# comment\nMyEth = m:adapter\n"
    )
    assert reg.fast_entry_point_names([str(tmp_path / "missing"), str(tmp_path)]) == ["myeth"]


def test_market_completion_skips_importlib_metadata() -> None:
    import subprocess

    code = (
        "import sys, ion_cli.cli\n"
        "before = 'importlib.metadata' in sys.modules\n"
        "from ion_cli.completion_data import market_names\n"
        "names = market_names()\n"
        "print(before or 'importlib.metadata' not in sys.modules, ','.join(names))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "ezETH,rsETH,rswETH,weETH"]


def test_the_scanned_entry_points_are_importlib_metadata_s() -> None:
    """The registry reads entry points from the dist-info files (no importlib.metadata import);
    they match what importlib.metadata finds, and load the same objects."""
    from importlib import metadata

    from ion_cli.adapters import ENTRY_POINT_GROUP
    from ion_cli.plugins_registry import _scanned_entry_points

    scanned = _scanned_entry_points()
    assert scanned is not None
    reference = metadata.entry_points(group=ENTRY_POINT_GROUP)
    ours = {(e.name, e.value, e.dist.name if e.dist else None) for e in scanned}
    theirs = {(e.name, e.value, e.dist.name if e.dist else None) for e in reference}
    assert ours == theirs and ours
    for ep in scanned:
        assert ep.load() is next(r for r in reference if r.name == ep.name).load()
