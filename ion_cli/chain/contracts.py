"""Contract handles from the compiled artifacts' ABIs, and plan calls built from them.

The devnet's reference contracts expose the same external interface as mainnet's, so one ABI
serves both networks: `contract(w3, "IonPool", address)` works against either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ion_cli.chain.plan import Call, CallKind
from ion_cli.errors import IonError, UsageError

if TYPE_CHECKING:
    from web3 import Web3
    from web3.contract import Contract

# Names other engineers may ask for that the artifacts may hold under another name: ReserveOracle
# is abstract, so its ABI is taken from a concrete oracle (they share the external interface).
ALIASES: dict[str, str] = {
    "ReserveOracle": "WeEthWstEthReserveOracle",
}


def _fn(name: str, inputs: str, outputs: str, mutability: str = "view") -> dict[str, Any]:
    def params(spec: str) -> list[dict[str, str]]:
        return [{"name": "", "type": t} for t in spec.split(",") if t]

    return {
        "type": "function",
        "name": name,
        "inputs": params(inputs),
        "outputs": params(outputs),
        "stateMutability": mutability,
    }


# The ERC20 surface ion uses, for any token (mainnet LRTs included) when no artifact is named.
ERC20_ABI: list[dict[str, Any]] = [
    _fn("name", "", "string"),
    _fn("symbol", "", "string"),
    _fn("decimals", "", "uint8"),
    _fn("totalSupply", "", "uint256"),
    _fn("balanceOf", "address", "uint256"),
    _fn("allowance", "address,address", "uint256"),
    _fn("approve", "address,uint256", "bool", "nonpayable"),
    _fn("transfer", "address,uint256", "bool", "nonpayable"),
    _fn("transferFrom", "address,address,uint256", "bool", "nonpayable"),
]


# Interface names that mean "any ERC20 token" (OpenZeppelin's, which the artifacts need not hold).
ERC20_NAMES = frozenset({"ERC20", "IERC20", "IERC20Metadata"})


def _load(name: str) -> list[dict[str, Any]]:
    try:
        from ion_cli.devnet.artifacts import load_artifact
    except ImportError as exc:
        raise IonError(f"the contract artifacts are not installed ({exc})") from None
    try:
        return list(load_artifact(name).abi)
    except IonError:
        raise
    except (OSError, LookupError, ValueError) as exc:
        raise IonError(f"no compiled artifact for contract {name!r} ({exc})") from None


def abi(artifact_name: str) -> list[dict[str, Any]]:
    """The ABI of a compiled contract of the reference deployment (ERC20 is built in)."""
    try:
        return _load(artifact_name)
    except IonError:
        if artifact_name in ERC20_NAMES:
            return list(ERC20_ABI)
        if artifact_name in ALIASES:
            return _load(ALIASES[artifact_name])
        raise


def checksum(address: str) -> str:
    """A checksummed address, or a UsageError naming the bad input."""
    from eth_utils.address import is_address, to_checksum_address

    if not isinstance(address, str) or not is_address(address):
        raise UsageError(f"not an address: {address!r}")
    return str(to_checksum_address(address))


def contract(w3: Web3, artifact_name: str, address: str) -> Contract:
    """A web3 contract for `artifact_name`'s ABI at `address`."""
    return w3.eth.contract(address=checksum(address), abi=abi(artifact_name))  # type: ignore[call-overload,no-any-return]


def contract_from_abi(w3: Web3, contract_abi: Sequence[dict[str, Any]], address: str) -> Contract:
    """A web3 contract from an ABI the caller holds (a plugin's, a test's)."""
    return w3.eth.contract(address=checksum(address), abi=list(contract_abi))  # type: ignore[call-overload,no-any-return]


def call_of(
    handle: Contract,
    fn_name: str,
    args: Sequence[Any] = (),
    *,
    value: int = 0,
    description: str = "",
    kind: CallKind = "action",
    name: str = "",
) -> Call:
    """A plan `Call` for `handle.fn_name(*args)`, named "Name.fn" in messages.

    `name` is the contract's display name (e.g. "IonPool"); the artifact name is not known to a
    web3 contract object, so without it the label is just the function name.
    """
    data = handle.encode_abi(fn_name, args=list(args))
    method = f"{name}.{fn_name}" if name else fn_name
    return Call(
        to=str(handle.address),
        data=bytes.fromhex(str(data)[2:]),
        value=value,
        description=description or method,
        kind=kind,
        method=method,
    )
