"""Every vault of a market: found from the pool's events, indexed incrementally, read at one block.

The public pool has no list of vaults, so the index is built from its logs: a vault exists once
collateral is deposited into it (`DepositCollateral`), gem is moved in (`TransferGem`), debt is
borrowed against it (`Borrow`) or it is confiscated (`ConfiscateVault`): each names the ilk in
an indexed topic and the vault's owner in another. The addresses found are kept in the user
cache dir (one file per chain id, genesis block hash and pool; written atomically) with the
last block scanned, so the next run asks only for the blocks since, less a few for reorgs. A
cache whose last block is gone (a devnet reverted, a chain restarted) is rebuilt from block 0.

Then one batched read at one block gives each vault's collateral and normalized debt; with the
market's rate, reserve rate and Liquidation terms read at the same block, the health and what a
liquidation would do are `position_math`'s.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli import position_math as pm
from ion_cli.atomic import write_atomic
from ion_cli.chain.market_state import MarketState, read_market
from ion_cli.errors import NodeError, RefusedError
from ion_cli.flows.figures import RAY, WAD, text
from ion_cli.flows.installed import require_market
from ion_cli.flows.session import Session
from ion_cli.results import LiquidationOutcome

if TYPE_CHECKING:
    from ion_cli.chain.rpc import Reader

FORMAT_VERSION = 1
REORG_BLOCKS = 64  # blocks re-scanned below the last scanned one (a reorg may have changed them)
READ_CHUNK = 400  # vault reads per JSON-RPC batch
# (event name, topic position of the ilk, topic positions of vault owners)
VAULT_EVENTS: tuple[tuple[str, int, tuple[int, ...]], ...] = (
    ("DepositCollateral", 1, (2,)),
    ("Borrow", 1, (2,)),
    ("TransferGem", 1, (3,)),
    ("ConfiscateVault", 1, (2,)),
)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class VaultRow:
    """One vault of `ion vaults`: amounts exact Decimals in token units; `health` is the
    liquidation health (None: no debt), `liquidation` what `liquidate` would do now."""

    address: str
    collateral: Decimal
    normalized_debt: Decimal
    debt: Decimal
    health: Decimal | None
    liquidatable: bool
    liquidation: LiquidationOutcome
    health_ray: int | None  # the exact health, for sorting and thresholds (not in the JSON)

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "collateral": format(self.collateral, "f"),
            "normalized_debt": format(self.normalized_debt, "f"),
            "debt": format(self.debt, "f"),
            "health": None if self.health is None else format(self.health, "f"),
            "liquidatable": self.liquidatable,
            "liquidation": self.liquidation.to_json(),
        }


@dataclass(frozen=True)
class VaultList:
    """`ion vaults MARKET`: the vaults, sorted by health (the least healthy first, vaults
    without debt last), read at `block`."""

    market: str
    base: str
    pool: str
    block: int
    reserve_exchange_rate: str
    vaults: list[VaultRow]
    known_vaults: int  # addresses found in the events (empty vaults included)
    unsafe_only: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "market": self.market,
            "base": self.base,
            "pool": self.pool,
            "block": self.block,
            "reserve_exchange_rate": self.reserve_exchange_rate,
            "known_vaults": self.known_vaults,
            "unsafe_only": self.unsafe_only,
            "vaults": [v.to_json() for v in self.vaults],
        }


# ---- the index ---------------------------------------------------------------------------------


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ion" / "vaults"


def cache_path(chain_id: int, genesis_hash: str, pool: str) -> Path:
    return cache_dir() / f"{int(chain_id)}-{genesis_hash[2:18].lower()}-{pool.lower()}.json"


@dataclass
class VaultIndex:
    """The owners of every vault of one ilk of one pool seen in its events up to `scanned_to`."""

    pool: str
    ilk: int
    scanned_to: int = -1
    scanned_hash: str = ""
    owners: set[str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "pool": self.pool.lower(),
            "ilk": self.ilk,
            "scanned_to": self.scanned_to,
            "scanned_hash": self.scanned_hash,
            "owners": sorted(self.owners or ()),
        }


def _load(path: Path, pool: str, ilk: int) -> VaultIndex:
    """The cached index, or an empty one (a missing, foreign or damaged file is rebuilt)."""
    empty = VaultIndex(pool=pool, ilk=ilk, owners=set())
    try:
        raw = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return empty
    by_ilk = raw.get("ilks") if isinstance(raw, dict) else None
    entry = by_ilk.get(str(ilk)) if isinstance(by_ilk, dict) else None
    if (
        not isinstance(entry, dict)
        or entry.get("version") != FORMAT_VERSION
        or str(entry.get("pool", "")).lower() != pool.lower()
        or not isinstance(entry.get("scanned_to"), int)
        or not isinstance(entry.get("owners"), list)
    ):
        return empty
    owners = {str(o).lower() for o in entry["owners"] if _is_address(o)}
    return VaultIndex(
        pool=pool,
        ilk=ilk,
        scanned_to=int(entry["scanned_to"]),
        scanned_hash=str(entry.get("scanned_hash", "")),
        owners=owners,
    )


def _save(path: Path, index: VaultIndex) -> None:
    try:
        raw = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        raw = {}
    ilks = raw.get("ilks") if isinstance(raw, dict) else None
    ilks = dict(ilks) if isinstance(ilks, dict) else {}
    ilks[str(index.ilk)] = index.to_json()
    # a cache that cannot be written costs time on the next run, nothing else
    with contextlib.suppress(OSError):
        write_atomic(path, json.dumps({"ilks": ilks}, sort_keys=True))


def _is_address(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 42 and value.startswith("0x")


def _topic_address(topic: str) -> str:
    return "0x" + topic[-40:].lower()


def _event_topics() -> list[tuple[str, int, tuple[int, ...]]]:
    """(topic0 hex, ilk position, owner positions) of the vault events, from the published ABI."""
    from ion_cli.abi.signature import event_topic
    from ion_cli.chain.contracts import abi

    entries = {e["name"]: e for e in abi("IonPool") if e.get("type") == "event"}
    return [
        ("0x" + event_topic(entries[name]).hex(), ilk_at, owners_at)
        for name, ilk_at, owners_at in VAULT_EVENTS
    ]


def _block_hash(reader: Reader, number: int) -> str | None:
    found = reader.request("eth_getBlockByNumber", [hex(number), False], f"reading block {number}")
    if not isinstance(found, dict):
        return None
    return str(found.get("hash", "")).lower() or None


def _log_reader(reader: Reader, head: int, progress: Progress | None) -> Any:
    from ion_cli.chain.logs import node_log_reader

    def report(done: int, total: int) -> None:
        if progress is not None and total > 0:
            progress(f"scanning the pool's events: {min(done, total)}/{total} blocks")

    return node_log_reader(reader, head=head, action="reading the pool's events", progress=report)


def update_index(
    reader: Reader,
    chain_id: int,
    pool: str,
    ilk: int,
    head: int,
    *,
    progress: Progress | None = None,
) -> VaultIndex:
    """The index of `pool`'s ilk brought up to block `head`: only the blocks since the cached
    scan (less `REORG_BLOCKS`) are asked for; the cache file is rewritten atomically."""
    genesis = _block_hash(reader, 0)
    if genesis is None:
        raise NodeError("the node has no genesis block")
    path = cache_path(chain_id, genesis, pool)
    index = _load(path, pool, ilk)
    start = 0
    if 0 <= index.scanned_to <= head and _block_hash(reader, index.scanned_to) == (
        index.scanned_hash or None
    ):
        start = max(0, index.scanned_to - REORG_BLOCKS)
    else:
        index = VaultIndex(pool=pool, ilk=ilk, owners=set())
    owners = set(index.owners or ())
    if start <= head:
        logs = _log_reader(reader, head, progress)
        ilk_topic = "0x" + ilk.to_bytes(32, "big").hex()
        for topic0, ilk_at, owners_at in _event_topics():
            topics: list[str | None] = [None] * (ilk_at + 1)
            topics[0] = topic0
            topics[ilk_at] = ilk_topic
            for entry in logs(pool, topics, start, head):
                for at in owners_at:
                    if len(entry.topics) > at:
                        owners.add(_topic_address(entry.topics[at]))
    index = VaultIndex(
        pool=pool,
        ilk=ilk,
        scanned_to=head,
        scanned_hash=_block_hash(reader, head) or "",
        owners=owners,
    )
    _save(path, index)
    return index


# ---- the vaults --------------------------------------------------------------------------------


def _terms(market: MarketState) -> pm.LiquidationTerms:
    assert market.liquidation_threshold is not None
    return pm.LiquidationTerms(
        liquidation_threshold=market.liquidation_threshold,
        target_health=market.target_health or RAY,
        base_discount=market.base_discount or 0,
        max_discount=market.max_discount or 0,
    )


def vault_row(market: MarketState, address: str, collateral: int, normalized_debt: int) -> VaultRow:
    """One vault's figures at the market's block (the market's Liquidation terms must be known)."""
    terms = _terms(market)
    h = pm.health(
        collateral, normalized_debt, market.rate, market.reserve_rate, terms.liquidation_threshold
    )
    preview = pm.preview_liquidation(
        collateral, normalized_debt, market.rate, market.reserve_rate, market.dust, terms
    )
    health = text(h, RAY)
    return VaultRow(
        address=address,
        collateral=Decimal(text(collateral, WAD) or "0"),
        normalized_debt=Decimal(text(normalized_debt, WAD) or "0"),
        debt=Decimal(text(pm.debt(normalized_debt, market.rate), WAD) or "0"),
        health=None if health is None else Decimal(health),
        liquidatable=preview.liquidatable,
        liquidation=LiquidationOutcome.of(preview.to_json()),
        health_ray=h,
    )


def read_vault_balances(
    reader: Reader, market: MarketState, owners: list[str]
) -> list[tuple[str, int, int]]:
    """(owner, collateral, normalized debt) of each owner, at the market's block, batched."""
    from ion_cli.chain.contracts import IonPool

    pool = IonPool(market.pool)
    out: list[tuple[str, int, int]] = []
    for lo in range(0, len(owners), READ_CHUNK):
        part = owners[lo : lo + READ_CHUNK]
        answers = reader.read(
            [pool.vault(market.ilk_index, o) for o in part],
            market.block,
            f"reading the {market.symbol} vaults",
        )
        for owner, (collateral, nd) in zip(part, answers, strict=True):
            out.append((owner, int(collateral), int(nd)))
    return out


def require_terms(session: Session, market: MarketState) -> None:
    if market.liquidation_threshold is None:
        raise RefusedError(
            f"the health of the {market.symbol} vaults cannot be computed: the market's "
            f"Liquidation address is not known on {session.profile.name} (set networks."
            f"{session.profile.name}.markets.{market.symbol}.liquidation in config.toml)"
        )


def list_vaults(
    session: Session, symbol: str, *, unsafe: bool = False, progress: Progress | None = None
) -> VaultList:
    """`ion vaults`: every vault of the market holding collateral or debt (only liquidatable
    ones with `unsafe`), sorted by health."""
    from ion_cli.addresses import to_checksum

    reader = session.reader()
    market = read_market(reader, session.profile, require_market(session, symbol))
    require_terms(session, market)
    index = update_index(
        reader,
        session.profile.chain_id,
        market.pool,
        market.ilk_index,
        market.block,
        progress=progress,
    )
    rows = []
    for owner, collateral, nd in read_vault_balances(reader, market, sorted(index.owners or ())):
        if collateral == 0 and nd == 0:
            continue
        row = vault_row(market, to_checksum(owner), collateral, nd)
        if unsafe and not row.liquidatable:
            continue
        rows.append(row)
    rows.sort(key=lambda r: (r.health_ray is None, r.health_ray or 0, r.address.lower()))
    return VaultList(
        market=market.symbol,
        base=market.base_symbol,
        pool=market.pool,
        block=market.block,
        reserve_exchange_rate=text(market.reserve_rate, WAD) or "0",
        vaults=rows,
        known_vaults=len(index.owners or ()),
        unsafe_only=unsafe,
    )


__all__ = [
    "VaultIndex",
    "VaultList",
    "VaultRow",
    "list_vaults",
    "read_vault_balances",
    "update_index",
    "vault_row",
]
