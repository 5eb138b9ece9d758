"""Safe 1.4.1 on the devnet, from the npm package `@safe-global/safe-contracts` (its compiled
artifacts under build/artifacts, read from node_modules at run time: `make setup` installs
them with anvil, which the devnet needs anyway; nothing is compiled or downloaded).

The singleton, the proxy factory, MultiSendCallOnly and the compatibility fallback handler are
deployed the way Safe deploys them on every chain: through Safe's singleton factory (a CREATE2
deployer at 0x914d7F...; on the devnet its 69-byte runtime is placed with anvil_setCode, in
place of its pre-signed deployment transaction) with salt 0. So they land at the canonical 1.4.1
addresses, which `ion_cli.chain.safe_tx` uses on every network, and a mismatch between the
package's bytecode and Safe's published deployment would show as a different address (refused).

`create_safe` then makes a Safe proxy for given owners and threshold, as the Safe{Wallet}
does (SafeProxyFactory.createProxyWithNonce with `setup` as initializer).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ion_cli.chain import safe_tx as st
from ion_cli.devnet import node
from ion_cli.errors import IonError, UsageError

PACKAGE = "@safe-global/safe-contracts"
# Safe's singleton factory (safe-singleton-factory): a CREATE2 deployer taking salt (32 bytes)
# + init code, answering the new address; the same runtime as the deterministic deployment
# proxy's.
SINGLETON_FACTORY = "0x914d7Fec6aaC8cd542e72Bca78B30650d45643d7"
SINGLETON_FACTORY_CODE = (
    "0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe036016000816020823780"
    "35828234f58015156039578182fd5b8082525050506014600cf3"
)
# (artifact path under build/artifacts/contracts, canonical address)
CONTRACTS: dict[str, tuple[str, str]] = {
    "Safe": ("Safe.sol/Safe.json", st.SAFE_SINGLETON),
    "SafeProxyFactory": ("proxies/SafeProxyFactory.sol/SafeProxyFactory.json", st.PROXY_FACTORY),
    "MultiSendCallOnly": (
        "libraries/MultiSendCallOnly.sol/MultiSendCallOnly.json",
        st.MULTI_SEND_CALL_ONLY,
    ),
    "CompatibilityFallbackHandler": (
        "handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json",
        st.FALLBACK_HANDLER,
    ),
}
DEPLOY_GAS = 8_000_000  # the singleton takes about 5M
# ProxyCreation(address indexed proxy, address singleton)
_PROXY_CREATION = "ProxyCreation(address,address)"


class SafeDeployError(IonError):
    """The Safe contracts could not be deployed on the devnet."""


def package_dir() -> Path:
    from ion_cli.devnet.toolchain import node_modules_dirs

    for modules in node_modules_dirs():
        candidate = modules / PACKAGE / "build" / "artifacts" / "contracts"
        if candidate.is_dir():
            return candidate
    raise UsageError(
        f"the npm package {PACKAGE} is not installed: run `make setup` (or `npm ci`) in the "
        "project, or point ION_NODE_MODULES at a node_modules holding it"
    )


def artifact(name: str) -> dict[str, Any]:
    """The package's compiled artifact of `name` (abi, bytecode, deployedBytecode)."""
    path = package_dir() / CONTRACTS[name][0]
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise SafeDeployError(f"cannot read the {name} artifact {path}: {exc}") from None
    if not isinstance(data, dict) or not str(data.get("bytecode", "")).startswith("0x"):
        raise SafeDeployError(f"the {name} artifact {path} has no bytecode")
    return data


def _code(rpc_url: str, address: str) -> str:
    return str(node.rpc(rpc_url, "eth_getCode", [address, "latest"]))


def _has_code(rpc_url: str, address: str) -> bool:
    return _code(rpc_url, address) not in ("0x", "")


def _send(rpc_url: str, sender: str, to: str, data: str, gas: int) -> dict[str, Any]:
    """Send from an account the node unlocked (anvil's) and wait for the receipt."""
    tx = {"from": sender, "to": to, "data": data, "gas": hex(gas)}
    tx_hash = node.rpc(rpc_url, "eth_sendTransaction", [tx])
    deadline = time.monotonic() + 60
    while True:
        receipt = node.rpc(rpc_url, "eth_getTransactionReceipt", [tx_hash])
        if receipt is not None:
            break
        if time.monotonic() > deadline:
            raise SafeDeployError(f"transaction {tx_hash} was not mined within 60 s")
        time.sleep(0.02)
    if int(str(receipt["status"]), 16) != 1:
        raise SafeDeployError(f"transaction {tx_hash} to {to} reverted")
    return dict(receipt)


def deploy_contracts(rpc_url: str, sender: str) -> dict[str, str]:
    """Deploy the Safe 1.4.1 contracts at their canonical addresses (those already there are
    kept); returns name -> address."""
    if not _has_code(rpc_url, SINGLETON_FACTORY):
        node.rpc(rpc_url, "anvil_setCode", [SINGLETON_FACTORY, SINGLETON_FACTORY_CODE])
    deployed: dict[str, str] = {}
    for name, (_, address) in CONTRACTS.items():
        if not _has_code(rpc_url, address):
            init = str(artifact(name)["bytecode"])[2:]
            _send(rpc_url, sender, SINGLETON_FACTORY, "0x" + "00" * 32 + init, DEPLOY_GAS)
            if not _has_code(rpc_url, address):
                raise SafeDeployError(
                    f"{name} from {PACKAGE} did not land at its canonical address {address}: "
                    "the package's bytecode differs from Safe's 1.4.1 deployment"
                )
        deployed[name] = address
    return deployed


@dataclass(frozen=True)
class CreatedSafe:
    address: str
    owners: list[str]
    threshold: int
    contracts: dict[str, str]
    tx_hash: str
    block: int

    def to_json(self) -> dict[str, Any]:
        return {
            "safe": self.address,
            "owners": self.owners,
            "threshold": self.threshold,
            "version": st.VERSION,
            "singleton": self.contracts["Safe"],
            "proxy_factory": self.contracts["SafeProxyFactory"],
            "multisend_call_only": self.contracts["MultiSendCallOnly"],
            "fallback_handler": self.contracts["CompatibilityFallbackHandler"],
            "tx_hash": self.tx_hash,
            "block": self.block,
        }


def parse_owners(owners: list[str], threshold: int) -> list[str]:
    """Owners as checksummed addresses, distinct, and a threshold 1..len(owners)."""
    from ion_cli.addresses import parse_address

    if not owners:
        raise UsageError("a Safe needs at least one owner (--owners A,B)")
    parsed = [str(parse_address(o.strip(), what="owner")) for o in owners]
    if len({o.lower() for o in parsed}) != len(parsed):
        raise UsageError("--owners lists the same address twice")
    if not 1 <= threshold <= len(parsed):
        raise UsageError(f"--threshold must be from 1 to {len(parsed)} (the number of owners)")
    return parsed


def create_safe(
    rpc_url: str, sender: str, owners: list[str], threshold: int, salt_nonce: int | None = None
) -> CreatedSafe:
    """Deploy the Safe contracts if needed, then a Safe proxy owned by `owners` (`threshold`
    of them sign), paid by `sender`; returns its address (from the factory's ProxyCreation)."""
    from ion_cli.abi.signature import _keccak_prefix

    parsed = parse_owners(owners, threshold)
    contracts = deploy_contracts(rpc_url, sender)
    salt = time.time_ns() if salt_nonce is None else salt_nonce
    call = st.create_proxy_call(parsed, threshold, salt)
    receipt = _send(rpc_url, sender, call.to, "0x" + call.data.hex(), 1_000_000)
    topic = "0x" + _keccak_prefix(_PROXY_CREATION, 32).hex()
    for log in receipt.get("logs") or []:
        topics = log.get("topics") or []
        if len(topics) == 2 and str(topics[0]).lower() == topic:
            from ion_cli.addresses import to_checksum

            address = str(to_checksum("0x" + str(topics[1])[-40:]))
            return CreatedSafe(
                address=address,
                owners=parsed,
                threshold=threshold,
                contracts=contracts,
                tx_hash=str(receipt["transactionHash"]),
                block=int(str(receipt["blockNumber"]), 16),
            )
    raise SafeDeployError("the proxy factory emitted no ProxyCreation event")
