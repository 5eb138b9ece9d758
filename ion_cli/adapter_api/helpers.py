"""Helpers for adapters: the devnet deployment file, validators, mint plans, call signatures."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ion_cli.adapter_api.context import MAINNET_CHAIN_ID, AdapterContext, AdapterError, ChainCall
from ion_cli.adapter_api.types import MintPlan, PlannedCall, TokenAddresses, ValidatorSource

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
    from ion_cli.abi.codec import EncodingError, encode_entry
    from ion_cli.abi.signature import parse_signature as parse

    try:
        return encode_entry(parse(signature), args)
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
