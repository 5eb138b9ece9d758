"""pytest fixtures for a real devnet: one anvil per test session, deployed once, and a fresh
EVM snapshot for every test.

- `devnet_session` (session): anvil on a free port in a temporary dir (no --state), the full
  deployment, the beacon API server following that anvil (its URL in the deployment file as
  `beacon_url`, and on the handle), a web3 instance; both are stopped in `finally`.
- `devnet` (function): the same handle, with the chain reverted after the test and
  ION_DEVNET_DIR pointing at the session's dir, so `ion` commands run in-process see the node.
- `module_state(handle, home)`: for a module-scoped fixture preparing the devnet once for all
  of a module's tests (reverted at the module's end).
- `warp(w3, seconds)`, `mine(w3)`, `snapshot(w3)`/`revert(w3, id)`: time and state helpers.

web3 is imported inside the fixtures: this module loads with every pytest run (pytest11 plugin).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ion_cli.devnet import deployment as dep
from ion_cli.devnet.artifacts import all_error_abis, canonical_type, load_artifact, signature
from ion_cli.devnet.txbatch import encode_artifact_call

KEEPER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # anvil account 1: a third party

__all__ = [
    "KEEPER",
    "DevnetHandle",
    "Protocol",
    "Reverted",
    "beacon_server",
    "decode_error",
    "devnet",
    "devnet_session",
    "mine",
    "module_state",
    "revert",
    "set_faults",
    "snapshot",
    "start_devnet",
    "stop_devnet",
    "warp",
]


@dataclass
class DevnetHandle:
    rpc_url: str
    deployment: dep.Deployment  # typed fields, and mapping access to the raw JSON document
    deployment_dir: Path  # holds deployment.json (set ION_DEVNET_DIR to it)
    w3: Any  # web3.Web3
    pid: int
    beacon_url: str | None = None
    beacon_pid: int | None = None

    @property
    def admin(self) -> str:
        return self.deployment.admin

    @property
    def dev(self) -> str:
        return self.deployment.dev_account


def start_devnet(directory: Path, *, with_beacon: bool = True) -> DevnetHandle:
    """Start anvil in `directory` without a state file, deploy, and start the beacon server
    (through the managed-services module, as `ion devnet up` does); the caller stops both
    (`stop_devnet(handle)`)."""
    from web3 import Web3

    from ion_cli.devnet import beacon, deploy, node, processes

    with processes.locked(directory):
        info = node.start(directory, persist=False)
        server = None
        try:
            document = deploy.deploy(info.rpc_url)
            if with_beacon:
                dep.save(document, directory)  # the server reads the LRT credentials from it
                server = beacon.start(directory, info.rpc_url)
                document = {**document, "beacon_url": server.url}
            dep.save(document, directory)
            w3 = Web3(Web3.HTTPProvider(info.rpc_url, request_kwargs={"timeout": 30}))
            return DevnetHandle(
                rpc_url=info.rpc_url,
                deployment=dep.parse(document),
                deployment_dir=directory,
                w3=w3,
                pid=info.pid,
                beacon_url=server.url if server else None,
                beacon_pid=server.pid if server else None,
            )
        except BaseException:
            if server is not None:
                beacon.terminate(server.pid)
            node.terminate(info.pid)
            raise


def stop_devnet(handle: DevnetHandle) -> None:
    """Stop what `start_devnet` started (the beacon server first: it follows the node)."""
    from ion_cli.devnet import beacon, node, processes

    with processes.locked(handle.deployment_dir):
        if handle.beacon_pid is not None:
            beacon.terminate(handle.beacon_pid)
            beacon.stop(handle.deployment_dir)
        node.terminate(handle.pid)
        node.clear(handle.deployment_dir)


@contextmanager
def beacon_server(
    workdir: Path,
    *,
    rpc_url: str | None = None,
    args: Sequence[str] = (),
    deployment: Path | None = None,
) -> Iterator[str]:
    """Another beacon API server (failover, cross-check, error and benchmark tests); yields its
    URL and stops it afterwards. With `rpc_url` it follows that devnet (same seed: the same
    chain as the devnet's own server, so the two agree; `args=["--seed", "x"]` disagrees);
    without, it serves a fixed head (`args=["--validators", "100000"]` for benchmark sizes).
    It keeps its state in memory: never share the devnet dir's state file. `deployment` (the
    devnet's deployment.json) gives it the devnet's LRT credentials (ezETH's and rsETH's
    validators pay to their delegators' pods, which only the deployment names)."""
    from ion_cli.devnet import beacon, processes

    extra = ["--deployment", str(deployment)] if deployment is not None else []
    service = beacon.beacon_service(None, rpc_url, [*extra, *args])
    _, info = processes.spawn(service, workdir)
    try:
        yield info.url
    finally:
        processes.terminate(info.pid, service, timeout=10.0)


def set_faults(beacon_url: str, **faults: object) -> dict[str, object]:
    """Make a beacon server misbehave (syncing, optimistic, no_post, malformed, drop,
    status_code, delay_ms); `reset=True` first clears every fault."""
    from ion_cli.devnet import beacon

    return dict(beacon.call(beacon_url, "/ion/v1/devnet/faults", dict(faults)))


@pytest.fixture(scope="session")
def devnet_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevnetHandle]:
    handle = start_devnet(tmp_path_factory.mktemp("devnet"))
    try:
        yield handle
    finally:
        stop_devnet(handle)


@pytest.fixture
def devnet(devnet_session: DevnetHandle, monkeypatch: pytest.MonkeyPatch) -> Iterator[DevnetHandle]:
    monkeypatch.setenv("ION_DEVNET_DIR", str(devnet_session.deployment_dir))
    snap = snapshot(devnet_session.w3)
    try:
        yield devnet_session
    finally:
        revert(devnet_session.w3, snap)


@contextmanager
def module_state(devnet: DevnetHandle, home: Path) -> Iterator[pytest.MonkeyPatch]:
    """For a module-scoped fixture that prepares the session devnet once for all of a module's
    tests (proofs, slashings, deployments), instead of once per test: an EVM snapshot reverted
    when the module ends, and the suite's isolated environment (XDG dirs under `home`, the file
    keyring, ION_DEVNET_DIR) while it runs. Module-scoped fixtures are set up before the
    per-test `devnet` snapshot, so every test starts from the prepared state and each test's
    changes are still reverted. Yields the MonkeyPatch (more variables: ION_ZK_CACHE, ...)."""
    snap = snapshot(devnet.w3)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ION_DEVNET_DIR", str(devnet.deployment_dir))
        for var, sub in (
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_STATE_HOME", "state"),
            ("XDG_CACHE_HOME", "cache"),
        ):
            mp.setenv(var, str(home / sub))
        mp.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
        try:
            yield mp
        finally:
            revert(devnet.w3, snap)


def snapshot(w3: Any) -> str:
    return str(w3.provider.make_request("evm_snapshot", [])["result"])


def revert(w3: Any, snapshot_id: str) -> None:
    answer = w3.provider.make_request("evm_revert", [snapshot_id])
    if answer.get("result") is not True:
        raise RuntimeError(f"evm_revert({snapshot_id}) failed: {answer}")


def mine(w3: Any, blocks: int = 1) -> None:
    w3.provider.make_request("anvil_mine", [hex(blocks)])


def warp(w3: Any, seconds: int) -> int:
    """Move the chain's clock forward by `seconds` and mine a block; returns its timestamp."""
    w3.provider.make_request("evm_increaseTime", [hex(seconds)])
    w3.provider.make_request("evm_mine", [])
    return int(w3.eth.get_block("latest")["timestamp"])


# ---------------------------------------------------------------- calls by contract name


class Reverted(AssertionError):
    """A call a test expected to succeed reverted (message: the decoded custom error)."""


def decode_error(data: str) -> tuple[str, tuple[Any, ...]]:
    """(name, args) of a custom error from the devnet's artifacts."""
    from eth_abi.abi import decode
    from eth_utils.abi import function_signature_to_4byte_selector

    raw = bytes.fromhex(data[2:])
    for item in all_error_abis():
        if raw[:4] == function_signature_to_4byte_selector(signature(item)):
            types = [canonical_type(i) for i in item.get("inputs", [])]
            return item["name"], tuple(decode(types, raw[4:])) if types else ()
    raise AssertionError(f"unknown revert data {data}")


@dataclass
class Protocol:
    """Call, send and expect reverts by contract name (ABIs from the shipped artifacts), from
    anvil's unlocked accounts (dev = account 0, admin = account 9, KEEPER = account 1)."""

    devnet: DevnetHandle

    @property
    def w3(self) -> Any:
        return self.devnet.w3

    @property
    def dev(self) -> str:
        return self.devnet.dev

    @property
    def admin(self) -> str:
        return self.devnet.admin

    def market(self, name: str) -> dep.MarketDeployment:
        return self.devnet.deployment.market(name)

    def call(self, to: str, contract: str, fn: str, *args: Any, block: Any = "latest") -> Any:
        """A view's decoded result (a tuple when it returns several values)."""
        from eth_abi.abi import decode

        data = encode_artifact_call(contract, fn, *args)
        block_tag = hex(block) if isinstance(block, int) else block
        answer = self.w3.provider.make_request("eth_call", [{"to": to, "data": data}, block_tag])
        if "error" in answer:
            raise Reverted(f"{contract}.{fn}: {answer['error']}")
        (item,) = [
            i
            for i in load_artifact(contract).abi
            if i.get("type") == "function" and i["name"] == fn and len(i["inputs"]) == len(args)
        ]
        types = [canonical_type(o) for o in item["outputs"]]
        values = decode(types, bytes.fromhex(answer["result"][2:]))
        return values[0] if len(values) == 1 else tuple(values)

    def send(self, sender: str, to: str, contract: str, fn: str, *args: Any, value: int = 0) -> Any:
        """Simulate, then send and wait; returns the receipt. A revert raises `Reverted`."""
        tx = {
            "from": sender,
            "to": to,
            "data": encode_artifact_call(contract, fn, *args),
            "value": value,
        }
        error = self._simulate(tx)
        if error is not None:
            name, decoded = decode_error(error)
            raise Reverted(f"{contract}.{fn} reverted: {name}{decoded}")
        tx_hash = self.w3.eth.send_transaction(tx)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
        if receipt["status"] != 1:
            raise Reverted(f"{contract}.{fn} failed on chain")
        return receipt

    def revert_of(
        self, sender: str, to: str, contract: str, fn: str, *args: Any
    ) -> tuple[str, tuple[Any, ...]]:
        """The decoded custom error a call reverts with (AssertionError if it succeeds)."""
        tx = {"from": sender, "to": to, "data": encode_artifact_call(contract, fn, *args)}
        error = self._simulate(tx)
        if error is None:
            raise AssertionError(f"{contract}.{fn} did not revert")
        return decode_error(error)

    def events(self, receipt: Any, contract: str, address: str, event: str) -> list[Any]:
        """Decoded `event` logs of `address` in a receipt (web3 event data: `ev["args"]`)."""
        from web3.logs import DISCARD

        instance = self.w3.eth.contract(address=address, abi=load_artifact(contract).abi)
        # DISCARD: the receipt also holds other contracts' logs (token transfers), not errors.
        decoded = getattr(instance.events, event)().process_receipt(receipt, errors=DISCARD)
        return [e for e in decoded if e["address"].lower() == address.lower()]

    def _simulate(self, tx: dict[str, Any]) -> str | None:
        call = {k: (hex(v) if isinstance(v, int) else v) for k, v in tx.items()}
        answer = self.w3.provider.make_request("eth_call", [call, "latest"])
        if "error" not in answer:
            return None
        data = answer["error"].get("data")
        if not (isinstance(data, str) and data.startswith("0x")):
            raise AssertionError(f"revert without data: {answer['error']}")
        return data
