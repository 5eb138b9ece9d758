"""The selector guard: every call the client sends must be one the public contracts answer.

A recording JSON-RPC proxy sits between the client and a node and keeps the calldata of every
eth_call, eth_estimateGas, eth_createAccessList, eth_simulateV1, eth_sendTransaction and
eth_sendRawTransaction. `check` maps each target address to the published interface it stands
for on the devnet (from the deployment document) and reports any selector that interface does
not publish: a client path that would pass on the devnet and fail against mainnet.

Used by tests/integration/test_selector_guard.py; kept in the package so plugin authors can run
their own walk-throughs through it.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CALL_METHODS = ("eth_call", "eth_estimateGas", "eth_createAccessList", "eth_sendTransaction")


@dataclass(frozen=True)
class SentCall:
    method: str
    to: str  # lower-case address
    data: bytes

    @property
    def selector(self) -> bytes:
        return self.data[:4]


@dataclass
class Recording:
    calls: list[SentCall] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # requests the proxy could not read
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, method: str, tx: Mapping[str, Any]) -> None:
        to = tx.get("to")
        data = tx.get("data") or tx.get("input") or "0x"
        if not to:
            return  # a contract creation: the client deploys nothing, the check reports it
        text = data if isinstance(data, str) else "0x" + bytes(data).hex()
        raw = bytes.fromhex(text[2:])
        with self.lock:
            self.calls.append(SentCall(method, str(to).lower(), raw))


def _record_request(recording: Recording, request: Mapping[str, Any]) -> None:
    method = request.get("method")
    params = request.get("params") or []
    if method in CALL_METHODS and params:
        recording.add(str(method), params[0])
    elif method == "eth_simulateV1" and params:
        for block in params[0].get("blockStateCalls", []):
            for tx in block.get("calls", []):
                recording.add("eth_simulateV1", tx)
    elif method == "eth_sendRawTransaction" and params:
        recording.add("eth_sendRawTransaction", decode_raw_transaction(str(params[0])))


def decode_raw_transaction(raw_hex: str) -> dict[str, Any]:
    """`to` and `data` of a signed transaction (legacy or typed)."""
    from eth_account.typed_transactions.typed_transaction import TypedTransaction
    from hexbytes import HexBytes

    raw = bytes.fromhex(raw_hex[2:] if raw_hex.startswith("0x") else raw_hex)
    if raw and raw[0] <= 0x7F:  # EIP-2718 typed envelope
        tx = TypedTransaction.from_bytes(HexBytes(raw)).as_dict()
        to = tx.get("to")
        data = tx.get("data", b"")
    else:
        import rlp

        fields = rlp.decode(raw)
        to, data = fields[3], fields[5]
    to_hex = "0x" + bytes(to).hex() if to else None
    return {"to": to_hex, "data": "0x" + bytes(data).hex()}


@contextmanager
def recording_proxy(upstream: str) -> Iterator[tuple[str, Recording]]:
    """A local HTTP JSON-RPC proxy to `upstream`; yields (its URL, the recording)."""
    recording = Recording()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                parsed = json.loads(body)
                for request in parsed if isinstance(parsed, list) else [parsed]:
                    if isinstance(request, dict):
                        _record_request(recording, request)
            except Exception as exc:  # a request the guard cannot read must fail the check
                with recording.lock:
                    recording.errors.append(f"{type(exc).__name__}: {exc}")
            forward = urllib.request.Request(
                upstream, data=body, headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(forward, timeout=60) as answer:
                payload = answer.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", recording
    finally:
        server.shutdown()
        server.server_close()


def devnet_targets(deployment: Mapping[str, Any]) -> dict[str, str]:
    """address (lower case) -> the published interface it stands for on the devnet."""
    targets: dict[str, str] = {}
    shared = deployment["shared"]

    def put(address: Any, name: str) -> None:
        if isinstance(address, str) and address.startswith("0x"):
            targets[address.lower()] = name

    put(shared.get("whitelist"), "Whitelist")
    put(shared.get("lens"), "IonLens")
    put(shared.get("interest_rate"), "InterestRate")
    put(shared.get("weth"), "WETH")
    put(shared.get("steth"), "StETH")
    put(shared.get("wsteth"), "WstETH")
    put(shared.get("uniswap_wsteth_weth_pool"), "UniswapV3Pool")
    put(shared.get("weth_flash_pool"), "UniswapV3Pool")
    put(shared.get("balancer_vault"), "BalancerVault")
    put(shared.get("uniswap_swap_router"), "SwapRouter02")
    put(shared.get("uniswap_quoter"), "QuoterV2")
    adapters = _adapters()
    for name, market in deployment["markets"].items():
        put(market["pool"], "IonPool")
        put(market["gem_join"], "GemJoin")
        leverage = getattr(adapters.get(name.lower()), "leverage", None)
        put(market["handler"], getattr(leverage, "handler", None) or "IonHandlerBase")
        put(market["reserve_oracle"], "ReserveOracle")
        put(market["spot_oracle"], "SpotOracle")
        put(market["liquidation"], "Liquidation")
        put(market.get("unwind_pool"), "UniswapV3Pool")
        put(market.get("risk_feed"), "RiskFeed")  # the reserve oracle's FEED0 (zk risk proofs)
    # the tokens' own contracts: each adapter names their published interfaces (API v2)
    tokens: dict[str, str] = {}
    token_contracts: dict[str, dict[str, str]] = {"wsteth": {"steth": "StETH"}}
    for key, adapter in adapters.items():
        files = getattr(adapter, "contracts", None)
        if files is None:
            continue
        if files.token_interface:
            tokens[key] = files.token_interface
        token_contracts[key] = dict(files.interfaces)
    restaking = deployment.get("restaking") or {}  # EigenLayer stand-ins and the LRTs' stakers
    put(restaking.get("allocation_manager"), "AllocationManager")
    put(restaking.get("delegation_manager"), "DelegationManager")
    put(restaking.get("eigen_pod_manager"), "EigenPodManager")
    for address, name in (restaking.get("stakers") or {}).items():
        put(address, name)
    for symbol, token in deployment.get("tokens", {}).items():
        if symbol.lower() in tokens:
            put(token.get("address"), tokens[symbol.lower()])
        named = token_contracts.get(symbol.lower(), {})
        for key, address in (token.get("contracts") or {}).items():
            if key in named:
                put(address, named[key])
    return targets


def _adapters() -> dict[str, Any]:
    from ion_cli.plugins_registry import adapters

    return dict(adapters())


def problems(calls: list[SentCall], targets: Mapping[str, str]) -> list[str]:
    """One line per call whose selector the target's published interface lacks."""
    from ion_cli.abi import published

    found: list[str] = []
    seen: set[tuple[str, bytes]] = set()
    for call in calls:
        if (call.to, call.selector) in seen:
            continue
        seen.add((call.to, call.selector))
        name = targets.get(call.to)
        if name is None:
            found.append(f"{call.method} to {call.to}: not a contract of the deployment")
            continue
        if len(call.data) < 4:
            continue  # a plain ETH transfer (e.g. minting through a payable receive)
        selectors = published.interface(name).selectors()
        if call.selector not in selectors:
            found.append(
                f"{call.method} to {name} ({call.to}): selector 0x{call.selector.hex()} "
                f"is not in the published {name} interface"
            )
    return found


def covered(calls: list[SentCall], targets: Mapping[str, str]) -> set[str]:
    """`Name.function(types)` of every recorded call (what the walk-through exercised)."""
    from ion_cli.abi import published

    out: set[str] = set()
    for call in calls:
        name = targets.get(call.to)
        if name is None or len(call.data) < 4:
            continue
        text = published.interface(name).selectors().get(call.selector)
        if text:
            out.add(f"{name}.{text}")
    return out
