"""Adapter conformance kit: the tests every `ion.adapters` plugin must pass, plus fake plugins.

In an adapter's own test suite:

    from ion_cli.testing.conformance import AdapterConformance

    class TestMyToken(AdapterConformance):
        adapter_name = "mytoken"          # the entry-point name

Offline tests check the declarations and the mainnet facts; the integration tests (marker
`integration`) use the devnet fixtures (`devnet`: anvil + the reference deployment, reverted after
each test) to check the exchange rate against the contract, send a mint plan from the dev account
and compare what arrived with `expected_out`, and compare the validators with the deployment's.
A token the kit does not know overrides `read_rate` and `set_rate` (how to read and move its
rate on the devnet stand-in).

`registered_adapters` / the `fake_adapters` fixture register fake plugins through real entry-point
metadata (a temporary dist-info on sys.path) and always unregister them.
"""

from __future__ import annotations

import contextlib
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from ion_cli import chain_ids, plugins_registry
from ion_cli.adapters import (
    API_VERSION,
    ENTRY_POINT_GROUP,
    FACTS_V2,
    AdapterContext,
    LrtAdapter,
    MintPlan,
    TokenAddresses,
    ValidatorSource,
    WithdrawalInfo,
    chain_call_from,
    missing_members,
)

__all__ = [
    "DEV_ACCOUNT_KEY",
    "AdapterConformance",
    "CallKey",
    "ScriptedChain",
    "devnet_context",
    "fake_adapter_source",
    "fake_adapters",
    "registered_adapters",
    "scripted_context",
    "web3_chain_call",
]

# anvil's account 0 (the devnet user `dev`): a public test key, worthless on any real network.
DEV_ACCOUNT_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
WAD = 10**18


# ---- fake plugins -------------------------------------------------------------------------------


@contextlib.contextmanager
def registered_adapters(
    root: Path,
    entries: Mapping[str, str],
    modules: Mapping[str, str] | None = None,
    *,
    distribution: str = "ion-fake-adapters",
    version: str = "0.0.1",
) -> Iterator[Path]:
    """Register fake adapters for the duration of the block.

    `entries` maps entry-point names to values (`"module:attr"`), `modules` module names to
    source. Writes them and a `<dist>.dist-info` under `root`, puts `root` first on sys.path and
    resets the registry; on exit removes the path, the imported fake modules and the registry's
    memory. Yields `root` (put it on PYTHONPATH to see the fakes from a subprocess).
    """
    root.mkdir(parents=True, exist_ok=True)
    modules = dict(modules or {})
    for name, source in modules.items():
        (root / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    dist_dir = root / f"{distribution.replace('-', '_')}-{version}.dist-info"
    dist_dir.mkdir(exist_ok=True)
    (dist_dir / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n", encoding="utf-8"
    )
    lines = [f"[{ENTRY_POINT_GROUP}]", *(f"{n} = {v}" for n, v in entries.items())]
    (dist_dir / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.path.insert(0, str(root))
    plugins_registry.reset()
    try:
        yield root
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(str(root))
        for name in modules:
            sys.modules.pop(name, None)
        plugins_registry.reset()


def fake_adapter_source(
    symbol: str = "fkETH",
    rate: int = WAD,
    api_version: int = API_VERSION,
    token: str = "0x1111111111111111111111111111111111111111",
) -> str:
    """Source of a complete, chain-free fake adapter module (module attribute `adapter`):
    a fixed `rate`, a one-call mint plan to `token`, no validators, and (API v2 and later)
    no facts beyond those. For CLI tests."""
    v2_facts = "".join(f"    {name} = None\n" for name in (FACTS_V2 if api_version >= 2 else ()))
    return f"""
from ion_cli import adapters as a

class FakeAdapter:
    api_version = {api_version!r}
    symbol = {symbol!r}
    name = "Fake protocol"
    decimals = 18
{v2_facts}
    def addresses(self, ctx):
        if ctx.deployment is None:
            a.require_mainnet(ctx, self.symbol)
        return a.TokenAddresses(token={token!r}, contracts={{}})

    def exchange_rate(self, ctx):
        return {rate!r}

    def mint_plan(self, ctx, eth_amount, recipient):
        call = a.PlannedCall(to={token!r}, value=eth_amount, data=b"", description="fake mint")
        return a.MintPlan(symbol=self.symbol, eth_in=eth_amount, calls=(call,),
                          expected_out=eth_amount * 10**18 // {rate!r})

    def withdrawal(self):
        return a.WithdrawalInfo(path="none", delay="none", contract=None)

    def validators(self, ctx):
        return a.ValidatorSource(withdrawal_credentials=(), method="none")

adapter = FakeAdapter()
"""


@pytest.fixture
def fake_adapters(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Factory fixture: `fake_adapters({"fake": "fake_mod:adapter"}, {"fake_mod": SOURCE})`.
    Everything registered is unregistered when the test ends."""
    with contextlib.ExitStack() as stack:
        count = 0

        def register(
            entries: Mapping[str, str], modules: Mapping[str, str] | None = None, **kw: Any
        ) -> Path:
            nonlocal count
            count += 1
            root = tmp_path / f"fake-adapters-{count}"
            return stack.enter_context(registered_adapters(root, entries, modules, **kw))

        yield register


# ---- a chain that answers from a script (mainnet paths without a node) -----------------------


CallKey = tuple[str, str, tuple[Any, ...]]


class ScriptedChain:
    """A ChainCall answering from a table keyed by (address, signature, args); records calls.
    An unscripted call fails the test with the key it was asked for."""

    def __init__(self, answers: Mapping[CallKey, Any]) -> None:
        self.answers = {(to.lower(), sig, tuple(args)): v for (to, sig, args), v in answers.items()}
        self.calls: list[CallKey] = []

    def __call__(self, to: str, signature: str, args: Sequence[Any] = ()) -> Any:
        key = (to.lower(), signature, tuple(args))
        self.calls.append(key)
        if key not in self.answers:
            pytest.fail(f"unscripted chain call {key}")
        return self.answers[key]


def scripted_context(answers: Mapping[CallKey, Any], chain_id: int = 1) -> AdapterContext:
    """A mainnet (by default) context whose chain reads come from `answers`."""
    return AdapterContext(chain_id=chain_id, network="mainnet", call=ScriptedChain(answers))


# ---- chain access for the kit (web3 imported lazily: the kit is loaded as a pytest plugin) ------


def web3_chain_call(w3: Any) -> Any:
    """A ChainCall over a web3 instance (eth_call at the latest block)."""

    def eth_call(to: str, data: bytes) -> bytes:
        return bytes(w3.eth.call({"to": to, "data": data}))

    return chain_call_from(eth_call)


def devnet_context(devnet: Any) -> AdapterContext:
    """The context the core builds on a devnet: the deployment file's JSON document as a dict."""
    deployment = devnet.deployment
    deployment = getattr(deployment, "raw", deployment)  # a typed Deployment carries its JSON
    return AdapterContext(
        chain_id=int(deployment.get("chain_id", chain_ids.DEVNET)),
        network="devnet",
        deployment=deployment,
        call=web3_chain_call(devnet.w3),
    )


def _fn_abi(name: str, inputs: list[str], outputs: list[str], mutability: str) -> dict[str, Any]:
    return {
        "type": "function",
        "name": name,
        "stateMutability": mutability,
        "inputs": [{"name": f"a{i}", "type": t} for i, t in enumerate(inputs)],
        "outputs": [{"name": f"r{i}", "type": t} for i, t in enumerate(outputs)],
    }


def read(w3: Any, address: str, name: str, outputs: list[str], *args: Any) -> Any:
    """Read a view function with web3's own contract machinery (independent of the adapter's)."""
    inputs = ["uint256"] * len(args) if args else []
    abi = [_fn_abi(name, inputs, outputs, "view")]
    contract = w3.eth.contract(address=w3.to_checksum_address(address), abi=abi)
    return getattr(contract.functions, name)(*args).call()


def admin_send(devnet: Any, address: str, name: str, value: int) -> None:
    """An owner-only setter `name(uint256)` sent by the devnet admin (an unlocked anvil account)."""
    w3 = devnet.w3
    abi = [_fn_abi(name, ["uint256"], [], "nonpayable")]
    contract = w3.eth.contract(address=w3.to_checksum_address(address), abi=abi)
    tx_hash = getattr(contract.functions, name)(value).transact(
        {"from": devnet.deployment["admin"]}
    )
    assert w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 1


class _KeySender:
    """The pipeline's Sender for a raw test key (the dev account's public anvil key)."""

    def __init__(self, key: str) -> None:
        from eth_account import Account

        self._account = Account.from_key(key)

    @property
    def address(self) -> str:
        return str(self._account.address)

    def signer(self) -> Any:
        return self._account


def send_plan(devnet: Any, plan: MintPlan, key: str = DEV_ACCOUNT_KEY) -> Any:
    """Send an adapter's plan as the core does: converted into a pipeline `Plan`, then
    simulated, signed and sent step by step by ion_cli.chain.pipeline (no send path of its own).
    Returns the pipeline's ExecutionResult; a reverted step raises, naming the step."""
    from ion_cli.chain.pipeline import execute
    from ion_cli.chain.plan import plan_from_mint

    result = execute(
        plan_from_mint(plan), w3=devnet.w3, sender=_KeySender(key), yes=True, dry_run=False
    )
    assert all(step.status == 1 for step in result.steps), result.to_json()
    return result


# ---- the kit ------------------------------------------------------------------------------------


class AdapterConformance:
    """Subclass as `class TestX(AdapterConformance): adapter_name = "x"`."""

    adapter_name: ClassVar[str] = ""
    # Mint rounding the token itself does (wei); 0 where the plan's preview is exact.
    rounding_tolerance_wei: ClassVar[int] = 2
    # A rate away from 1 so rounding shows; an odd number on purpose.
    moved_rate: ClassVar[int] = 1_037_512_345_678_901_234
    mint_amount: ClassVar[int] = 1_500_000_000_000_000_007

    @pytest.fixture
    def adapter(self) -> LrtAdapter:
        if not self.adapter_name:
            pytest.skip("set adapter_name on the subclass")
        plugins_registry.reset()
        return plugins_registry.load(self.adapter_name)

    # -- how to read and move the rate on the devnet stand-ins (override for other tokens) --

    def read_rate(self, devnet: Any, symbol: str) -> int:
        token = devnet.deployment["tokens"][symbol]
        return int(self._hooks(symbol).read_rate(devnet, token))

    def set_rate(self, devnet: Any, symbol: str, rate: int) -> None:
        token = devnet.deployment["tokens"][symbol]
        self._hooks(symbol).set_rate(devnet, token, rate)

    def _hooks(self, symbol: str) -> Any:
        """The adapter's conformance hooks (API v2): how its devnet stand-in's rate is read and
        moved. A kit for an adapter without them overrides read_rate and set_rate."""
        hooks = getattr(plugins_registry.load(symbol), "conformance", None)
        if hooks is None:
            raise NotImplementedError(
                f"the {symbol} adapter has no conformance hooks: override read_rate and set_rate"
            )
        return hooks

    # -- offline --

    def test_declares_api(self, adapter: LrtAdapter) -> None:
        assert missing_members(adapter) == []
        assert adapter.api_version == API_VERSION
        assert isinstance(adapter, LrtAdapter)
        assert adapter.symbol.lower() == self.adapter_name
        assert isinstance(adapter.name, str) and adapter.name
        assert adapter.decimals == 18

    def test_offline_checks_pass(self, adapter: LrtAdapter) -> None:
        assert plugins_registry.offline_problems(self.adapter_name, adapter) == []

    def test_mainnet_addresses_checksummed(self, adapter: LrtAdapter) -> None:
        from eth_utils.address import is_checksum_address

        addrs = adapter.addresses(AdapterContext.offline())
        assert isinstance(addrs, TokenAddresses)
        assert addrs.token is not None and is_checksum_address(addrs.token)
        for key, address in addrs.contracts.items():
            assert address is None or is_checksum_address(address), key

    def test_withdrawal_info(self, adapter: LrtAdapter) -> None:
        info = adapter.withdrawal()
        assert isinstance(info, WithdrawalInfo)
        assert info.path and info.delay

    def test_unknown_chain_is_a_clear_error(self, adapter: LrtAdapter) -> None:
        from ion_cli.errors import IonError

        with pytest.raises(IonError):
            adapter.addresses(AdapterContext.offline(chain_id=999_999, network="elsewhere"))

    # -- devnet --

    @pytest.mark.integration
    def test_devnet_addresses(self, adapter: LrtAdapter, devnet: Any) -> None:
        token = devnet.deployment["tokens"][adapter.symbol]
        addrs = adapter.addresses(devnet_context(devnet))
        assert addrs.token is not None
        assert addrs.token.lower() == token["address"].lower()

    @pytest.mark.integration
    def test_exchange_rate_matches_contract(self, adapter: LrtAdapter, devnet: Any) -> None:
        ctx = devnet_context(devnet)
        assert adapter.exchange_rate(ctx) == self.read_rate(devnet, adapter.symbol)
        self.set_rate(devnet, adapter.symbol, self.moved_rate)
        assert adapter.exchange_rate(ctx) == self.read_rate(devnet, adapter.symbol)
        assert abs(adapter.exchange_rate(ctx) - self.moved_rate) <= 1

    @pytest.mark.integration
    def test_mint_plan_mints_expected(self, adapter: LrtAdapter, devnet: Any) -> None:
        w3 = devnet.w3
        self.set_rate(devnet, adapter.symbol, self.moved_rate)
        ctx = devnet_context(devnet)
        sender = w3.eth.account.from_key(DEV_ACCOUNT_KEY).address
        token = devnet.deployment["tokens"][adapter.symbol]["address"]

        plan = adapter.mint_plan(ctx, self.mint_amount, sender)
        assert isinstance(plan, MintPlan)
        assert plan.calls, "a mint plan needs at least one call"
        assert sum(c.value for c in plan.calls) == self.mint_amount == plan.eth_in
        assert all(isinstance(c.data, bytes) and c.description for c in plan.calls)
        assert plan.expected_out > 0

        before = self._balance(w3, token, sender)
        send_plan(devnet, plan)
        minted = self._balance(w3, token, sender) - before
        assert abs(minted - plan.expected_out) <= self.rounding_tolerance_wei, (
            f"minted {minted}, plan expected {plan.expected_out}"
        )
        if plan.min_out is not None:
            assert minted >= plan.min_out

    @pytest.mark.integration
    def test_validators_match_deployment(self, adapter: LrtAdapter, devnet: Any) -> None:
        source = adapter.validators(devnet_context(devnet))
        assert isinstance(source, ValidatorSource)
        expected = devnet.deployment["tokens"][adapter.symbol]["withdrawal_credentials"]
        assert [c.lower() for c in source.withdrawal_credentials] == [e.lower() for e in expected]
        assert source.complete

    @staticmethod
    def _balance(w3: Any, token: str, owner: str) -> int:
        abi = [_fn_abi("balanceOf", ["address"], ["uint256"], "view")]
        contract = w3.eth.contract(address=w3.to_checksum_address(token), abi=abi)
        return int(contract.functions.balanceOf(owner).call())
