"""The write pipeline against a real anvil: whole-plan simulation, dry run, sending in order,
decoded reverts (simulated and mined), confirmation rules, chain-id refusal, a dead node.

The node and a WETH9 from the compiled artifacts are set up once per module; every test runs
between an evm_snapshot and an evm_revert, so tests share nothing.
"""

from __future__ import annotations

import re
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from eth_abi.abi import encode
from eth_account import Account
from eth_utils.crypto import keccak
from web3 import Web3
from web3.exceptions import TransactionNotFound

from ion_cli.chain import client
from ion_cli.chain import pipeline as pipeline_module
from ion_cli.chain import simulate as simulate_module
from ion_cli.chain.client import RpcError, connect
from ion_cli.chain.common_calls import approval_call
from ion_cli.chain.contracts import WETH, contract_from_abi
from ion_cli.chain.execution import ExecutionResult, StepResult
from ion_cli.chain.observer import Observer, Preview, SignedTx
from ion_cli.chain.pipeline import execute
from ion_cli.chain.plan import Call, Plan
from ion_cli.commands._observer import TerminalObserver
from ion_cli.errors import IonError, NodeError, PlanFailed, RefusedError, TransactionReverted
from ion_cli.output import Output

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
# anvil's well-known test account 1 (public test key, funded with 10,000 ETH on every anvil)
SENDER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
BOB = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
SWITCH = "0x00000000000000000000000000000000000A11CE"
WAD = 10**18
RAD = 10**45


@dataclass
class KeySender:
    """Stands in for an unlocked account; counts unlocks so tests can prove none happened."""

    key: str
    unlocks: int = 0

    @property
    def address(self) -> str:
        return str(Account.from_key(self.key).address)

    def signer(self) -> Any:
        self.unlocks += 1
        return Account.from_key(self.key)


@dataclass
class Chain:
    url: str
    w3: Web3
    weth: Any


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    from ion_cli.devnet import node
    from ion_cli.devnet.artifacts import load_artifact

    # A bare anvil (default chain id) through the managed-services module, like the devnet's.
    _, info = node.spawn(tmp_path_factory.mktemp("pipeline-anvil"))
    url = info.rpc_url
    try:
        w3 = connect(url, 31337, "devnet")
        artifact = load_artifact("WETH9")
        deployer = w3.eth.accounts[0]
        deploy: Any = {"from": deployer, "data": artifact.bytecode}
        receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(deploy))
        weth = contract_from_abi(w3, artifact.abi, str(receipt["contractAddress"]))
        fund: Any = {"from": KeySender(SENDER_KEY).address, "value": 10 * WAD}
        w3.eth.wait_for_transaction_receipt(weth.functions.deposit().transact(fund))
        yield Chain(url=url, w3=w3, weth=weth)
    finally:
        node.terminate(info.pid)


@pytest.fixture
def node(chain: Chain) -> Iterator[Chain]:
    snapshot = chain.w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    try:
        yield chain
    finally:
        chain.w3.provider.make_request("evm_setAutomine", [True])  # type: ignore[arg-type]
        chain.w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]


def _nonce(chain: Chain, who: str) -> int:
    return int(chain.w3.eth.get_transaction_count(who, "pending"))  # type: ignore[arg-type]


def _pay_bob_plan(chain: Chain, sender: str, approve: int, pull: int) -> Plan:
    """approve(self) then transferFrom(self -> bob): step 2 only works after step 1."""
    weth = chain.weth
    return Plan(
        title="Pay Bob through an allowance",
        calls=[
            approval_call(weth.address, sender, approve, "WETH", spender_name="myself"),
            WETH(weth.address).transferFrom(
                sender, BOB, pull, description=f"pull {pull} wei of WETH to Bob"
            ),
        ],
        summary={"pay": f"{pull} wei WETH", "to": BOB},
        json_summary={"pay_wei": str(pull), "to": BOB},
    )


def _run(chain: Chain, plan: Plan, sender: KeySender, **kw: Any) -> ExecutionResult:
    options: dict[str, Any] = {"yes": True, "dry_run": False}
    options.update(kw)
    return execute(plan, w3=chain.w3, sender=sender, observer=TerminalObserver(Output()), **options)


def _reverter(data: bytes) -> str:
    """Runtime code that reverts with `data`: CODECOPY the tail of the code, then REVERT."""
    n = len(data).to_bytes(2, "big")
    prefix = b"\x61" + n + b"\x60\x0e\x60\x00\x39" + b"\x61" + n + b"\x60\x00\xfd"
    assert len(prefix) == 14
    return "0x" + (prefix + data).hex()


def _error(signature: str, *values: Any) -> bytes:
    types = [t for t in signature[signature.index("(") + 1 : -1].split(",") if t]
    return keccak(text=signature)[:4] + encode(types, list(values))


def _set_code(chain: Chain, address: str, code: str) -> None:
    chain.w3.provider.make_request("anvil_setCode", [address, code])  # type: ignore[arg-type]


# ---------------------------------------------------------------- tests


def test_dry_run_simulates_the_whole_plan_and_sends_nothing(
    node: Chain, capsys: pytest.CaptureFixture[str]
) -> None:
    sender = KeySender(SENDER_KEY)
    before = _nonce(node, sender.address)
    result = _run(node, _pay_bob_plan(node, sender.address, WAD, WAD), sender, dry_run=True)
    assert result.dry_run and not result.sent
    assert result.simulation == "eth_simulateV1"
    # step 2 was simulated on step 1's allowance: both have gas figures from the simulation
    assert all(s.simulated_gas_used and s.gas_limit for s in result.steps)
    assert result.steps[1].gas_limit > result.steps[1].simulated_gas_used  # type: ignore[operator]
    assert _nonce(node, sender.address) == before
    assert sender.unlocks == 0
    out, err = capsys.readouterr()
    assert out == ""  # the preview is on stderr; stdout is the command's to fill
    assert "Pay Bob through an allowance" in err
    assert "2/2 pull" in err and "Network fee: about" in err
    assert "dry run: nothing was signed or sent" in err


def test_yes_sends_every_step_in_order(node: Chain, capsys: pytest.CaptureFixture[str]) -> None:
    sender = KeySender(SENDER_KEY)
    before = _nonce(node, sender.address)
    bob_before = int(node.weth.functions.balanceOf(BOB).call())
    result = _run(node, _pay_bob_plan(node, sender.address, 2 * WAD, 2 * WAD), sender)
    assert result.sent and len(result.tx_hashes) == 2
    assert [s.nonce for s in result.steps] == [before, before + 1]
    assert [s.status for s in result.steps] == [1, 1]
    assert result.steps[0].block_number < result.steps[1].block_number  # type: ignore[operator]
    assert int(node.weth.functions.balanceOf(BOB).call()) == bob_before + 2 * WAD
    assert int(node.weth.functions.allowance(sender.address, sender.address).call()) == 0
    assert _nonce(node, sender.address) == before + 2
    assert sender.unlocks == 1
    assert result.fee_paid > 0 and result.gas_used == sum(s.gas_used or 0 for s in result.steps)
    data = result.to_json()
    assert data["tx_hashes"] == result.tx_hashes
    assert data["steps"][1]["status"] == "success"
    assert data["summary"] == {"pay_wei": str(2 * WAD), "to": BOB}
    err = capsys.readouterr().err
    for i, tx_hash in enumerate(result.tx_hashes):
        assert f"sent step {i + 1}/2" in err and tx_hash in err


def test_a_failing_step_is_decoded_and_nothing_is_sent(node: Chain) -> None:
    sender = KeySender(SENDER_KEY)
    before = _nonce(node, sender.address)
    plan = _pay_bob_plan(node, sender.address, WAD, 3 * WAD)
    with pytest.raises(TransactionReverted) as caught:
        _run(node, plan, sender)
    message = caught.value.message
    assert message.startswith("simulation failed at step 2/2 (WETH.transferFrom): ")
    assert "insufficient allowance (approved 1, need 3)" in message
    assert f"ERC20InsufficientAllowance(spender={sender.address}" in message
    assert _nonce(node, sender.address) == before
    assert sender.unlocks == 0


def test_protocol_errors_are_decoded_in_simulation(node: Chain) -> None:
    _set_code(node, SWITCH, _reverter(_error("VaultCannotBeDusty(uint256,uint256)", 1, 4 * RAD)))
    plan = Plan("Borrow", [Call(SWITCH, b"\x12\x34\x56\x78", method="IonPool.borrow")])
    with pytest.raises(TransactionReverted) as caught:
        _run(node, plan, KeySender(SENDER_KEY))
    assert caught.value.message == (
        "simulation failed at step 1/1 (IonPool.borrow): the remaining debt would be below the "
        f"market's dust of 4: VaultCannotBeDusty(amountLeft=1, dust={4 * RAD})"
    )


def test_a_plan_the_sender_cannot_pay_for_is_refused_before_signing(node: Chain) -> None:
    sender = KeySender(SENDER_KEY)
    plan = Plan("Send everything", [Call(BOB, b"", value=10**30, description="send ETH")])
    with pytest.raises(TransactionReverted, match="cannot pay"):
        _run(node, plan, sender)
    assert sender.unlocks == 0


def test_a_state_change_after_confirmation_is_caught_before_sending(node: Chain) -> None:
    """Simulation passes, the state changes while the user confirms: the estimate made just
    before signing sees the revert, and nothing is sent."""
    _set_code(node, SWITCH, "0x00")  # STOP: succeeds
    unsafe = _error("UnsafePositionChange(uint256,uint256,uint256)", 9 * RAD, 10 * WAD, 8 * 10**26)

    def confirm_then_break(question: str) -> bool:
        _set_code(node, SWITCH, _reverter(unsafe))
        return True

    sender = KeySender(SENDER_KEY)
    nonce = node.w3.eth.get_transaction_count(sender.address)
    plan = Plan("Borrow", [Call(SWITCH, b"", method="IonPool.borrow")])
    with pytest.raises(TransactionReverted) as caught:
        _run(node, plan, sender, yes=False, confirm=confirm_then_break)
    assert caught.value.message.startswith("step 1/1 (IonPool.borrow) would revert: ")
    assert "the position would be unsafe (debt 9 > collateral*spot 8)" in caught.value.message
    assert node.w3.eth.get_transaction_count(sender.address) == nonce


def test_a_transaction_out_of_gas_says_so(node: Chain, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not "reverted without a reason": a mined out-of-gas names the gas."""
    monkeypatch.setattr(pipeline_module, "_estimate_now", lambda *args: 100_000)
    _set_code(node, SWITCH, "0x00")  # STOP: cheap while simulated

    def confirm_then_loop(question: str) -> bool:
        _set_code(node, SWITCH, "0x5b600056")  # JUMPDEST PUSH1 0 JUMP: burns all gas
        return True

    plan = Plan("Borrow", [Call(SWITCH, b"", method="IonPool.borrow")])
    with pytest.raises(TransactionReverted) as caught:
        _run(node, plan, KeySender(SENDER_KEY), yes=False, confirm=confirm_then_loop)
    assert "ran out of gas (used 100,000 of its 100,000 limit)" in caught.value.message


def test_a_mined_revert_is_replayed_and_decoded(
    node: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state changes between the last estimate and inclusion: the receipt says status 0."""
    monkeypatch.setattr(pipeline_module, "_estimate_now", lambda *args: 100_000)
    _set_code(node, SWITCH, "0x00")  # STOP: succeeds
    unsafe = _error("UnsafePositionChange(uint256,uint256,uint256)", 9 * RAD, 10 * WAD, 8 * 10**26)

    def confirm_then_break(question: str) -> bool:
        _set_code(node, SWITCH, _reverter(unsafe))
        return True

    sender = KeySender(SENDER_KEY)
    plan = Plan("Borrow", [Call(SWITCH, b"", method="IonPool.borrow")])
    with pytest.raises(TransactionReverted) as caught:
        _run(node, plan, sender, yes=False, confirm=confirm_then_break)
    message = caught.value.message
    assert re.match(
        r"step 1/1 \(IonPool\.borrow\) reverted in transaction 0x[0-9a-f]{64}: ", message
    )
    assert "the position would be unsafe (debt 9 > collateral*spot 8)" in message


def test_without_eth_simulate_v1_only_step_one_is_simulated(
    node: Chain, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_rpc = client.rpc

    def no_simulate(w3: Any, method: str, params: Any, action: str = "") -> Any:
        if method == "eth_simulateV1":
            raise RpcError("the node answered an error: Method not found", code=-32601)
        return real_rpc(w3, method, params, action)

    monkeypatch.setattr(simulate_module, "rpc", no_simulate)
    sender = KeySender(SENDER_KEY)
    result = _run(node, _pay_bob_plan(node, sender.address, WAD, WAD), sender)
    assert result.simulation == "eth_call"
    assert [s.status for s in result.steps] == [1, 1]
    assert result.steps[1].simulated_gas_used is None and result.steps[1].gas_limit
    assert "only step 1 of 2 was simulated" in capsys.readouterr().err


def test_without_a_terminal_and_without_yes_nothing_is_sent(
    node: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    sender = KeySender(SENDER_KEY)
    before = _nonce(node, sender.address)
    with pytest.raises(RefusedError, match="refusing to send without confirmation: pass `confirm`"):
        _run(node, _pay_bob_plan(node, sender.address, WAD, WAD), sender, yes=False)
    assert _nonce(node, sender.address) == before and sender.unlocks == 0


def test_declining_sends_nothing(node: Chain) -> None:
    sender = KeySender(SENDER_KEY)
    with pytest.raises(RefusedError, match="not confirmed"):
        _run(
            node,
            _pay_bob_plan(node, sender.address, WAD, WAD),
            sender,
            yes=False,
            confirm=lambda q: False,
        )
    assert sender.unlocks == 0


def test_an_unmined_transaction_times_out_naming_its_hash(node: Chain) -> None:
    node.w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
    sender = KeySender(SENDER_KEY)
    plan = Plan("Approve", [approval_call(node.weth.address, BOB, WAD, "WETH")])
    with pytest.raises(IonError) as caught:
        _run(node, plan, sender, timeout=0.3)
    message = caught.value.message
    assert re.search(r"transaction 0x[0-9a-f]{64} was sent but is not mined after 0.3 s", message)
    assert "before sending again" in message


def test_a_send_that_errors_after_reaching_the_node_is_not_resent(
    node: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    eth = node.w3.eth
    real_send = eth.send_raw_transaction
    sends: list[bytes] = []

    def send_then_drop(raw: Any) -> Any:
        sends.append(bytes(raw))
        real_send(raw)
        raise requests.ConnectionError("connection reset by peer")

    monkeypatch.setattr(eth, "send_raw_transaction", send_then_drop)
    sender = KeySender(SENDER_KEY)
    plan = Plan("Approve", [approval_call(node.weth.address, BOB, WAD, "WETH")])
    result = _run(node, plan, sender)
    assert len(sends) == 1
    assert result.steps[0].status == 1


def test_a_send_that_never_reached_the_node_says_so_with_the_hash(
    node: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    def drop(raw: Any) -> Any:
        raise requests.ConnectionError("connection reset by peer")

    monkeypatch.setattr(node.w3.eth, "send_raw_transaction", drop)
    plan = Plan("Approve", [approval_call(node.weth.address, BOB, WAD, "WETH")])
    with pytest.raises(NodeError) as caught:
        _run(node, plan, KeySender(SENDER_KEY))
    assert re.search(
        r"could not tell whether transaction 0x[0-9a-f]{64} reached the node", caught.value.message
    )


def test_a_node_on_another_chain_is_refused(node: Chain) -> None:
    with pytest.raises(RefusedError) as caught:
        connect(node.url, 1, "mainnet")
    assert caught.value.message == (
        f"the node at {node.url} is on chain id 31337, but network 'mainnet' expects 1: refusing"
    )


def test_an_unreachable_node_is_a_node_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(NodeError) as caught:
        connect(f"http://127.0.0.1:{port}", 31337, "devnet")
    assert caught.value.message == (
        f"cannot reach the node at http://127.0.0.1:{port}: connection refused"
    )
    assert time.monotonic() - started < 3


def test_api_keys_in_urls_are_not_shown() -> None:
    with pytest.raises(NodeError) as caught:
        connect("http://127.0.0.1:9/v2/SECRETKEY", None, "mainnet")
    assert "SECRETKEY" not in caught.value.message
    assert "http://127.0.0.1:9/..." in caught.value.message


# ---------------------------------------------------------------- hooks and the failure result


class Recorder(Observer):
    """Records every hook, and whether the node knew each signed hash when on_signed ran."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.events: list[str] = []
        self.signed: list[SignedTx] = []
        self.known_when_signed: list[bool] = []

    def on_preview(self, preview: Preview) -> None:
        self.events.append("preview")

    def on_signed(self, signed: SignedTx) -> None:
        self.events.append(f"signed {signed.step_index}")
        self.signed.append(signed)
        try:
            self.chain.w3.eth.get_transaction(signed.tx_hash)  # type: ignore[arg-type]
            self.known_when_signed.append(True)
        except TransactionNotFound:
            self.known_when_signed.append(False)

    def on_sent(self, step: StepResult) -> None:
        self.events.append(f"sent {step.index}")

    def on_receipt(self, step: StepResult) -> None:
        self.events.append(f"receipt {step.index}")

    def on_failed(self, result: ExecutionResult, error: IonError) -> None:
        self.events.append("failed")

    def on_done(self, result: ExecutionResult) -> None:
        self.events.append("done")


def test_an_observer_sees_each_signed_transaction_before_it_is_broadcast(node: Chain) -> None:
    sender = KeySender(SENDER_KEY)
    recorder = Recorder(node)
    plan = _pay_bob_plan(node, sender.address, WAD, WAD)
    before = _nonce(node, sender.address)
    result = execute(plan, w3=node.w3, sender=sender, yes=True, dry_run=False, observer=recorder)
    assert recorder.events == [
        "preview",
        *("signed 0", "sent 0", "receipt 0", "signed 1", "sent 1", "receipt 1"),
        "done",
    ]
    assert recorder.known_when_signed == [False, False]  # not broadcast yet when the hook ran
    assert [s.tx_hash for s in recorder.signed] == result.tx_hashes
    assert [s.nonce for s in recorder.signed] == [before, before + 1]
    first = recorder.signed[0]
    assert (first.plan_id, first.chain_id, first.sender) == (plan.plan_id, 31337, sender.address)
    assert result.plan_id == plan.plan_id and first.step_count == 2
    # the raw bytes are the transaction that was mined
    mined = node.w3.eth.get_raw_transaction(first.tx_hash)  # type: ignore[arg-type]
    assert bytes(mined) == first.raw_tx


def test_a_hook_that_raises_in_on_signed_stops_the_broadcast(node: Chain) -> None:
    class Refuse(Observer):
        def on_signed(self, signed: SignedTx) -> None:
            raise IonError("the journal cannot write")

    sender = KeySender(SENDER_KEY)
    before = _nonce(node, sender.address)
    plan = _pay_bob_plan(node, sender.address, WAD, WAD)
    with pytest.raises(PlanFailed) as caught:
        execute(plan, w3=node.w3, sender=sender, yes=True, dry_run=False, observer=Refuse())
    assert caught.value.message == "the journal cannot write"
    assert caught.value.result.tx_hashes == []
    assert _nonce(node, sender.address) == before


def test_a_plan_whose_second_step_fails_carries_the_first_hash(node: Chain) -> None:
    """Step 1 is mined, then step 2 would revert: the error carries the whole result."""
    _set_code(node, SWITCH, "0x00")  # STOP: succeeds while simulated
    unsafe = _error("UnsafePositionChange(uint256,uint256,uint256)", 9 * RAD, 10 * WAD, 8 * 10**26)

    class BreakAfterStepOne(Recorder):
        def on_receipt(self, step: StepResult) -> None:
            super().on_receipt(step)
            _set_code(node, SWITCH, _reverter(unsafe))

    sender = KeySender(SENDER_KEY)
    plan = Plan(
        "Approve then borrow",
        [
            approval_call(node.weth.address, BOB, WAD, "WETH"),
            Call(SWITCH, b"", method="IonPool.borrow"),
        ],
    )
    recorder = BreakAfterStepOne(node)
    with pytest.raises(TransactionReverted) as caught:
        execute(plan, w3=node.w3, sender=sender, yes=True, dry_run=False, observer=recorder)
    error = caught.value
    assert isinstance(error, PlanFailed)
    result = error.result
    assert len(result.tx_hashes) == 1 and result.steps[0].status == 1
    assert result.steps[1].tx_hash is None
    assert result.to_json()["tx_hashes"] == result.tx_hashes
    assert recorder.events[-1] == "failed"
    assert f"already mined: step 1 {result.tx_hashes[0]}" in error.message


def test_an_observer_failure_before_broadcast_is_one_error_and_nothing_is_sent(
    node: Chain,
) -> None:
    class DiskFull(Observer):
        def on_signed(self, signed: SignedTx) -> None:
            raise OSError(28, "No space left on device")

    sender = KeySender(SENDER_KEY)
    before = _nonce(node, sender.address)
    plan = _pay_bob_plan(node, sender.address, WAD, WAD)
    with pytest.raises(PlanFailed) as caught:
        execute(plan, w3=node.w3, sender=sender, yes=True, dry_run=False, observer=DiskFull())
    assert caught.value.message.startswith("step 1/2 (WETH.approve) ")  # names the step
    assert "was signed but not sent" in caught.value.message
    assert "No space left on device" in caught.value.message
    assert _nonce(node, sender.address) == before
