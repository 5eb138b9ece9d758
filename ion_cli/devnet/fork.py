"""Fork mode: `ion devnet up --fork-url URL [--fork-block N]`.

anvil forks the chain at URL (keeping its chain id) instead of starting an empty one, and
nothing is deployed: the devnet's network profile follows the forked chain's id. Chain id 1 is
mainnet (its published addresses); the devnet's own id means a fork of another devnet, whose
reference deployment is found at the addresses a fresh deployment always has (the admin deploys
from nonce 0, so every devnet has the same ones); any other id takes the config profile with
that chain id, if there is one. The dev account is funded with ETH and, where the profile knows
how, with the markets' tokens: WETH by wrapping, wstETH by staking, LRTs through the adapters'
mint paths, other plain ERC-20 tokens by writing their balance slot.

`fork.json` in the devnet dir records what was forked (the URL with its path hidden, as URLs
usually carry an API key), at which block, and the profile; `ion devnet status` shows it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from ion_cli import chain_ids
from ion_cli.devnet import node
from ion_cli.errors import IonError, NodeError
from ion_cli.fork_record import FORK_FILE, ForkInfo, forget, load, path, save
from ion_cli.redact import display_url

__all__ = ["FORK_FILE", "ForkInfo", "forget", "fund_dev", "load", "path", "profile_name", "save"]
DEV_ETH = 100_000  # ETH the dev account gets on a fork (it pays for the token mints)
WAD = 10**18

Progress = Callable[[str], None]


def profile_name(chain_id: int, config_networks: Mapping[str, Any] | None = None) -> str | None:
    """The profile a fork of chain `chain_id` uses."""
    if chain_id == chain_ids.MAINNET:
        return "mainnet"
    if chain_id == chain_ids.DEVNET:
        return "devnet"
    for name, raw in sorted((config_networks or {}).items()):
        if isinstance(raw, Mapping) and raw.get("chain_id") == chain_id:
            return str(name)
    return None


# ---------------------------------------------------------------- funding the dev account


def _call(url: str, to: str, data: bytes) -> bytes:
    answer = node.rpc(url, "eth_call", [{"to": to, "data": "0x" + data.hex()}, "latest"])
    return bytes.fromhex(str(answer)[2:])


def _send(url: str, sender: str, to: str, data: bytes = b"", value: int = 0) -> None:
    tx = {"from": sender, "to": to, "data": "0x" + data.hex(), "value": hex(value)}
    tx_hash = node.rpc(url, "eth_sendTransaction", [tx], timeout=30.0)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        receipt = node.rpc(url, "eth_getTransactionReceipt", [tx_hash])
        if receipt is not None:
            if int(receipt["status"], 16) != 1:
                raise NodeError(f"the funding transaction to {to} reverted")
            return
        time.sleep(0.05)
    raise NodeError(f"the funding transaction to {to} was not mined")


def _selector(signature: str) -> bytes:
    from eth_utils.crypto import keccak

    return bytes(keccak(text=signature))[:4]


def _word(value: int | str) -> bytes:
    if isinstance(value, str):
        return bytes(12) + bytes.fromhex(value[2:])
    return value.to_bytes(32, "big")


def balance_of(url: str, token: str, owner: str) -> int:
    return int.from_bytes(_call(url, token, _selector("balanceOf(address)") + _word(owner)), "big")


def _address_of(url: str, to: str, signature: str, *args: int) -> str:
    data = _selector(signature) + b"".join(_word(a) for a in args)
    answer = _call(url, to, data)
    if len(answer) < 32:
        raise NodeError(f"no contract answers {signature} at {to}")
    return "0x" + answer[12:32].hex()


def write_erc20_balance(url: str, token: str, owner: str, amount: int) -> bool:
    """Set `owner`'s balance of a plain ERC-20 (a `mapping(address => uint256)` in one of the
    first slots) by writing storage; True when balanceOf then reads `amount`."""
    from eth_utils.crypto import keccak

    for slot in range(32):
        key = "0x" + bytes(keccak(_word(owner) + _word(slot))).hex()
        old = node.rpc(url, "eth_getStorageAt", [token, key, "latest"])
        node.rpc(url, "anvil_setStorageAt", [token, key, "0x" + _word(amount).hex()])
        if balance_of(url, token, owner) == amount:
            return True
        node.rpc(url, "anvil_setStorageAt", [token, key, "0x" + _word(int(old, 16)).hex()])
    return False


def _mint_with_adapter(url: str, adapter: Any, ctx: Any, dev: str, eth: int) -> None:
    plan = adapter.mint_plan(ctx, eth, dev)
    for call in plan.calls:
        _send(url, dev, call.to, bytes(call.data), call.value)


def _adapter_context(url: str, chain_id: int, deployment: Mapping[str, Any] | None) -> Any:
    from ion_cli.adapters import AdapterContext, chain_call_from

    def eth_call(to: str, data: bytes) -> bytes:
        return _call(url, to, data)

    network = "devnet" if deployment is not None else "mainnet"
    return AdapterContext(
        chain_id=chain_id, network=network, deployment=deployment, call=chain_call_from(eth_call)
    )


def fund_dev(
    url: str,
    dev: str,
    markets: Mapping[str, tuple[str, str]],  # collateral symbol -> (pool address, base symbol)
    chain_id: int,
    deployment: Mapping[str, Any] | None,
    amount: int,
    say: Progress,
) -> dict[str, str]:
    """ETH, then `amount` of each market's base asset and collateral where the profile knows
    how. Returns symbol -> how it was funded, or why it was not (funding is best effort: a
    fork of a chain without the contracts still starts)."""
    node.rpc(url, "anvil_setBalance", [dev, hex(DEV_ETH * WAD)])
    done: dict[str, str] = {"ETH": f"{DEV_ETH} ETH (anvil_setBalance)"}
    from ion_cli import plugins_registry

    adapters = {a.symbol.lower(): a for a in plugins_registry.adapters().values()}
    ctx = _adapter_context(url, chain_id, deployment)
    for symbol, (pool, base_symbol) in markets.items():
        say(f"funding the dev account with {base_symbol} and {symbol}")
        try:
            base = _address_of(url, pool, "underlying()")
            collateral = _address_of(url, pool, "getIlkAddress(uint256)", 0)
        except NodeError as exc:
            done.setdefault(symbol, f"not funded: the pool does not answer ({exc.message[:80]})")
            done.setdefault(base_symbol, "not funded: the pool does not answer")
            continue
        if base_symbol not in done:
            done[base_symbol] = _fund_base(url, dev, base, base_symbol, amount)
        adapter = adapters.get(symbol.lower())
        try:
            if adapter is not None:
                rate = int(adapter.exchange_rate(ctx))  # ETH per token, WAD
                _mint_with_adapter(url, adapter, ctx, dev, amount * rate // WAD + WAD)
                done[symbol] = f"minted through the {adapter.symbol} adapter's mint path"
            elif write_erc20_balance(url, collateral, dev, amount):
                done[symbol] = "balance slot written"
            else:
                done[symbol] = "not funded: no adapter and no plain balance slot"
        except Exception as exc:  # best effort: an adapter may fail in its own ways
            reason = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            done[symbol] = f"not funded: {reason[:120]}"
    return done


def _fund_base(url: str, dev: str, token: str, symbol: str, amount: int) -> str:
    try:
        if symbol == "WETH":
            _send(url, dev, token, _selector("deposit()"), amount)
            return "wrapped (WETH.deposit)"
        if symbol == "wstETH":
            # wstETH stakes and wraps ETH sent to it (mainnet and the devnet stand-in alike);
            # ETH per wstETH is above 1, so send a margin and keep what comes
            _send(url, dev, token, b"", amount * 13 // 10)
            return "staked and wrapped (ETH sent to wstETH)"
        if write_erc20_balance(url, token, dev, amount):
            return "balance slot written"
        return "not funded: no plain balance slot"
    except (IonError, ValueError) as exc:
        return f"not funded: {getattr(exc, 'message', str(exc))[:120]}"


def source_label(url: str) -> str:
    return display_url(url)
