"""`ion validators`: which beacon nodes, which validators, at which state.

Beacon URLs, first that applies: `--beacon-url` (repeatable), `ION_BEACON_URL` (comma-separated),
the network profile's `beacon_urls` in the config file, and on the devnet the local beacon
server the devnet runs. A token's validators come from its adapter (`validators(ctx)`), plus
credentials or indices from user files; a set the adapter could not enumerate is reported as
incomplete, never as zero validators.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli.errors import DevnetNotRunning, UsageError

if TYPE_CHECKING:
    from ion_cli.beacon.client import BeaconClient
    from ion_cli.beacon.snapshot import Snapshot

ENV_VAR = "ION_BEACON_URL"
Progress = Callable[[int, int], None]
Warn = Callable[[str], None]
_TOKEN = re.compile(r"[\s,]+")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_DEVNET_FILES = ("beacon.json", "node.json", "deployment.json")


@dataclass
class BeaconOptions:
    urls: list[str] = field(default_factory=list)
    network: str | None = None
    cross_check: bool = False
    progress: Progress | None = None
    warn: Warn | None = None


def devnet_beacon_url() -> str | None:
    """The devnet's beacon server URL from the devnet dir (`beacon_url` in its state files)."""
    from ion_cli.paths import devnet_dir

    directory = devnet_dir()
    for name in _DEVNET_FILES:
        try:
            data = json.loads((directory / name).read_text())
        except (OSError, ValueError):
            continue
        url = data.get("beacon_url") if isinstance(data, dict) else None
        if isinstance(url, str) and url:
            return url
    return None


def beacon_urls(options: BeaconOptions) -> list[str]:
    return resolve_urls(options)[0]


def resolve_urls(options: BeaconOptions) -> tuple[list[str], bool]:
    """The beacon URLs to use, and whether they are the devnet's own server."""
    if options.urls:
        return [u for raw in options.urls for u in _split(raw)], False
    env = os.environ.get(ENV_VAR, "")
    if env.strip():
        return _split(env), False
    return _profile_urls(options)


def _profile_urls(options: BeaconOptions) -> tuple[list[str], bool]:
    from ion_cli.config import load_config

    config = load_config()
    name = options.network or config.default_network or "devnet"
    raw = config.networks.get(name, {}).get("beacon_urls")
    if raw:
        if isinstance(raw, str):
            return _split(raw), False
        if isinstance(raw, list) and all(isinstance(u, str) for u in raw):
            return [u.strip() for u in raw if u.strip()], False
        raise UsageError(f"networks.{name}.beacon_urls must be a list of URLs")
    if name == "devnet":
        url = devnet_beacon_url()
        if url is None:
            raise DevnetNotRunning(
                "no beacon server for the devnet: run `ion devnet up` (or pass `beacon_urls`)",
                params=("beacon_urls",),
            )
        return [url], True
    raise UsageError(
        f"no beacon node for network '{name}': pass `beacon_urls`, set {ENV_VAR}, or put "
        f"beacon_urls in [networks.{name}] of the config file",
        params=("beacon_urls",),
    )


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def open_client(options: BeaconOptions) -> BeaconClient:
    from ion_cli.beacon.client import BeaconClient

    urls, _ = resolve_urls(options)
    return BeaconClient(urls, progress=options.progress, warn=options.warn)


@contextlib.contextmanager
def _devnet_hint(options: BeaconOptions) -> Iterator[None]:
    """The devnet's own server not answering means the devnet is down (exit 5), not a node
    error: say what to run."""
    from ion_cli.beacon.errors import BeaconUnreachable

    try:
        yield
    except BeaconUnreachable as exc:
        if resolve_urls(options)[1]:
            raise DevnetNotRunning(
                f"the devnet's beacon server does not answer ({exc.message}): run `ion devnet up`"
            ) from None
        raise


def _cross_check(client: BeaconClient, options: BeaconOptions, snapshot: Snapshot) -> Snapshot:
    """With --cross-check: every node agrees on the finalized checkpoint the data hangs off
    (else NodesDisagree); the snapshot then says it was cross-checked."""
    if not options.cross_check:
        return snapshot
    return cross_checked(client, snapshot)


def cross_checked(client: BeaconClient, snapshot: Snapshot) -> Snapshot:
    from dataclasses import replace

    from ion_cli.beacon.errors import NodesDisagree

    checkpoint = client.cross_check()
    same_epoch = snapshot.state.slot // 32 == checkpoint.epoch
    if snapshot.state.finalized and same_epoch and snapshot.state.block_root != checkpoint.root:
        raise NodesDisagree(
            "the finalized block read does not match the finalized checkpoint the nodes agree on"
        )
    return replace(snapshot, cross_checked=True)


def judge_set(token: TokenValidators, snapshot: Snapshot, warn: Warn | None) -> Snapshot:
    """What the beacon answer may be trusted as. No validator at all for credentials the adapter
    names is an error (a node that rewrote or withheld them must not read as "0 validators");
    fewer than the token's registry says makes the set incomplete, with a note naming the node."""
    from dataclasses import replace

    from ion_cli.beacon.errors import ValidatorSetShort

    found = len(snapshot.validators)
    source = snapshot.source or "the beacon node"
    expected = token.expected
    if found == 0 and (token.credentials or token.ids):
        registry = f" (its registry says {expected})" if expected else ""
        short = ValidatorSetShort(
            f"{token.symbol}: {source} returned no validator for the {len(token.credentials)} "
            f"withdrawal credential(s) its adapter names ({token.method}){registry}: refusing "
            "to report 0 validators (a node that withholds or rewrites them?); try another "
            "node (`beacon_urls`, `cross_check`)"
        )
        short.params = ("beacon_urls", "cross_check")
        raise short
    if expected is not None and found < expected:
        note = (
            f"incomplete: {source} returned {found} of the {expected} validators the token's "
            "registry names"
        )
        if warn is not None:
            warn(f"{token.symbol}: {note}")
        return replace(snapshot, complete=False, notes=(*snapshot.notes, note))
    return snapshot


# ---- ids and files ----


def read_tokens(source: str | Path, stdin: Any = None, what: str = "ids file") -> list[str]:
    """Whitespace- or comma-separated tokens from a file (`-` = stdin); `#` starts a comment."""
    import sys

    from ion_cli.inputs import IDS_LIMIT, read_input_text

    text = read_input_text(
        source,
        what,
        limit=IDS_LIMIT,
        stdin_ok=True,
        stdin=stdin if stdin is not None else sys.stdin,
    )
    tokens: list[str] = []
    for line in text.splitlines():
        body = line.split("#", 1)[0]
        tokens += [t for t in _TOKEN.split(body) if t]
    return tokens


def collect_ids(ids: Sequence[str], ids_file: Path | None, stdin: Any = None) -> list[str]:
    from ion_cli.beacon import parse

    tokens: list[str] = []
    for item in ids:
        if item == "-":
            tokens += parse_file_tokens(
                read_tokens("-", stdin), "standard input", parse.validator_id
            )
        else:
            tokens.append(parse.validator_id(item))  # typed by the user: safe to quote
    if ids_file is not None:
        tokens += parse_file_tokens(read_tokens(ids_file, stdin), str(ids_file), parse.validator_id)
    if not tokens:
        raise UsageError("no validator ids: give indices or 0x pubkeys, a file, or - for stdin")
    return parse.validator_ids(tokens)


def parse_file_tokens(tokens: Sequence[str], where: str, parse_one: Any) -> list[str]:
    """Each token parsed; a bad one is named by its position only. A file given by mistake may
    hold a private key or a seed phrase: its content never reaches an error message."""
    from ion_cli.beacon.errors import BadValidatorId

    out: list[str] = []
    for number, token in enumerate(tokens, 1):
        try:
            out.append(parse_one(token))
        except BadValidatorId as exc:
            kind = exc.message.split(":", 1)[0]
            raise BadValidatorId(f"{where}: entry {number} is {kind}") from None
    return out


def read_credentials(path: Path) -> list[str]:
    """0x 32-byte credentials, or 20-byte addresses (taken as their 0x01 and 0x02 credentials)."""
    from ion_cli.adapters import withdrawal_credentials
    from ion_cli.beacon import parse

    out: list[str] = []
    tokens = read_tokens(path, what="credentials file")
    if not tokens:  # an empty file named on purpose is a mistake (the wrong file)
        raise UsageError(f"the credentials file {path} holds no credentials or addresses")
    for token in tokens:
        if _ADDRESS.fullmatch(token):
            out += withdrawal_credentials(token)
    rest = [t for t in tokens if not _ADDRESS.fullmatch(t)]
    out += parse_file_tokens(rest, str(path), parse.credential)
    return list(dict.fromkeys(c.lower() for c in out))


# ---- use cases ----


def show(ids: Sequence[str], state: str, options: BeaconOptions) -> Snapshot:
    from ion_cli.beacon.fetch import snapshot_of_ids

    with _devnet_hint(options), open_client(options) as client:
        snapshot = snapshot_of_ids(client, ids, state, warn=options.warn)
        snapshot = _cross_check(client, options, snapshot)
    return snapshot


@dataclass(frozen=True)
class TokenValidators:
    """What the adapter (and the user's files) say about a token's validators."""

    symbol: str
    credentials: tuple[str, ...]
    pods: tuple[str, ...]
    ids: tuple[str, ...]
    method: str
    complete: bool
    expected: int | None = None  # validators the token's registry says back it (None: unknown)


def token_validators(
    symbol: str,
    network: str | None,
    rpc_url: str | None,
    credentials_file: Path | None = None,
    indices_file: Path | None = None,
) -> TokenValidators:
    """The adapter's answer, with the user's credentials/indices added."""
    from ion_cli.adapters import AdapterContext, AdapterError
    from ion_cli.beacon import parse
    from ion_cli.flows.session import Session
    from ion_cli.plugins_registry import load

    user_creds = read_credentials(credentials_file) if credentials_file else []
    user_ids: list[str] = []
    if indices_file:
        tokens = read_tokens(indices_file, what="indices file")
        if not tokens:
            raise UsageError(f"the indices file {indices_file} holds no validator ids")
        user_ids = parse.validator_ids(
            parse_file_tokens(tokens, str(indices_file), parse.validator_id)
        )
    session = Session(network=network, rpc_url=rpc_url)
    profile = session.profile
    adapter = load(symbol.lower())

    # The reader is asked for only when the adapter reads the chain (an adapter answering
    # from static facts, or the user's files, need no node).
    def call(to: str, signature: str, args: Sequence[Any] = ()) -> Any:
        from ion_cli.adapters import chain_call_from

        reader = session.reader()
        return chain_call_from(
            lambda t, d: reader.eth_call(t, d, "latest", f"reading the {symbol} validator set")
        )(to, signature, args)

    def logs(
        address: str,
        topics: Sequence[str | None] = (),
        from_block: int = 0,
        to_block: int | None = None,
    ) -> Any:
        from ion_cli.chain.logs import node_log_reader

        read = node_log_reader(session.reader(), action=f"reading the {symbol} events")
        return read(address, topics, from_block, to_block)

    context = AdapterContext(
        chain_id=profile.chain_id,
        network=profile.name,
        deployment=profile.extra.get("deployment"),
        call=call,
        logs=logs,
    )
    try:
        source = adapter.validators(context)
    except AdapterError as exc:
        if not (user_creds or user_ids):
            raise
        source = None
        method = f"user files ({exc.message})"
    creds = tuple(c.lower() for c in (source.withdrawal_credentials if source else ()))
    method = source.method if source else method
    complete = source.complete if source else False
    if user_creds or user_ids:
        # The user's files complete a set the adapter could not enumerate.
        complete = True
        method += "; plus user files" if source else ""
    return TokenValidators(
        symbol=adapter.symbol,
        credentials=tuple(dict.fromkeys((*creds, *user_creds))),
        pods=tuple(source.pods if source else ()),
        ids=tuple(user_ids),
        method=method,
        complete=complete,
        # The registry's count holds for the adapter's own set; user files only add to it.
        expected=source.expected_count if source else None,
    )


def summary(
    symbol: str,
    state: str,
    options: BeaconOptions,
    *,
    rpc_url: str | None = None,
    credentials_file: Path | None = None,
    indices_file: Path | None = None,
    use_cache: bool = True,
    rescan: bool = False,
) -> dict[str, Any]:
    from ion_cli.beacon.fetch import snapshot_of_credentials
    from ion_cli.beacon.summary import summarize

    token = token_validators(symbol, options.network, rpc_url, credentials_file, indices_file)
    if not token.credentials and not token.ids:
        raise UsageError(
            f"{token.symbol}: its adapter cannot enumerate the validators here ({token.method}); "
            "pass `credentials_file` or `indices_file`",
            params=("credentials_file", "indices_file"),
        )
    notes: list[str] = []
    if not token.complete:
        notes.append(
            f"incomplete: the adapter could not enumerate every validator ({token.method})"
        )
        if options.warn is not None:
            options.warn(f"{token.symbol}: the validator set is incomplete ({token.method})")
    with _devnet_hint(options), open_client(options) as client:
        snapshot = snapshot_of_credentials(
            client,
            token.credentials,
            state,
            ids=token.ids,
            complete=token.complete,
            notes=notes,
            warn=options.warn,
            use_cache=use_cache,
            full_rescan=rescan,
        )
        snapshot = _cross_check(client, options, snapshot)
    snapshot = judge_set(token, snapshot, options.warn)
    return summarize(
        snapshot,
        symbol=token.symbol,
        credentials=token.credentials,
        pods=token.pods,
        method=token.method,
    )


def snapshot_csv_rows(snapshot: Snapshot) -> Iterable[dict[str, Any]]:
    state = snapshot.state
    for v in snapshot.validators:
        yield {
            "slot": state.slot,
            "state_root": state.state_root,
            "finalized": state.finalized,
            "execution_optimistic": state.execution_optimistic,
            "index": v.index,
            "pubkey": v.pubkey,
            "withdrawal_credentials": v.withdrawal_credentials,
            "status": v.status,
            "balance_gwei": v.balance,
            "effective_balance_gwei": v.effective_balance,
            "slashed": v.slashed,
            "activation_eligibility_epoch": v.activation_eligibility_epoch,
            "activation_epoch": v.activation_epoch,
            "exit_epoch": v.exit_epoch,
            "withdrawable_epoch": v.withdrawable_epoch,
        }


def summary_csv_rows(doc: dict[str, Any]) -> Iterable[dict[str, Any]]:
    state = doc["state"]

    def row(address: str, pod: Any, t: dict[str, Any]) -> dict[str, Any]:
        return {
            "symbol": doc["symbol"],
            "slot": state["slot"],
            "state_root": state["state_root"],
            "finalized": state["finalized"],
            "execution_optimistic": state["execution_optimistic"],
            "complete": doc["complete"],
            "address": address,
            "pod": pod,
            "count": t["count"],
            "slashed": t["slashed"],
            "balance_gwei": t["balance_gwei"],
            "effective_balance_gwei": t["effective_balance_gwei"],
            "shortfall_gwei": t["shortfall_gwei"],
            "by_status": ";".join(f"{k}={v}" for k, v in t["by_status"].items()),
            "credential_types": ";".join(f"{k}={v}" for k, v in t["credential_types"].items()),
        }

    for entry in doc["by_address"]:
        yield row(entry["address"], entry["pod"], entry)
    yield row("total", "", doc)
