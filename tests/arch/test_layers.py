"""The house's layer contracts, checked on the import graph read from the sources
(`import_graph.py` beside this file; `.venv/bin/python tests/arch/import_graph.py` prints it).

- no import cycle between modules;
- arrows run down only: commands -> api -> flows -> I/O -> core (a module may skip layers);
- the layers that never print (chain, flows, beacon, zk) import no terminal library;
- plugins import only the adapter API (and its conformance kit);
- commands import nothing from flows/ (they go through ion_cli.api);
- no module over 600 lines.

Every module of ion_cli belongs to one layer (by its longest listed prefix): a new top-level
module or package must be placed in LAYERS, which is the map of the house.
"""

from __future__ import annotations

from import_graph import Graph, graph

# Top to bottom. A module belongs to the layer of its longest matching prefix.
LAYERS: dict[str, tuple[str, ...]] = {
    "commands": (
        "ion_cli.__main__",
        "ion_cli.cli",
        "ion_cli.command_table",
        "ion_cli.commands",
        "ion_cli.completion_scripts",
        "ion_cli.examples",
        # the pytest plugin and the conformance and devnet kits: they drive everything below
        "ion_cli.testing",
    ),
    "api": ("ion_cli.api",),
    "flows": (
        "ion_cli.flows",
        # the typed results the flows return, and their text for people
        "ion_cli.results",
        "ion_cli.restaking_results",
        "ion_cli.validator_results",
        "ion_cli.challenge_results",
        "ion_cli.tx_results",
        "ion_cli.risk_results",
        "ion_cli.safe_results",
        "ion_cli.guard_results",
        "ion_cli.render",
    ),
    "I/O": (
        "ion_cli.chain",
        "ion_cli.beacon",
        "ion_cli.zk",
        "ion_cli.accounts",
        "ion_cli.devnet",
        # configuration and state read from files, networks and the deployment they name
        "ion_cli.config",
        "ion_cli.networks",
        "ion_cli.deployment",
        "ion_cli.fork_record",
        "ion_cli.completion_data",
        "ion_cli.netdeadline",
    ),
    "core": (
        "ion_cli",  # the package's __init__ (its version), not its modules
        "ion_cli.units",
        "ion_cli.amounts",
        "ion_cli.position_math",
        "ion_cli.leverage_math",
        "ion_cli.restaking_math",
        "ion_cli.consensus_rules",
        "ion_cli.abi",
        "ion_cli.keccak",
        "ion_cli.addresses",
        "ion_cli.chain_ids",
        "ion_cli.errors",
        "ion_cli.durations",
        "ion_cli.atomic",
        "ion_cli.paths",
        "ion_cli.redact",
        "ion_cli.inputs",
        "ion_cli.json_contract",  # the one --json serializer (standard library only)
        "ion_cli.codecache",  # compiled dataclass methods kept between runs (stdlib only)
        "ion_cli.readable",  # at most 6 decimals in text for people (standard library only)
        # the one writer to the terminal (stdout, stderr): below the config's warnings
        "ion_cli.output",
        # the adapter API plugins are written against, and the registry that finds them
        "ion_cli.adapters",
        "ion_cli.adapter_api",
        "ion_cli.plugins_registry",
        "ion_cli.plugin_metadata",  # what installed plugins ship, read without importing them
    ),
}
RANK = {name: rank for rank, name in enumerate(LAYERS)}  # 0 is the top

# What a plugin may import from ion_cli: the adapter API, and the conformance kit its hooks
# and tests use.
PLUGIN_API = ("ion_cli.adapters", "ion_cli.adapter_api", "ion_cli.testing.conformance")

# Packages that never print: they import no terminal library nor the CLI's writer.
SILENT = ("ion_cli.chain", "ion_cli.flows", "ion_cli.beacon", "ion_cli.zk")
TERMINAL = ("typer", "rich", "click")
TERMINAL_MODULES = ("ion_cli.output", "ion_cli.cli", "ion_cli.commands")

MAX_LINES = 600


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_of(module: str) -> str | None:
    best: tuple[int, str] | None = None
    for name, prefixes in LAYERS.items():
        for prefix in prefixes:
            # the package itself is its __init__ only, not a prefix of every module
            matches = module == prefix if prefix == "ion_cli" else _under(module, prefix)
            if matches and (best is None or len(prefix) > best[0]):
                best = (len(prefix), name)
    return best[1] if best else None


def _core_modules(g: Graph) -> list[str]:
    return sorted(m for m in g.modules if m.startswith("ion_cli"))


def test_every_module_has_a_layer() -> None:
    g = graph()
    unplaced = [m for m in _core_modules(g) if layer_of(m) is None]
    assert unplaced == [], "place these modules in LAYERS (tests/arch/test_layers.py)"


def test_no_import_cycles() -> None:
    assert graph().cycles() == []


def test_imports_run_down_the_layers_only() -> None:
    g = graph()
    upward = []
    for importer in _core_modules(g):
        for imported in sorted(g.edges[importer]):
            if not imported.startswith("ion_cli"):
                continue
            a, b = layer_of(importer), layer_of(imported)
            if a is not None and b is not None and RANK[b] < RANK[a]:
                upward.append(f"{importer} ({a}) -> {imported} ({b})")
    assert upward == []


def test_the_silent_layers_import_no_terminal() -> None:
    g = graph()
    found = []
    for module in _core_modules(g):
        if not any(_under(module, p) for p in SILENT):
            continue
        found += [f"{module} -> {name}" for name in sorted(g.external[module]) if name in TERMINAL]
        found += [
            f"{module} -> {m}"
            for m in sorted(g.edges[module])
            if any(_under(m, p) for p in TERMINAL_MODULES)
        ]
    assert found == []


def test_plugins_use_only_the_adapter_api() -> None:
    g = graph()
    found = [
        f"{module} -> {imported}"
        for module in sorted(g.modules)
        if not module.startswith("ion_cli")
        for imported in sorted(g.edges[module])
        if imported.startswith("ion_cli") and not any(_under(imported, p) for p in PLUGIN_API)
    ]
    assert found == []


def test_commands_import_nothing_from_flows() -> None:
    g = graph()
    found = [
        f"{module} -> {imported}"
        for module in _core_modules(g)
        if _under(module, "ion_cli.commands") or module == "ion_cli.cli"
        for imported in sorted(g.edges[module])
        if _under(imported, "ion_cli.flows")
    ]
    assert found == []


def test_no_module_is_over_600_lines() -> None:
    g = graph()
    big = sorted(f"{m.name} ({m.lines} lines)" for m in g.modules.values() if m.lines > MAX_LINES)
    assert big == []


def test_the_graph_sees_what_it_must() -> None:
    """The reader itself: lazy imports inside functions and TYPE_CHECKING imports are edges,
    `from package import submodule` names the submodule."""
    g = graph()
    assert "ion_cli.chain.execution" in g.edges["ion_cli.chain.observer"]  # TYPE_CHECKING
    assert "ion_cli.chain.pipeline" in g.edges["ion_cli.flows.writes"]  # inside a function
    assert "ion_cli.zk.receipt" in g.edges["ion_cli.flows.prove"]  # from ion_cli.zk import receipt
    assert layer_of("ion_cli.flows.watch.monitors.health") == "flows"
    assert layer_of("ion_cli.commands.watch") == "commands"
