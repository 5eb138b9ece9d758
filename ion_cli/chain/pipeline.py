"""The one road every write takes, as stages with hooks: prepare, confirm, then per step sign,
broadcast, wait.

1. prepare: simulate the whole plan (ion_cli.chain.simulate; a failing step is decoded and nothing
   is sent), quote fees, and hand the preview to the observer (`on_preview`);
2. --dry-run returns here (`on_dry_run`): no password is asked, nothing is signed;
3. confirm: skipped with `yes`; otherwise the caller's `confirm(question)` callback decides, and
   without one the plan is refused (the chain layer never prompts);
4. for each step in order: sign (EIP-1559, nonces counted locally from `pending`) ->
   `on_signed(SignedTx)` BEFORE broadcast (a journal writes here; raising stops the send) ->
   broadcast once -> `on_sent` -> wait for the receipt -> `on_receipt`; a reverted step stops the
   plan and is decoded.

Steps are sent one after the other, each waiting for its receipt: if step 1 reverts, step 2 is
never signed, and a node that could not simulate the plan estimates step 2 on step 1's state.
A failure after the prepare stage raises a `PlanFailed` (of the cause's family) whose `.result`
is the whole `ExecutionResult`: every hash sent so far survives as data, not only as text.
Nothing here prints: the CLI renders through an observer (ion_cli.commands._observer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ion_cli.chain.client import node_error, rpc_url_of
from ion_cli.chain.execution import ExecutionResult, StepResult
from ion_cli.chain.fees import FeeQuote, quote_fees
from ion_cli.chain.observer import Observer, Preview, SignedTx
from ion_cli.chain.plan import Call, Plan
from ion_cli.chain.preview import estimated_fee
from ion_cli.chain.revert import decode_exception
from ion_cli.chain.simulate import Simulation, simulate, step_name
from ion_cli.errors import IonError, RefusedError, TransactionReverted, plan_failed

if TYPE_CHECKING:
    from web3 import Web3

    from ion_cli.chain.rpc import Reader

Confirm = Callable[[str], bool]


class TxSigner(Protocol):
    """What signs: an eth_account LocalAccount fits."""

    @property
    def address(self) -> str: ...

    def sign_transaction(self, transaction_dict: dict[str, Any]) -> Any: ...


class Sender(Protocol):
    """What the pipeline needs of an account (ion_cli.accounts' ResolvedAccount fits)."""

    @property
    def address(self) -> str: ...

    def signer(self) -> TxSigner:
        """An eth_account LocalAccount (a `TxSigner`); may prompt for a password, so it is
        called only once the plan is confirmed."""
        ...


@dataclass(frozen=True)
class Prepared:
    """A plan after the prepare stage: simulated, priced, ready to confirm and send."""

    plan: Plan
    sender: str
    chain_id: int
    simulation: Simulation
    fees: FeeQuote

    @property
    def preview(self) -> Preview:
        likely, most = estimated_fee(self.simulation, self.fees)
        return Preview(
            plan=self.plan,
            simulation=self.simulation,
            fees=self.fees,
            sender=self.sender,
            chain_id=self.chain_id,
            likely_fee=likely,
            max_fee=most,
        )

    def new_result(self, dry_run: bool) -> ExecutionResult:
        total = len(self.plan.calls)
        return ExecutionResult(
            title=self.plan.title,
            sender=self.sender,
            chain_id=self.chain_id,
            dry_run=dry_run,
            simulation=self.simulation.method,
            fees=self.fees,
            estimated_fee=estimated_fee(self.simulation, self.fees)[0],
            steps=[
                _planned_step(i, total, call, self.simulation)
                for i, call in enumerate(self.plan.calls)
            ],
            summary=dict(self.plan.json_summary),
            plan_id=self.plan.plan_id,
            plan=self.plan,
        )


def prepare(plan: Plan, *, w3: Web3, sender: str, observer: Observer) -> Prepared:
    """Stage 1: simulate and price `plan` from `sender`; raises if a step would fail."""
    from ion_cli.addresses import to_checksum

    if not plan.calls:
        raise IonError(f"nothing to do: the plan '{plan.title}' has no steps")
    address = str(to_checksum(sender))
    try:
        chain_id = int(w3.eth.chain_id)
    except Exception as exc:
        raise node_error(exc, rpc_url_of(w3), "reading the chain id") from None
    sim, warning = simulate(w3, plan.calls, address)
    if warning:
        observer.on_warning(warning)
    prepared = Prepared(plan, address, chain_id, sim, quote_fees(w3))
    observer.on_preview(prepared.preview)
    return prepared


def confirm_plan(prepared: Prepared, *, yes: bool, confirm: Confirm | None) -> None:
    """Stage 2: `yes`, or the caller's callback says yes; without either, refuse."""
    if yes:
        return
    if confirm is None:
        raise RefusedError(
            "refusing to send without confirmation: pass `confirm`", params=("confirm",)
        )
    count = len(prepared.plan.calls)
    question = (
        f"Send {count} transaction{'s' if count != 1 else ''} from {prepared.sender} "
        f"on chain {prepared.chain_id}?"
    )
    if not confirm(question):
        raise RefusedError("not confirmed: nothing was sent")


def execute(
    plan: Plan,
    *,
    w3: Web3 | Reader,
    sender: Sender,
    yes: bool,
    dry_run: bool,
    confirmations: int = 1,
    timeout: float = 120,
    confirm: Confirm | None = None,
    observer: Observer | None = None,
) -> ExecutionResult:
    """Run `plan` from `sender` through every stage (see the module docstring).

    Returns the result on success (or after a dry run); raises a `PlanFailed` carrying it when a
    stage after prepare fails, and the plain error when the prepare stage refuses the plan.
    """
    from ion_cli.addresses import to_checksum
    from ion_cli.chain.node import as_web3

    w3 = as_web3(w3)  # a flow's reader: its own node (one HTTP client per run)
    watcher = observer or Observer()
    prepared = prepare(plan, w3=w3, sender=sender.address, observer=watcher)
    result = prepared.new_result(dry_run)
    if dry_run:
        watcher.on_dry_run(result)
        return result
    try:
        confirm_plan(prepared, yes=yes, confirm=confirm)
        account = sender.signer()
        if str(to_checksum(account.address)) != prepared.sender:
            raise RefusedError(
                f"the signer's key is for {account.address}, not {prepared.sender}: "
                "refusing to sign"
            )
        send_steps(w3, result, account, confirmations, timeout, watcher)
    except IonError as exc:
        failed = plan_failed(exc, result)
        watcher.on_failed(result, failed)
        raise failed from exc.__cause__
    watcher.on_done(result)
    return result


def _planned_step(index: int, total: int, call: Call, sim: Simulation) -> StepResult:
    name = step_name(index, total, call)
    if index < len(sim.steps):
        step = sim.steps[index]
        return StepResult(
            index=index,
            call=call,
            name=name,
            gas_limit=step.limit(),
            simulated_gas_used=step.gas_used,
            return_data=step.return_data,
        )
    return StepResult(index=index, call=call, name=name)


def send_steps(
    w3: Web3,
    result: ExecutionResult,
    account: TxSigner,
    confirmations: int,
    timeout: float,
    observer: Observer,
) -> None:
    """Stage 3, per step: sign -> on_signed -> broadcast -> on_sent -> wait -> on_receipt."""
    from ion_cli.addresses import to_checksum
    from ion_cli.chain.sending import (  # only sending needs it: a dry run never loads it
        broadcast,
        failure_reason,
        wait_for_receipt,
    )

    chain_id = result.chain_id
    try:
        nonce = int(w3.eth.get_transaction_count(result.sender, "pending"))  # type: ignore[arg-type]
    except Exception as exc:
        raise node_error(exc, rpc_url_of(w3), "reading the account's nonce") from None
    total = len(result.steps)
    for step in result.steps:
        call = step.call
        name = step.name
        tx: dict[str, Any] = {
            "from": result.sender,
            "to": to_checksum(call.to),
            "data": "0x" + call.data.hex(),
            "value": call.value,
            "nonce": nonce,
            "chainId": chain_id,
        }
        # Every step is re-estimated just before it is signed, on the pending state: the
        # multi-call simulation keeps storage warm from step to step (a repay after its approval
        # needed 30% more than simulated), and it runs at the latest block's time, so interest
        # accrual that the mined block performs is not in it (a back-to-back repay ran out of
        # gas by 28 units). The larger of the two limits is used.
        step.gas_limit = max(step.gas_limit or 0, _estimate_now(w3, tx, name, result))
        tx["gas"] = step.gas_limit
        # Quoted per step: a step sent a block or more after the preview gets current fees.
        tx.update((quote_fees(w3) if step.index else result.fees).tx_fields())
        signable = {k: v for k, v in tx.items() if k != "from"}
        signed = account.sign_transaction(signable)
        tx_hash = "0x" + bytes(signed.hash).hex()
        raw = bytes(signed.raw_transaction)
        _before_broadcast(
            observer,
            name,
            SignedTx(
                plan_id=result.plan_id,
                plan_title=result.title,
                step_index=step.index,
                step_count=total,
                chain_id=chain_id,
                sender=result.sender,
                nonce=nonce,
                tx_hash=tx_hash,
                raw_tx=raw,
                to=str(tx["to"]),
                value=call.value,
                data=call.data,
                gas_limit=step.gas_limit,
                description=call.description or call.label,
            ),
        )
        broadcast(w3, raw, tx_hash, name, nonce=nonce, resend=_is_resend(observer, tx_hash))
        step.tx_hash, step.nonce = tx_hash, nonce
        nonce += 1
        observer.on_sent(step)
        last = step.index == total - 1
        receipt = wait_for_receipt(
            w3, tx_hash, confirmations=confirmations if last else 1, timeout=timeout, name=name
        )
        step.receipt = receipt
        step.status = int(receipt["status"])
        step.block_number = int(receipt["blockNumber"])
        step.gas_used = int(receipt["gasUsed"])
        step.effective_gas_price = int(receipt.get("effectiveGasPrice") or 0) or None
        observer.on_receipt(step)
        if step.status != 1:
            reason = failure_reason(w3, tx, receipt)
            raise TransactionReverted(
                f"{name} reverted in transaction {tx_hash}: {reason}{_earlier(result, step.index)}"
            )


def _is_resend(observer: Observer, tx_hash: str) -> bool:
    check = getattr(observer, "is_resend", None)  # duck-typed observers may predate the hook
    return bool(check(tx_hash)) if check is not None else False


def _before_broadcast(observer: Observer, name: str, signed: SignedTx) -> None:
    """`on_signed`; whatever it raises stops the step before it leaves (an IonError as is, any
    other failure, such as a journal's OSError, as one line naming the step)."""
    try:
        observer.on_signed(signed)
    except IonError:
        raise
    except Exception as exc:
        raise IonError(
            f"{name} was signed but not sent: recording it before broadcast failed "
            f"({type(exc).__name__}: {exc})"
        ) from exc


def _estimate_now(w3: Web3, tx: dict[str, Any], name: str, result: ExecutionResult) -> int:
    """Gas for a step the simulation could not reach: estimated on the state its
    predecessors left, which are mined by now."""
    from ion_cli.chain.simulate import gas_with_margin

    params = {k: tx[k] for k in ("from", "to", "data", "value")}
    try:
        return gas_with_margin(int(w3.eth.estimate_gas(params, "pending")))  # type: ignore[arg-type]
    except Exception as exc:
        decoded = decode_exception(exc)
        earlier = _earlier(result, len(result.steps))
        if decoded is not None:
            raise TransactionReverted(f"{name} would revert: {decoded.text}{earlier}") from None
        raise node_error(exc, rpc_url_of(w3), f"estimating gas for {name}") from None


def _earlier(result: ExecutionResult, before: int) -> str:
    """The steps already mined, so the user knows what did happen."""
    done = [s for s in result.steps[:before] if s.tx_hash and s.status == 1]
    if not done:
        return ""
    listed = ", ".join(f"step {s.index + 1} {s.tx_hash}" for s in done)
    return f" (already mined: {listed})"
