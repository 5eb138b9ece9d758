"""Broadcasting one signed transaction and waiting for it, without ever sending it twice.

A send that errors may still have reached the node (a timeout after the request left, a proxy
that dropped the answer). So nothing here retries eth_sendRawTransaction: on an error we ask the
node whether it knows the hash, and if we cannot tell we say so, with the hash, and stop.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ion_cli.chain.client import RpcError, connection_reason, is_transport_error, node_error
from ion_cli.chain.revert import decode_exception
from ion_cli.errors import IonError, NodeError, RefusedError

if TYPE_CHECKING:
    from web3 import Web3

    from ion_cli.chain.rpc import Reader

# seconds: anvil mines within milliseconds of the send, so the next look comes after a few
# milliseconds and the wait doubles from there (5, 10, 20 ... ms) up to POLL_MAX.
POLL_START = 0.005
POLL_GROWTH = 2.0
POLL_MAX = 2.0


def known_to_node(w3: Web3, tx_hash: str) -> bool | None:
    """Whether the node knows the transaction (pending or mined); None if we cannot ask."""
    from ion_cli.chain.node import not_found_errors

    TransactionNotFound = not_found_errors()  # ours, and web3's for a caller holding a Web3

    try:
        w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
    except TransactionNotFound:
        return False
    except Exception:
        return None
    return True


COLLISION = "collision:"  # how a Collision's message starts (the journal marks the entry by it)


class Collision(RefusedError):
    """Another writer got there first: it used this step's nonce, or the node already had these
    exact signed bytes from someone else. Exit 3 (refused): this step was not done by this
    command, and nothing more of the plan is sent."""


def _collision_kind(message: str) -> str | None:
    # geth: "already known"; anvil: "transaction already imported"; others: "known transaction"
    if any(t in message for t in ("already known", "known transaction", "already imported")):
        return "known"
    if "nonce too low" in message or "nonce has already been used" in message:
        return "nonce"
    if "replacement transaction underpriced" in message:
        return "replacement"
    return None


def broadcast(
    w3: Web3 | Reader,
    raw: bytes,
    tx_hash: str,
    name: str,
    *,
    nonce: int | None = None,
    resend: bool = False,
) -> None:
    """Send `raw` once. Returns when the node has it; raises a one-line error otherwise.

    A node's "already known" is accepted only for a `resend` (these exact bytes are this
    account's own re-broadcast of a step it signed earlier, as its journal shows); otherwise it,
    "nonce too low" and "replacement transaction underpriced" are a Collision: another writer
    used this nonce (or sent these bytes), and its transaction is not this command's success."""
    from ion_cli.chain.node import as_web3

    w3 = as_web3(w3)
    try:
        w3.eth.send_raw_transaction(raw)
        return
    except Exception as exc:
        failure = exc
    message = str(getattr(failure, "message", "") or failure).lower()
    at = f" (nonce {nonce})" if nonce is not None else ""
    kind = _collision_kind(message)
    if kind == "known":
        if resend:
            return  # our own earlier signing of these very bytes: wait for its receipt
        raise Collision(
            f"{COLLISION} the node already had {name}{at}, transaction {tx_hash}, before this "
            "command sent it (another process or client sent these signed bytes): it is not "
            "counted as this command's success; check it with `ion tx status "
            f"{tx_hash}` before running the command again"
        )
    if kind in ("nonce", "replacement"):
        what = (
            "was already used by another transaction"
            if kind == "nonce"
            else "is held by another pending transaction"
        )
        raise Collision(
            f"{COLLISION} {name} was signed{at} but not sent: that nonce {what} from this "
            "account (another wallet or process writing at the same time); nothing more was "
            "sent; run the command again once the other transaction is mined"
        )
    known = known_to_node(w3, tx_hash)
    if known:
        return
    if is_transport_error(failure) or known is None:
        raise NodeError(
            f"{name}: could not tell whether transaction {tx_hash} reached the node "
            f"({connection_reason(failure)}); check it before sending again"
        )
    error = node_error(failure, action=f"sending {name}")
    detail = error.message.split(": ", 1)[-1]
    raise RpcError(
        f"the node refused {name}: {detail}", code=getattr(error, "code", None)
    ) from None


def wait_for_receipt(
    w3: Web3 | Reader, tx_hash: str, *, confirmations: int, timeout: float, name: str
) -> Any:
    """The receipt once mined and `confirmations` deep; an error naming the hash on timeout."""
    from ion_cli.chain.node import as_web3, not_found_errors

    w3 = as_web3(w3)

    TransactionNotFound = not_found_errors()  # ours, and web3's for a caller holding a Web3

    deadline = time.monotonic() + timeout
    delay = POLL_START
    receipt: Any = None
    unreachable: BaseException | None = None  # the last poll's transport failure, if it failed
    while True:
        try:
            unreachable = None
            if receipt is None:
                receipt = w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
            if confirmations <= 1:
                return receipt
            depth = int(w3.eth.block_number) - int(receipt["blockNumber"]) + 1
            if depth >= confirmations:
                return receipt
        except TransactionNotFound:
            pass
        except Exception as exc:
            if not is_transport_error(exc):
                raise node_error(exc, action=f"waiting for {tx_hash}") from None
            # A dropped connection while waiting is worth another look, never a resend.
            unreachable = exc
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            if unreachable is not None:
                raise NodeError(
                    f"{name}: transaction {tx_hash} was sent, but the node became unreachable "
                    f"while waiting for its receipt ({connection_reason(unreachable)}); whether "
                    "it is mined is unknown: check it before sending again"
                )
            state = "mined" if receipt is None else f"{confirmations} blocks deep"
            raise IonError(
                f"{name}: transaction {tx_hash} was sent but is not {state} after "
                f"{timeout:g} s; check it (e.g. `cast receipt {tx_hash}`) before sending again"
            )
        time.sleep(min(delay, remaining))
        delay = min(delay * POLL_GROWTH, POLL_MAX)


def failure_reason(w3: Web3, tx: dict[str, Any], receipt: Any) -> str:
    """Why a mined transaction reverted: replay it with eth_call at its block and decode."""
    limit, used = int(tx.get("gas", 0)), int(receipt["gasUsed"])
    # Out of gas inside a nested call leaves up to 1/64 of the gas unused (EIP-150), and its
    # replay reverts without data: judge by the gas first.
    if limit and used * 64 >= limit * 63:
        return f"ran out of gas (used {used:,} of its {limit:,} limit)"
    call = {k: tx[k] for k in ("from", "to", "data", "value", "gas") if k in tx}
    block = receipt["blockNumber"]
    try:
        w3.eth.call(call, block)  # type: ignore[arg-type]
    except Exception as exc:
        decoded = decode_exception(exc)
        if decoded is not None:
            return decoded.text
        return f"reason unknown (the replay failed: {node_error(exc).message})"
    return f"reason unknown (a replay at block {block} did not revert)"
