"""Adapter API v1: what a per-token plugin implements so that ion can use one more LRT.

ion knows nothing about weETH, ezETH, rsETH or rswETH by name. Each token is an adapter found
through the entry-point group `ion.adapters`; the adapter describes the token (symbol, decimals,
addresses), reads its ETH exchange rate, plans a mint from ETH, describes the withdrawal path and
says which validators back it. Adapters never sign or send: they return plans (`MintPlan`) that
the core previews, simulates, signs and sends, and they read the chain only through the
`ctx.call` and `ctx.logs` functions the core hands them (`ctx.logs` reads event logs over any
block range: the core splits it into chunks a node accepts). This module imports only the
standard library and the project's pure modules, so listing plugins and `ion --help` stay fast.

Writing an adapter (full guide: plugins/README.md)
--------------------------------------------------
    # my_adapter.py, registered in pyproject.toml:
    #   [project.entry-points."ion.adapters"]
    #   mytoken = "my_adapter:adapter"        # the name is the lower-case symbol
    from ion_cli import adapters as a

    class MyToken(a.BaseAdapter):          # optional: any object with the members will do
        symbol = "myETH"
        name = "My Protocol"
        decimals = 18
        mainnet = a.TokenAddresses(token="0x...", contracts={"minter": "0x..."})
        # inherited: api_version, addresses(ctx) and validators(ctx) (devnet file or mainnet)

        def exchange_rate(self, ctx: a.AdapterContext) -> int:
            token = self.addresses(ctx).require_token(self.symbol)
            return int(ctx.call(token, "getRate()(uint256)"))

        def mint_plan(self, ctx, eth_amount: int, recipient: str) -> a.MintPlan: ...
        def withdrawal(self) -> a.WithdrawalInfo: ...
        def mainnet_validators(self, ctx: a.AdapterContext) -> a.ValidatorSource: ...

    adapter = MyToken()

Optional (added in API v1 without a version change): `mint_cost(ctx)` reads the mint's state
once and returns a function `token amount -> ETH` that its mint path takes for at least that
amount, in the protocol's own rounding (Ion's direct-mint handlers ask exactly that); without it
the core prices a mint at ceil(amount * exchange_rate / 1e18).

Without the base class an adapter writes `addresses` and `validators` itself (`devnet_addresses`,
`devnet_validators` and `require_mainnet` help). `require_positive_amount` and `payable_mint_plan`
serve a mint that is one payable call.

Signatures handed to `ctx.call` and `encode_call` use cast's notation: `name(inputs)(outputs)`,
for example `calculateTVLs()(uint256[][],uint256[],uint256)`. A call with one output returns that
value; with several, a tuple.

Optional (added in API v1 without a version change; an adapter without it is reported as
"unknown"): `restaking(ctx) -> RestakingSource`, the delegation seam: the EigenLayer stakers that
hold the token's restaked ETH, the operator each delegates to and their shares
(`eigenlayer_stakers` reads the last two through `ctx.call`).

Versioning: `API_VERSION` changes only when an existing field or method changes meaning or
signature. An adapter declaring another version is reported and skipped, never half-used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ion_cli import chain_ids
from ion_cli.errors import IonError

API_VERSION = 1
ENTRY_POINT_GROUP = "ion.adapters"
MAINNET_CHAIN_ID = chain_ids.MAINNET

# What the registry checks before it accepts an adapter (duck-typed: any object will do).
REQUIRED_ATTRIBUTES: tuple[str, ...] = ("api_version", "symbol", "name", "decimals")
REQUIRED_METHODS: tuple[str, ...] = (
    "addresses",
    "exchange_rate",
    "mint_plan",
    "withdrawal",
    "validators",
)
# Members an adapter may have; the core falls back to "unknown" without them.
OPTIONAL_METHODS: tuple[str, ...] = ("restaking",)


class AdapterError(IonError):
    """An adapter cannot answer on this chain (no addresses, missing deployment entry)."""


class ChainCall(Protocol):
    """Read-only contract call the core provides: `call(to, "f(uint256)(uint256)", [1])`."""

    def __call__(self, to: str, signature: str, args: Sequence[Any] = ()) -> Any: ...


def _offline_call(to: str, signature: str, args: Sequence[Any] = ()) -> Any:
    raise AdapterError(f"no chain connection for {signature} on {to}")


@dataclass(frozen=True)
class LogEntry:
    """One event log: topics and data as 0x hex, as `eth_getLogs` returns them."""

    address: str
    topics: tuple[str, ...]
    data: str
    block_number: int
    log_index: int
    transaction_hash: str = ""


class LogReader(Protocol):
    """Event logs the core provides: `logs(address, [topic0, None, topic2], from_block)`.

    `topics` follows `eth_getLogs` (None = any value at that position); `to_block` None is the
    latest block. The core splits the range into chunks the node accepts and returns every log
    in block order, or raises: never a silently partial list."""

    def __call__(
        self,
        address: str,
        topics: Sequence[str | None] = (),
        from_block: int = 0,
        to_block: int | None = None,
    ) -> Sequence[LogEntry]: ...


def _offline_logs(
    address: str,
    topics: Sequence[str | None] = (),
    from_block: int = 0,
    to_block: int | None = None,
) -> Sequence[LogEntry]:
    raise AdapterError(f"no chain connection to read the logs of {address}")


def event_topic(signature: str) -> str:
    """topic0 of an event: keccak256 of `Name(type,...)` (no names, no `indexed`)."""
    from eth_utils.crypto import keccak

    return "0x" + bytes(keccak(text=signature.replace(" ", ""))).hex()


def topic_address(topic: str) -> str:
    """The address in an indexed `address` topic (the last 20 of its 32 bytes)."""
    body = topic.lower().removeprefix("0x")
    if len(body) != 64:
        raise AdapterError(f"not a 32-byte topic: {topic!r}")
    return "0x" + body[-40:]


@dataclass(frozen=True)
class AdapterContext:
    """Everything an adapter may know about where it runs.

    `deployment` is the parsed devnet deployment file when the network is a local devnet, else
    None (then the adapter answers from its own mainnet facts). `call` reads the chain, `logs`
    reads event logs (added in API v1 without a version change: an adapter that does not use
    it is unaffected).
    """

    chain_id: int
    network: str
    deployment: Mapping[str, Any] | None = None
    call: ChainCall = _offline_call
    logs: LogReader = _offline_logs

    @classmethod
    def offline(cls, chain_id: int = MAINNET_CHAIN_ID, network: str = "mainnet") -> AdapterContext:
        """A context for static facts only (addresses, checks); any chain read raises."""
        return cls(chain_id=chain_id, network=network)


@dataclass(frozen=True)
class TokenAddresses:
    """The token and the contracts around it. `None` = not known; names in `unsure` are facts the
    sources did not settle, to be shown as such rather than trusted."""

    token: str | None
    contracts: Mapping[str, str | None] = field(default_factory=dict)
    unsure: tuple[str, ...] = ()

    def contract(self, key: str, symbol: str = "adapter") -> str:
        """The address of `key`, or an AdapterError naming what is missing."""
        address = self.contracts.get(key)
        if not address:
            raise AdapterError(f"{symbol}: no address for contract {key!r} on this chain")
        return address

    def require_token(self, symbol: str = "adapter") -> str:
        if not self.token:
            raise AdapterError(f"{symbol}: no token address on this chain")
        return self.token


@dataclass(frozen=True)
class PlannedCall:
    """One transaction of a plan: sent from the user's account, in order."""

    to: str
    value: int
    data: bytes
    description: str

    def to_json(self) -> dict[str, Any]:
        return {
            "to": self.to,
            "value": str(self.value),
            "data": "0x" + self.data.hex(),
            "description": self.description,
        }


@dataclass(frozen=True)
class MintPlan:
    """ETH in, LRT out: the calls to send and what the user should end up with (token wei).

    `expected_out` is computed from the rate at planning time; `min_out` (if the path has a
    slippage bound) is what the calls themselves enforce.
    """

    symbol: str
    eth_in: int
    calls: tuple[PlannedCall, ...]
    expected_out: int
    min_out: int | None = None
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "eth_in": str(self.eth_in),
            "expected_out": str(self.expected_out),
            "min_out": None if self.min_out is None else str(self.min_out),
            "calls": [c.to_json() for c in self.calls],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class WithdrawalInfo:
    """How to get ETH back (for deleverage planning and the risk view)."""

    path: str  # the steps, in the protocol's own function names
    delay: str  # as the sources put it, e.g. "about 8 days", "queue"
    contract: str | None  # the mainnet contract that starts the withdrawal, if known
    delay_seconds: int | None = None  # a number only where the sources give one
    unsure: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "delay": self.delay,
            "delay_seconds": self.delay_seconds,
            "contract": self.contract,
            "unsure": self.unsure,
        }


@dataclass(frozen=True)
class ValidatorSource:
    """Which beacon-chain validators back the token.

    `withdrawal_credentials` are 0x-prefixed 32-byte hex strings to match against the beacon
    validator set. `complete` is False when the adapter could only describe how to enumerate
    (`method`) without doing it, e.g. when that needs event logs the ChainCall cannot read.
    `expected_count` (added in API v1 without a version change: None means "not known") is the
    number of validators the token's own registry says back it: a beacon answer with fewer is
    not taken as the whole set.
    """

    withdrawal_credentials: tuple[str, ...]
    method: str
    pods: tuple[str, ...] = ()
    complete: bool = True
    expected_count: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "withdrawal_credentials": list(self.withdrawal_credentials),
            "pods": list(self.pods),
            "method": self.method,
            "complete": self.complete,
            "expected_count": self.expected_count,
        }


# ---- restaking delegation (optional in API v1: an adapter without `restaking` is "unknown") ----

BEACON_CHAIN_ETH_STRATEGY = "0xbeaC0eeEeeeeEEeEeEEEEeeEEeEeeeEeeEEBEaC0"
EIGENLAYER_MAINNET: Mapping[str, str] = {
    # EigenLayer's published mainnet deployment (checked against Layr-Labs/eigenlayer-contracts)
    "allocation_manager": "0x948a420b8CC1d6BFd0B6087C2E7c344a2CD0bc39",
    "delegation_manager": "0x39053D51B77DC0d36036Fc1fCc8Cb819df8Ef37A",
    "eigen_pod_manager": "0x91E677b07F7AF907ec9a428aafA9fc14a0d3A338",
}


@dataclass(frozen=True)
class EigenLayerAddresses:
    """The EigenLayer core contracts on this chain (protocol-level, common to every LRT)."""

    allocation_manager: str
    delegation_manager: str
    eigen_pod_manager: str
    strategy: str = BEACON_CHAIN_ETH_STRATEGY  # native ETH's strategy: what the LRTs restake


def eigenlayer_addresses(ctx: AdapterContext) -> EigenLayerAddresses:
    """The devnet deployment's `restaking` section, or EigenLayer's mainnet addresses."""
    if ctx.deployment is not None:
        section = ctx.deployment.get("restaking")
        if not isinstance(section, Mapping):
            raise AdapterError("the devnet deployment has no restaking section (redeploy it)")
        return EigenLayerAddresses(
            allocation_manager=str(section["allocation_manager"]),
            delegation_manager=str(section["delegation_manager"]),
            eigen_pod_manager=str(section["eigen_pod_manager"]),
            strategy=str(section.get("strategy", BEACON_CHAIN_ETH_STRATEGY)),
        )
    require_mainnet(ctx, "EigenLayer")
    return EigenLayerAddresses(**EIGENLAYER_MAINNET)


@dataclass(frozen=True)
class RestakingStaker:
    """One EigenLayer staker that holds part of the token's restaked ETH (an OperatorDelegator,
    a NodeDelegator, an ether.fi node, a staker proxy). `operator` is whom it delegates to
    (None: not delegated); shares are native-ETH strategy shares (1 share = 1 wei of ETH)."""

    address: str
    kind: str
    operator: str | None
    withdrawable_shares: int
    deposit_shares: int
    pod: str | None = None
    target_bps: int | None = None  # the protocol's own allocation to it, where it keeps one

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "kind": self.kind,
            "operator": self.operator,
            "withdrawable_shares": str(self.withdrawable_shares),
            "deposit_shares": str(self.deposit_shares),
            "pod": self.pod,
            "target_bps": self.target_bps,
        }


@dataclass(frozen=True)
class RestakingSource:
    """Where the token's restaked ETH sits. `complete` is False when the sources did not settle
    an address needed to enumerate (named in `unknown`): then `stakers` is what could be read,
    possibly nothing, and never a guess."""

    stakers: tuple[RestakingStaker, ...]
    method: str
    complete: bool = True
    unknown: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # e.g. a protocol's operator record that EigenLayer's differs from

    def to_json(self) -> dict[str, Any]:
        return {
            "stakers": [s.to_json() for s in self.stakers],
            "method": self.method,
            "complete": self.complete,
            "unknown": list(self.unknown),
            "notes": list(self.notes),
        }


def eigenlayer_stakers(
    ctx: AdapterContext,
    stakers: Sequence[str],
    kind: str,
    *,
    pods: Sequence[str | None] | None = None,
    target_bps: Sequence[int | None] | None = None,
) -> tuple[RestakingStaker, ...]:
    """Each staker's operator (`DelegationManager.delegatedTo`) and native-ETH shares
    (`getWithdrawableShares`), read through `ctx.call`."""
    el = eigenlayer_addresses(ctx)
    out = []
    for i, staker in enumerate(stakers):
        operator = str(ctx.call(el.delegation_manager, "delegatedTo(address)(address)", [staker]))
        withdrawable, deposit = ctx.call(
            el.delegation_manager,
            "getWithdrawableShares(address,address[])(uint256[],uint256[])",
            [staker, [el.strategy]],
        )
        pod = pods[i] if pods is not None else None
        out.append(
            RestakingStaker(
                address=str(staker),
                kind=kind,
                operator=None if int(operator, 16) == 0 else operator,
                withdrawable_shares=int(withdrawable[0]),
                deposit_shares=int(deposit[0]),
                pod=None if pod is None or int(str(pod), 16) == 0 else str(pod),
                target_bps=target_bps[i] if target_bps is not None else None,
            )
        )
    return tuple(out)


def operator_mismatches(
    stakers: Sequence[RestakingStaker], declared: Sequence[str], view: str
) -> tuple[str, ...]:
    """Notes where the protocol's own record (`view`) of a staker's operator differs from
    EigenLayer's `delegatedTo` (which the figures follow)."""
    notes = []
    for staker, operator in zip(stakers, declared, strict=True):
        mine = None if int(str(operator), 16) == 0 else str(operator).lower()
        theirs = staker.operator.lower() if staker.operator else None
        if mine != theirs:
            notes.append(
                f"{staker.address}: {view} says {operator}, EigenLayer's delegatedTo says "
                f"{staker.operator or 'none'} (the figures follow EigenLayer)"
            )
    return tuple(notes)


def unknown_restaking(method: str, *unknown: str) -> RestakingSource:
    """A source the adapter cannot enumerate: say what is missing (never zero, never a guess)."""
    return RestakingSource(stakers=(), method=method, complete=False, unknown=tuple(unknown))


@runtime_checkable
class LrtAdapter(Protocol):
    """The contract of API v1. Attributes may be class attributes; all amounts are wei ints."""

    api_version: int
    symbol: str  # canonical spelling, e.g. "weETH"
    name: str  # the protocol, e.g. "ether.fi"
    decimals: int

    def addresses(self, ctx: AdapterContext) -> TokenAddresses: ...

    def exchange_rate(self, ctx: AdapterContext) -> int:
        """ETH per token, 1e18-scaled, read on chain."""
        ...

    def mint_plan(self, ctx: AdapterContext, eth_amount: int, recipient: str) -> MintPlan:
        """Calls that turn `eth_amount` wei of ETH into the token, sent by `recipient`."""
        ...

    def withdrawal(self) -> WithdrawalInfo: ...

    def validators(self, ctx: AdapterContext) -> ValidatorSource: ...


def missing_members(obj: object) -> list[str]:
    """Names of the declarations of API v1 that `obj` lacks (empty when complete)."""
    missing = [n for n in REQUIRED_ATTRIBUTES if not hasattr(obj, n)]
    missing += [n for n in REQUIRED_METHODS if not callable(getattr(obj, n, None))]
    return missing


# ---- helpers for adapters: devnet deployment file ----


def deployment_token(ctx: AdapterContext, symbol: str) -> Mapping[str, Any]:
    """The deployment file's `tokens[symbol]` entry, or an AdapterError naming what is missing."""
    if ctx.deployment is None:
        raise AdapterError(f"{symbol}: no devnet deployment on network {ctx.network!r}")
    tokens = ctx.deployment.get("tokens") or {}
    entry = tokens.get(symbol)
    if not isinstance(entry, Mapping):
        raise AdapterError(f"{symbol}: the devnet deployment has no tokens.{symbol} entry")
    return entry


def devnet_addresses(ctx: AdapterContext, symbol: str) -> TokenAddresses:
    entry = deployment_token(ctx, symbol)
    contracts = entry.get("contracts") or {}
    return TokenAddresses(token=entry.get("address"), contracts=dict(contracts))


def devnet_validators(ctx: AdapterContext, symbol: str) -> ValidatorSource:
    entry = deployment_token(ctx, symbol)
    creds = tuple(str(c) for c in entry.get("withdrawal_credentials") or ())
    per = entry.get("validators_per_credential")
    # The deployment file is the devnet's registry: so many validators per credential.
    expected = int(per) * len(creds) if isinstance(per, int) and per > 0 else None
    return ValidatorSource(
        withdrawal_credentials=creds,
        method="devnet deployment file",
        complete=True,
        expected_count=expected,
    )


def require_mainnet(ctx: AdapterContext, symbol: str) -> None:
    """Adapters carry mainnet facts only; any other chain needs a deployment file."""
    if ctx.chain_id != MAINNET_CHAIN_ID:
        raise AdapterError(
            f"{symbol}: no addresses for chain {ctx.chain_id} (known: mainnet, or a devnet "
            "deployment file)"
        )


def withdrawal_credentials(address: str, prefixes: Sequence[int] = (1, 2)) -> tuple[str, ...]:
    """Credentials that pay to `address`: one per prefix (0x01 classic, 0x02 compounding)."""
    body = address.lower().removeprefix("0x")
    if len(body) != 40:
        raise AdapterError(f"not an address: {address!r}")
    return tuple(f"0x{p:02x}{'00' * 11}{body}" for p in prefixes)


def eigenpod_validators(
    ctx: AdapterContext, delegators: Sequence[Any], method: str
) -> ValidatorSource:
    """Validators behind EigenLayer delegators: each one's `eigenPod()`, and the credentials
    (0x01 and 0x02) that pay to each pod."""
    pods = tuple(str(ctx.call(str(d), "eigenPod()(address)")) for d in delegators)
    creds = tuple(c for pod in pods for c in withdrawal_credentials(pod))
    return ValidatorSource(withdrawal_credentials=creds, pods=pods, method=method)


# ---- helpers for adapters: mint plans ----


def require_positive_amount(eth_amount: int, symbol: str) -> None:
    """Refuse a mint from zero or negative wei (check it before any chain read)."""
    if eth_amount <= 0:
        raise AdapterError(f"{symbol}: the amount to mint from must be positive")


def payable_mint_plan(
    symbol: str,
    eth_amount: int,
    *,
    to: str,
    data: bytes,
    description: str,
    expected_out: int,
    min_out: int | None = None,
    notes: tuple[str, ...] = (),
) -> MintPlan:
    """A plan of one call to `to` that carries all of `eth_amount` as its value."""
    call = PlannedCall(to=to, value=eth_amount, data=data, description=description)
    return MintPlan(
        symbol=symbol,
        eth_in=eth_amount,
        calls=(call,),
        expected_out=expected_out,
        min_out=min_out,
        notes=notes,
    )


# ---- an optional base class for adapters ----


class BaseAdapter:
    """The mechanics every adapter repeats; optional (the registry only checks `LrtAdapter`).

    A subclass sets `symbol`, `name`, `decimals` and `mainnet` (its mainnet TokenAddresses), and
    writes `exchange_rate`, `mint_plan`, `withdrawal` and `mainnet_validators`. It inherits:

    - `api_version = API_VERSION`;
    - `addresses(ctx)`: the deployment file's entry on a devnet, else `mainnet` (mainnet only);
    - `validators(ctx)`: the deployment file's credentials on a devnet, else (mainnet only)
      `mainnet_validators(ctx)`;
    - `restaking(ctx)` (optional, the delegation seam): "unknown" until the subclass says.
    """

    api_version: int = API_VERSION
    symbol: str
    name: str
    decimals: int
    mainnet: TokenAddresses

    def addresses(self, ctx: AdapterContext) -> TokenAddresses:
        if ctx.deployment is not None:
            return devnet_addresses(ctx, self.symbol)
        require_mainnet(ctx, self.symbol)
        return self.mainnet

    def validators(self, ctx: AdapterContext) -> ValidatorSource:
        if ctx.deployment is not None:
            return devnet_validators(ctx, self.symbol)
        require_mainnet(ctx, self.symbol)
        return self.mainnet_validators(ctx)

    def mainnet_validators(self, ctx: AdapterContext) -> ValidatorSource:
        """The validators behind the token on mainnet (ctx is a mainnet context)."""
        raise NotImplementedError(f"{type(self).__name__} does not say its mainnet validators")

    def restaking(self, ctx: AdapterContext) -> RestakingSource:
        """Where the token's restaked ETH sits (optional: the default says it is unknown)."""
        return unknown_restaking(f"{self.symbol}: the adapter does not say", "restaking")


# ---- helpers for adapters: call signatures (cast notation) ----


@dataclass(frozen=True)
class Signature:
    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]

    @property
    def selector_text(self) -> str:
        return f"{self.name}({','.join(self.inputs)})"


def parse_signature(signature: str) -> Signature:
    """`"f(uint256,address)(bool)"` -> Signature("f", ("uint256", "address"), ("bool",)).

    A view of the project's one signature parser (ion_cli.abi.signature), in canonical types."""
    from ion_cli.abi.signature import input_types, output_types
    from ion_cli.abi.signature import parse_signature as parse

    entry = parse(signature)
    return Signature(entry["name"], tuple(input_types(entry)), tuple(output_types(entry)))


def encode_call(signature: str, args: Sequence[Any] = ()) -> bytes:
    """Calldata for `signature` with `args` (imports eth_abi on first use, not at import)."""
    from ion_cli.abi.codec import EncodingError
    from ion_cli.abi.codec import encode_call as encode
    from ion_cli.abi.signature import parse_signature as parse

    try:
        return encode(parse(signature), args)
    except EncodingError as exc:
        raise ValueError(str(exc)) from None


def decode_result(signature: str, data: bytes) -> Any:
    """Decode return data: the value itself for one output, a tuple for several, None for none."""
    from ion_cli.abi.codec import decode_output
    from ion_cli.abi.signature import parse_signature as parse

    return decode_output(parse(signature), data)


# A convenience for cores and tests: a ChainCall from a function that executes raw eth_calls.
def chain_call_from(eth_call: Callable[[str, bytes], bytes]) -> ChainCall:
    def call(to: str, signature: str, args: Sequence[Any] = ()) -> Any:
        return decode_result(signature, eth_call(to, encode_call(signature, args)))

    return call
