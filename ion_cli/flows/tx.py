"""What every write does around its plan, and the `ion tx` use cases.

`guarded_write` wraps a write command: it refuses a chain-id-1 write whose network was not named,
takes the account's write lock (`chain.lock`), reconciles the journal with the chain
(`chain.reconcile`), waits for this account's pending transactions (never re-sending them), and
then either finishes an interrupted run of the same command from its first unmined step, or says
that an earlier run already did it, or runs the flow with the journal observing the pipeline.
SIGTERM is turned into an interruption, so what was sent is printed and journaled.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ion_cli.errors import IonError, RefusedError, UsageError

if TYPE_CHECKING:
    from ion_cli.chain.journal import Journal
    from ion_cli.chain.journal_db import PlanRecord
    from ion_cli.chain.reconcile import Report
    from ion_cli.chain.rpc import Reader
    from ion_cli.flows.session import Session
    from ion_cli.flows.writes import WriteOptions
    from ion_cli.results import WriteResult

MAINNET_CHAIN_ID = 1
LOCK_WAIT_MIN = 30.0  # seconds: a second writer waits at least this long for the first


class Terminated(KeyboardInterrupt):
    """SIGTERM, delivered as an interruption so the same clean-up and report run."""


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    def handler(signum: int, frame: Any) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (an embedding application): leave it alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass
class Guard:
    journal: Journal
    genesis: str
    address: str
    chain_id: int
    report: Report


def require_named_network(session: Session, explicit: bool) -> None:
    """Writes to chain id 1 need the network named on the command line or in ION_NETWORK:
    a config file's default must never send real money by accident."""
    if not explicit and session.profile.chain_id == MAINNET_CHAIN_ID:
        raise RefusedError(
            f"network '{session.profile.name}' is chain id 1 (Ethereum mainnet) and was not "
            "named: pass `network` to send there; nothing was sent",
            params=("network",),
        )


def guarded_write(
    session: Session,
    options: WriteOptions,
    *,
    intent: str,
    market: str,
    explicit_network: bool,
    run_flow: Callable[[WriteOptions], WriteResult],
    settles_gem: bool = False,
    one_shot: bool = False,
) -> WriteResult:
    """Run a write under the account lock with the journal (see the module docstring).
    `settles_gem`: the write deposits or returns the market's gem, so once it succeeds the
    unfinished deposits whose remaining step would deposit that gem are settled (a rerun of
    them must not try to deposit tokens that are no longer there). `one_shot`: the intent is
    done at most once (a plan file): once a plan of it is complete, every later run reports
    it ("already applied") and sends nothing."""
    if options.dry_run:  # nothing is signed: no lock, no journal, any network
        try:
            lines = pending_lines(session)
        except IonError:
            raise
        except Exception:  # best effort: the flow that follows reads the node and says why
            lines = []
        for line in lines:
            options.observer.on_warning(line)
        return run_flow(options)
    # imported past the dry run, which opens no journal (start-up cost)
    from ion_cli.chain.journal import plan_key
    from ion_cli.chain.journal_observer import JournalObserver, kill_point
    from ion_cli.chain.lock import account_lock
    from ion_cli.chain.observer import combine
    from ion_cli.chain.reconcile import applied, reconcile, unreported

    require_named_network(session, explicit_network)
    warn = options.observer.on_warning
    address = session.account().address
    reader = session.reader()
    chain_id = session.profile.chain_id or reader.chain_id()
    key = plan_key(chain_id, address, intent)
    with account_lock(chain_id, address, timeout=max(options.timeout, LOCK_WAIT_MIN), on_wait=warn):
        journal, genesis = open_journal(session)
        report = reconcile(reader, journal, address, genesis)
        for line in report.messages():
            warn(line)
        earlier = _wait_for_pending(reader, journal, report, key, options.timeout, warn)
        if earlier is None and one_shot:
            earlier = applied(journal, genesis, key)
        if earlier is None:  # killed after its last step was mined, before it said so
            earlier = unreported(journal, genesis, key)
        observer = JournalObserver(journal, genesis=genesis, intent=key)
        guarded = replace(options, observer=combine(options.observer, observer))  # type: ignore[arg-type]
        try:
            with sigterm_as_interrupt():
                if earlier is not None:
                    result = _already_done(session, earlier, journal, market, warn, one_shot)
                    _reported(journal, [earlier.plan_id])
                    return result
                resumable = [(p, done) for p, done in report.unfinished if _intent(p) == key]
                if resumable:
                    plan, done = resumable[-1]
                    result = _resume(session, guarded, observer, plan, done, market)
                else:
                    result = run_flow(guarded)
                if settles_gem:
                    _settle_gem_deposits(session, journal, report, market, warn)
                kill_point("done", 0)  # every step mined, the result not yet returned
                _reported(journal, [*observer.recorded, *observer.resumed_from])
                return result
        except KeyboardInterrupt:
            _report_interrupted(journal, observer, warn)
            raise


def _reported(journal: Journal, plan_ids: list[str]) -> None:
    """The command is about to print the result of these plans: a rerun is a new request."""
    for plan_id in dict.fromkeys(plan_ids):
        journal.record_reported(plan_id)


def _settle_gem_deposits(
    session: Session, journal: Journal, report: Report, market: str, warn: Callable[[str], None]
) -> None:
    """Mark settled the unfinished deposits in `market` whose next step is depositCollateral:
    the gem it would deposit has just been deposited or returned by another command."""
    config = session.profile.market(market.strip())
    join = session.profile.address(config, "gem_join").lower()
    for plan, done in report.unfinished:
        methods = [str(c.get("method", "")) for c in plan.calls]
        joined = any(
            m == "GemJoin.join" and str(c.get("to", "")).lower() == join
            for m, c in zip(methods[:done], plan.calls[:done], strict=True)
        )
        if joined and methods[done] == "IonPool.depositCollateral":
            journal.record_settled(plan.plan_id, "its gem was deposited or returned by hand")
            warn(f"'{plan.title}' will not be finished: its gem was taken care of")


def pending_lines(session: Session) -> list[str]:
    """For a preview made while this account has transactions in the node's pool: one line per
    pending transaction (hash, nonce, what it does from the journal), and a count of those ion
    did not send. The preview's figures are those of the chain without them; a real run waits
    for them before planning. Read-only (no lock): the journal is not changed."""
    from ion_cli.chain.node import nonces, not_found_errors, transaction

    TransactionNotFound = not_found_errors()  # ours, and web3's for a caller holding a Web3
    address = session.account().address
    reader = session.reader()
    latest, pending = nonces(reader, address)
    if pending <= latest:
        return []
    journal, _ = open_journal(session)  # only with transactions pending (start-up cost)
    lines: list[str] = []
    known: set[int] = set()
    for entry in journal.unresolved() if journal.exists() else []:
        if entry.nonce < latest:
            continue
        try:
            transaction(reader, entry.hash)
        except TransactionNotFound:
            continue
        known.add(entry.nonce)
        what = entry.title or entry.description or "a transaction"
        lines.append(
            f"pending: {entry.hash} nonce {entry.nonce}: {what}, {entry.label()}; "
            "not counted in the figures below (a real run waits for it before planning)"
        )
    others = (pending - latest) - len(known)
    if others > 0:
        lines.append(
            f"pending: {others} transaction(s) of {address} that ion did not send (nonces "
            f"{latest}-{pending - 1}); not counted in the figures below"
        )
    return lines


def _report_interrupted(journal: Journal, observer: Any, warn: Callable[[str], None]) -> None:
    """Interrupted (SIGINT or SIGTERM): say what this run signed and where each stands."""
    from ion_cli.chain.reconcile import complete

    mine = [e for e in (journal.find(h) for h in observer.signed) if e is not None]
    if not mine:
        warn("interrupted before anything was signed: nothing was sent")
        return
    for entry in mine:
        journal.record_note(entry.hash, "the command was interrupted")
        state = {"signed": "signed, maybe not sent", "sent": "sent, not yet mined"}.get(
            entry.state, entry.state
        )
        warn(f"interrupted: {entry.label()} {entry.hash} is {state}")
    plans = [journal.plan(p) for p in dict.fromkeys(e.plan_id for e in mine)]
    if plans and all(p is not None and complete(journal, p) is not None for p in plans):
        warn("every step of the plan was mined: it is complete, there is nothing to finish")
        return
    warn("run the same command again to finish the plan (nothing mined will be sent again)")


def _intent(plan: PlanRecord) -> str:
    return str(plan.summary.get("intent", ""))


def _wait_for_pending(
    reader: Reader,
    journal: Journal,
    report: Report,
    key: str,
    timeout: float,
    warn: Callable[[str], None],
) -> PlanRecord | None:
    """Wait for every pending transaction of the account (they hold its next nonces); refuse
    when one is still pending after `timeout`. Returns the plan of this same command if a
    pending or just-mined transaction completed it (so this run must not do it again)."""
    from ion_cli.chain.reconcile import complete
    from ion_cli.chain.sending import wait_for_receipt

    just_mined = list(report.mined)
    for entry in report.pending:
        warn(f"waiting up to {timeout:g} s for {entry.hash} ({entry.label()}) before planning")
        try:
            receipt = wait_for_receipt(
                reader, entry.hash, confirmations=1, timeout=timeout, name=entry.label()
            )
        except IonError:
            raise RefusedError(
                f"{entry.hash} ({entry.label()}) from this account is still pending: nothing "
                f"was sent; wait for it, or replace it (`ion tx speedup {entry.hash}` or "
                f"`ion tx cancel {entry.hash}`)"
            ) from None
        block_hash = receipt["blockHash"]
        journal.record_mined(
            entry.hash,
            block_number=int(receipt["blockNumber"]),
            block_hash=block_hash
            if isinstance(block_hash, str)
            else "0x" + bytes(block_hash).hex(),
            status=int(receipt["status"]),
        )
        entry.state, entry.status = "mined", int(receipt["status"])
        just_mined.append(entry)
    for entry in just_mined:
        plan = journal.plan(entry.plan_id)
        if plan is None or _intent(plan) != key:
            continue
        if complete(journal, plan) is not None:
            return plan
    return None


def _already_done(
    session: Session,
    plan: PlanRecord,
    journal: Journal,
    market: str,
    warn: Callable[[str], None],
    one_shot: bool = False,
) -> WriteResult:
    from ion_cli.chain.reconcile import complete
    from ion_cli.results import WriteResult

    steps = complete(journal, plan) or []
    hashes = ", ".join(e.hash for e in steps)
    if one_shot:
        warn(f"'{plan.title}' was already applied (transactions {hashes}): nothing was sent")
    else:
        warn(
            f"'{plan.title}' from an earlier run is now mined (transactions {hashes}): nothing "
            "more was sent; run the command again to do it once more"
        )
    return WriteResult(
        plan={
            "plan_id": plan.plan_id,
            "title": plan.title,
            "calls": plan.calls,
            "already_done": True,
            **({"already_applied": True} if one_shot else {}),
            "tx_hashes": [e.hash for e in steps],
        },
        dry_run=False,
        execution=None,
        position=_read_position(session, market, warn),
    )


def _resume(
    session: Session,
    options: WriteOptions,
    observer: Any,
    record: PlanRecord,
    done: int,
    market: str,
) -> WriteResult:
    from ion_cli.chain.plan import Call, Plan
    from ion_cli.flows.writes import run_plan
    from ion_cli.results import WriteResult

    calls = [Call.from_json(c) for c in record.calls[done:]]
    options.observer.on_warning(
        f"finishing '{record.title}' from step {done + 1} of {len(record.calls)} "
        f"(steps 1-{done} were mined by an earlier run)"
    )
    plan = Plan(
        title=f"{record.title}: steps {done + 1}-{len(record.calls)} of an earlier run",
        calls=calls,
        plan_id=record.plan_id,
    )
    observer.resumed_from[record.plan_id] = done
    result = run_plan(session, plan, options)
    resumed = {"plan_id": record.plan_id, "from_step": done + 1, "steps": len(record.calls)}
    return WriteResult(
        plan={**plan.to_json(), "resumed": resumed},
        dry_run=False,
        execution=result,
        position=_read_position(session, market, options.observer.on_warning),
    )


def _read_position(session: Session, market: str, warn: Callable[[str], None]) -> Any:
    from ion_cli.flows.position import positions

    try:
        rows = positions(session, market, None)
        return rows[0] if rows else None
    except IonError as exc:
        warn(f"the position could not be read back: {exc.message}")
        return None


# ---------------------------------------------------------------------- ion tx


def open_journal(session: Session) -> tuple[Journal, str]:
    """The account's journal on the chain the session talks to, keyed by the chain's identity
    (chain id, genesis hash, fork block: `ion_cli.chain.identity`), and the genesis hash."""
    from ion_cli.chain.identity import chain_identity
    from ion_cli.chain.journal import Journal

    reader = session.reader()
    chain_id = session.profile.chain_id or reader.chain_id()
    identity, genesis = chain_identity(reader, chain_id)
    journal = Journal.for_chain(
        identity, session.account().address, chain_id=chain_id, genesis=genesis
    )
    return journal, genesis


def account_journal(session: Session) -> tuple[Journal, str]:
    address = session.account().address
    return open_journal(session)[0], address


def list_transactions(session: Session, *, refresh: bool = True) -> list[dict[str, Any]]:
    """The account's journaled transactions on this network, newest first; with `refresh`,
    unresolved ones are checked against the node first (under the account lock)."""
    journal, address = account_journal(session)
    if refresh and journal.exists():
        from ion_cli.chain.lock import account_lock
        from ion_cli.chain.reconcile import genesis_hash, reconcile

        reader = session.reader()
        with account_lock(session.profile.chain_id, address, timeout=LOCK_WAIT_MIN):
            reconcile(reader, journal, address, genesis_hash(reader))
    rows = [e.to_json() for e in journal.entries().values()]
    return list(reversed(rows))


def transaction_status(session: Session, tx_hash: str) -> dict[str, Any]:
    tx_hash = _check_hash(tx_hash)
    for row in list_transactions(session):
        if row["hash"].lower() == tx_hash:
            return row
    raise UsageError(
        f"transaction {tx_hash} is not in this account's journal on {session.profile.name}"
    )


def _check_hash(tx_hash: str) -> str:
    text = tx_hash.strip().lower()
    if len(text) != 66 or not text.startswith("0x"):
        raise UsageError(f"not a transaction hash: {tx_hash!r:.80} (0x and 64 hex digits)")
    try:
        int(text, 16)
    except ValueError:
        raise UsageError(f"not a transaction hash: {tx_hash!r:.80}") from None
    return text


def replace_transaction(
    session: Session, tx_hash: str, *, cancel: bool, options: WriteOptions, bump: int = 125
) -> dict[str, Any]:
    """Speed up (same transaction, higher fees) or cancel (0 ETH to self) a pending journaled
    transaction: the same nonce, at least `bump`% of its fees, signed only when asked."""
    from ion_cli.chain.lock import account_lock
    from ion_cli.chain.node import base_fee, transaction
    from ion_cli.chain.reconcile import genesis_hash, reconcile
    from ion_cli.chain.sending import Collision, broadcast, wait_for_receipt

    tx_hash = _check_hash(tx_hash)
    # the guards of every write (see guarded_write): mainnet named, chain id checked by the
    # session's connection, the account's lock held, the journal written before broadcast
    require_named_network(session, session.network is not None)
    journal, address = account_journal(session)
    reader = session.reader()
    chain_id = session.profile.chain_id
    with account_lock(chain_id, address, timeout=max(options.timeout, LOCK_WAIT_MIN)):
        genesis = genesis_hash(reader)
        report = reconcile(reader, journal, address, genesis)
        entry = next((e for e in report.pending if e.hash == tx_hash), None)
        if entry is None:
            known = journal.find(tx_hash)
            state = known.state if known else "not in the journal"
            raise RefusedError(f"{tx_hash} is not pending ({state}): nothing to replace")
        old = transaction(reader, tx_hash)
        tip = max(int(old.get("maxPriorityFeePerGas") or 0) * bump // 100 + 1, 10**9)
        max_fee = max(
            int(old.get("maxFeePerGas") or old.get("gasPrice") or 0) * bump // 100 + 1, tip
        )
        latest_base = base_fee(reader)
        max_fee = max(max_fee, 2 * latest_base + tip)
        tx: dict[str, Any] = {
            "to": address if cancel else old["to"],
            "data": b"" if cancel else bytes(old["input"]),
            "value": 0 if cancel else int(old["value"]),
            "nonce": entry.nonce,
            "chainId": chain_id,
            "gas": 21_000 if cancel else int(old["gas"]),
            "maxFeePerGas": max_fee,
            "maxPriorityFeePerGas": tip,
            "type": 2,
        }
        what = "cancel" if cancel else "speed-up"
        options.observer.on_warning(
            f"{what} of {tx_hash} (nonce {entry.nonce}): max fee {max_fee} wei, tip {tip} wei"
        )
        if not options.yes:
            ask = options.confirm
            if ask is None or not ask(f"Send the {what} of nonce {entry.nonce} from {address}?"):
                raise RefusedError("not confirmed: nothing was sent")
        account = session.account().signer()
        signed = account.sign_transaction(tx)
        new_hash = "0x" + bytes(signed.hash).hex()
        raw = bytes(signed.raw_transaction)
        journal.record_signed(
            tx_hash=new_hash,
            raw=raw,
            chain_id=chain_id,
            genesis=genesis,
            sender=address,
            # a cancel is not the plan's step: kept apart so a rerun does not count it as done
            plan_id=f"cancel-{entry.plan_id}" if cancel else entry.plan_id,
            step=entry.step,
            steps=entry.steps,
            nonce=entry.nonce,
            to=str(tx["to"]),
            method=f"{what} of {entry.method or 'step ' + str(entry.step + 1)}",
            description=f"{what} of {tx_hash}",
            title=entry.title,
            replaces=tx_hash,
        )
        try:
            broadcast(reader, raw, new_hash, what, nonce=entry.nonce)
        except Collision as exc:
            if "already used" not in exc.message:
                raise
            journal.record_dropped(new_hash, "its nonce was taken first (the original was mined)")
            raise RefusedError(
                f"{tx_hash} was mined before its {what} reached the node: nothing was replaced "
                "(see `ion tx status`)"
            ) from None
        journal.record_sent(new_hash)
        options.observer.on_warning(f"sent {what}: {new_hash}")
        receipt = wait_for_receipt(
            reader, new_hash, confirmations=1, timeout=options.timeout, name=what
        )
        block_hash = receipt["blockHash"]
        journal.record_mined(
            new_hash,
            block_number=int(receipt["blockNumber"]),
            block_hash=block_hash
            if isinstance(block_hash, str)
            else "0x" + bytes(block_hash).hex(),
            status=int(receipt["status"]),
        )
        journal.record_replaced(tx_hash, new_hash)
        return {
            "replaced": tx_hash,
            "by": new_hash,
            "action": what,
            "nonce": entry.nonce,
            "block_number": int(receipt["blockNumber"]),
            "status": "success" if int(receipt["status"]) == 1 else "reverted",
        }
