"""The Python API: what the `ion` commands do, for scripts and strategies.

    from ion_cli.api import Ion

    ion = Ion(network="devnet")                       # the devnet's funded `dev` account
    for market in ion.markets():
        print(market.market, market.borrow_apr)
    ion.deposit("weETH", "20")
    result = ion.borrow("weETH", "10")                # a WriteResult
    print(result.tx_hashes, result.position.health)

Reads return typed results (`ion_cli.results`: `Market`, `Position`, `LenderPosition`;
`ion.restaking("ezETH")` an `ion_cli.restaking_results.RestakingExposure`); writes
return a `WriteResult` (the plan, every step sent, the position read back). Nothing is printed
and nothing is asked on a terminal: failures raise the `ion_cli.errors` exceptions (`UsageError`
for bad input, `RefusedError` for an unsafe or refused action, `NodeError`, `TransactionReverted`;
a plan that fails after it started sending raises a `PlanFailed` whose `.result` holds every hash
sent). `ion.unsigned("b.json", lambda i: i.leverage("weETH", 10, to="3x"), safe=SAFE)` plans
any write for a Safe multisig instead (a `SafeBatchResult`; `ion_cli.api.safe`). Calling a
write is the decision to send it: pass `confirm` (a callback answering the pipeline's question)
to decide per plan, and `observer` (an `ion_cli.chain.observer.Observer`) to follow every
stage, e.g. to journal each signed transaction before it is broadcast.

The config file and the environment are read once, when `Ion` is made (or pass `config`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ion_cli.api._args import Amount
from ion_cli.api._core import Confirm
from ion_cli.api.beacon import Beacon
from ion_cli.api.challenge import ChallengeMethods
from ion_cli.api.guards import GuardMethods
from ion_cli.api.proofs import Proofs
from ion_cli.api.reads import Reads
from ion_cli.api.safe import SafeWrites
from ion_cli.api.transactions import Transactions
from ion_cli.api.watch import Watching
from ion_cli.api.writes import Writes

if TYPE_CHECKING:
    from ion_cli.flows.prove import VerificationFailed

__all__ = ["Amount", "Confirm", "Ion", "VerificationFailed"]


class Ion(
    Reads,
    Writes,
    SafeWrites,
    Proofs,
    Transactions,
    Beacon,
    Watching,
    ChallengeMethods,
    GuardMethods,
):
    """One network, one account. `network` is a profile name (devnet, mainnet or one from the
    config file; default: the config's `default_network`), `rpc_url` overrides the profile's,
    `account` names an account of `ion account list` (on the devnet, default: `dev`).
    `password` (or `password_file`) unlocks a keystore account. `confirm` and `observer` apply
    to every write unless a write passes its own."""


def __getattr__(name: str) -> object:
    """`VerificationFailed` (what a failed check of `Ion.verify` raises in the CLI), imported
    on first use: the proof machinery is not loaded with the API."""
    if name == "VerificationFailed":
        from ion_cli.flows.prove import VerificationFailed

        return VerificationFailed
    raise AttributeError(name)
