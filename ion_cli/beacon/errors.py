"""Typed beacon-node failures. Each is an IonError, so a command prints one line and exits with
the README's code: the node's fault (unreachable, syncing, malformed or partial answers) is 4,
the user's (an unknown id, a bad state name) is 2, a refusal for safety (nodes that disagree on
finality) is 3."""

from __future__ import annotations

from ion_cli.errors import NodeError, RefusedError, UsageError


class BeaconError(NodeError):
    """The beacon node failed us; `node` names it (scheme, host and port only)."""

    def __init__(self, message: str, *, node: str = "") -> None:
        super().__init__(message)
        self.node = node


class BeaconUnreachable(BeaconError):
    """Connection refused, timed out, or dropped (also mid-response) after the retries."""


class BeaconSyncing(BeaconError):
    """The node is syncing or not ready (health 206/503, or 503 on a data route)."""


class BeaconMalformed(BeaconError):
    """The node answered something that is not the JSON the API specifies."""


class BeaconHttpError(BeaconError):
    """An HTTP error the API defines ({"code", "message"}), other than the ones above."""

    def __init__(self, message: str, *, node: str = "", status: int = 0) -> None:
        super().__init__(message, node=node)
        self.status = status


class BeaconOptimistic(BeaconError):
    """execution_optimistic data for a state that must not be (finalized, for proofs)."""


class AllNodesFailed(BeaconError):
    """Every configured node failed; the message names each one's reason."""


class UnknownValidators(UsageError):
    """Ids (indices or pubkeys) that the state does not hold."""

    def __init__(self, message: str, missing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.missing = missing


class UnknownState(UsageError):
    """A --state (slot, root, name) the node does not know."""


class BadValidatorId(UsageError):
    """Not a validator index nor a 0x-prefixed 48-byte pubkey."""


class NodesDisagree(RefusedError):
    """--cross-check: the nodes do not agree on the finalized checkpoint."""


class ValidatorSetShort(BeaconError):
    """The node returned no validator for a token whose adapter names credentials: never shown
    as "0 validators" (exit 4, the node's answer is not to be trusted)."""


class NotTheState(RefusedError):
    """The node's answers are not the state its header names: the SSZ state does not hash to
    the header's state root, a header to its block root, or a validator record (or one left out)
    differs from the state's."""
