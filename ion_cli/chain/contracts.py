"""Contract wrappers named after the contracts' own functions, over their published interfaces.

    IonPool(pool).borrow(ilk, me, me, nd, [], description="borrow 1.5 wstETH")   # -> plan Call
    IonLens(lens).spot(pool, ilk)                                                 # -> a read

A wrapper encodes only what the contract's published data file (ion_cli/abi/published) holds:
a function the public contract lacks cannot be called by mistake and then work only on the
devnet. Every wrapper call is a `Call` (ion_cli.chain.plan) carrying its ABI entry, so a write
goes to the pipeline and a read to the reader (ion_cli.chain.rpc), which decodes the answer.
No web3 here: encoding is ion_cli.abi.codec (eth_abi, imported on first use).

`contract(w3, name, address)` remains for code that holds a web3 object (tests, the devnet
fixtures) to read or transact through web3; it too takes its ABI from the published interfaces.
Plan calls are built only by the wrappers here (an adapter's own calls: chain.plan.planned_call).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from ion_cli.abi import published
from ion_cli.abi.codec import EncodingError, encode_entry
from ion_cli.abi.signature import AbiEntry, signature_text
from ion_cli.addresses import to_checksum
from ion_cli.chain.plan import Call, CallKind
from ion_cli.errors import UsageError

if TYPE_CHECKING:
    from web3 import Web3
    from web3.contract import Contract as Web3Contract


class ContractFunction:
    """`wrapper.name`: calling it with the function's arguments gives a `Call`."""

    def __init__(self, contract: Contract, name: str, entries: Sequence[AbiEntry]) -> None:
        self.contract = contract
        self.name = name
        self.entries = tuple(entries)

    def entry(self, nargs: int) -> AbiEntry:
        found = [e for e in self.entries if len(e["inputs"]) == nargs]
        if not found:
            shapes = ", ".join(signature_text(e) for e in self.entries)
            raise UsageError(
                f"{self.contract.label}.{self.name} takes other arguments ({shapes}), got {nargs}"
            )
        return found[0]

    def __call__(
        self,
        *args: Any,
        value: int = 0,
        description: str = "",
        kind: CallKind = "action",
    ) -> Call:
        entry = self.entry(len(args))
        try:
            data = encode_entry(entry, args)
        except EncodingError as exc:
            raise UsageError(f"{self.contract.label}.{self.name}: {exc}") from None
        method = f"{self.contract.label}.{self.name}"
        return Call(
            to=self.contract.address,
            data=data,
            value=value,
            description=description or method,
            kind=kind,
            method=method,
            function=entry,
        )


class Contract:
    """A published interface at an address. `label` names it in messages ("weETH.approve")."""

    interface_name: ClassVar[str] = ""

    def __init__(self, address: str, *, interface: str = "", label: str = "") -> None:
        name = interface or self.interface_name
        if not name:
            raise TypeError("a Contract needs an interface name")
        self.interface = published.interface(name)
        self.address = to_checksum(address, what=f"{self.interface.name} address")
        self.label = label or self.interface.name

    def function(self, name: str) -> ContractFunction:
        entries = self.interface.functions(name)
        if not entries:
            raise published.NotPublished(
                f"{self.interface.name} publishes no function {name!r}: ion calls only the "
                "published interface (ion_cli/abi/published)"
            )
        return ContractFunction(self, name, entries)

    def __getattr__(self, name: str) -> ContractFunction:
        if name.startswith("_") or name in ("interface", "address", "label"):
            raise AttributeError(name)
        return self.function(name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.address!r}, label={self.label!r})"


# The contracts ion calls, by their published names.
class IonPool(Contract):
    interface_name = "IonPool"


class IonLens(Contract):
    interface_name = "IonLens"


class GemJoin(Contract):
    interface_name = "GemJoin"


class Whitelist(Contract):
    interface_name = "Whitelist"


class Liquidation(Contract):
    interface_name = "Liquidation"


class SpotOracle(Contract):
    interface_name = "SpotOracle"


class ReserveOracle(Contract):
    interface_name = "ReserveOracle"


class ERC20(Contract):
    interface_name = "ERC20"


class WETH(Contract):
    interface_name = "WETH"


def handler(address: str, interface: str, label: str = "") -> Contract:
    """A market's handler (`interface`: "WeEthHandler", "EzEthWethHandler", ...)."""
    return Contract(address, interface=interface, label=label)


# ---- for code that holds a web3 object (tests, fixtures)


def abi(name: str) -> list[dict[str, Any]]:
    """The published ABI of contract `name` (aliases such as IERC20Metadata included)."""
    return published.abi(name)


def checksum(address: str) -> str:
    """A checksummed address, or a UsageError naming the bad input."""
    return to_checksum(address)


def contract(w3: Web3, name: str, address: str) -> Web3Contract:
    """A web3 contract for `name`'s published ABI at `address`."""
    return w3.eth.contract(address=checksum(address), abi=abi(name))  # type: ignore[call-overload,no-any-return]


def contract_from_abi(
    w3: Web3, contract_abi: Sequence[dict[str, Any]], address: str
) -> Web3Contract:
    """A web3 contract from an ABI the caller holds (a plugin's, a test's)."""
    return w3.eth.contract(address=checksum(address), abi=list(contract_abi))  # type: ignore[call-overload,no-any-return]
