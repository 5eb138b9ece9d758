"""Where `ion risk` and `ion prove` get their snapshot: the beacon client of `ion validators`.

A thin bridge, so the risk flows depend on one function each: the token's validators at one
state (found by its adapter, read through the beacon client), and the network's total active
balance (read in full only where that is cheap: the devnet's beacon server).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from ion_cli.errors import UsageError

if TYPE_CHECKING:
    from ion_cli.beacon.snapshot import Snapshot
    from ion_cli.flows.session import Session
    from ion_cli.flows.validators import BeaconOptions, TokenValidators


class SnapshotRequest(Protocol):
    """What a snapshot is asked for with (`ion_cli.flows.risk.SnapshotRequest` is one): a
    protocol, so this bridge below the risk flows does not import them."""

    @property
    def symbol(self) -> str: ...

    @property
    def state(self) -> str: ...

    @property
    def beacon_urls(self) -> tuple[str, ...]: ...

    @property
    def cross_check(self) -> bool: ...


def beacon_options(
    session: Session, request: SnapshotRequest | None, warn: Callable[[str], None]
) -> BeaconOptions:
    from ion_cli.flows.validators import BeaconOptions

    urls = list(request.beacon_urls) if request else []
    return BeaconOptions(urls=urls, network=session.network, warn=warn)


def token_snapshot(
    session: Session,
    request: SnapshotRequest,
    progress: Callable[[str], None],
    token: TokenValidators | None = None,
) -> Snapshot:
    """`token`: the adapter's answer when the caller already has it (asked here otherwise)."""
    from ion_cli.beacon.fetch import snapshot_of_credentials
    from ion_cli.flows.validators import cross_checked, judge_set, open_client, token_validators

    options = beacon_options(session, request, progress)
    if token is None:
        token = token_validators(request.symbol, session.network, session.rpc_url)
    if not token.credentials and not token.ids:
        raise UsageError(
            f"{token.symbol}: its adapter cannot enumerate the validators here ({token.method})"
        )
    notes = [] if token.complete else [f"incomplete: {token.method}"]
    progress(f"reading {token.symbol}'s validators at state {request.state}")
    with open_client(options) as client:
        snapshot: Snapshot = snapshot_of_credentials(
            client,
            token.credentials,
            request.state,
            ids=token.ids,
            complete=token.complete,
            notes=notes,
            warn=progress,
        )
        if request.cross_check:
            snapshot = cross_checked(client, snapshot)
    return judge_set(token, snapshot, progress)


def network_active_balance(session: Session, snapshot: Snapshot) -> int | None:
    """The network's total active effective balance at the snapshot's state, on the devnet
    (a full scan there is small); None elsewhere (the rule's default is used)."""
    from ion_cli.flows.network import network_name

    if not network_name(session)[1]:
        return None
    from ion_cli.flows.validators import open_client

    epoch = snapshot.state.epoch
    with open_client(beacon_options(session, None, lambda _: None)) as client:
        answer = client.scan(
            snapshot.state.state_root,
            lambda v: v.activation_epoch <= epoch < v.exit_epoch,
        )
    total = sum(v.effective_balance for v in answer.validators)
    return total or None
