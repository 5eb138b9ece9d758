"""`ion risk`: the consensus-layer risk of the validators behind an LRT, without a proof.

The features, the model's score and haircut (computed in the circuit's own arithmetic by ezkl's
witness, so it is the figure a proof would carry), and the plain rule's loss beside it. With
`--what-if-slashed`, the snapshot gets a hypothetical slashing (`rule.hypothetical_slashing`) and
each named vault is shown before and after: the reserve rate is assumed to fall by the loss the
slashing adds (the plain rule's figure: that is what the consensus layer takes), and for each
vault the number (and share) of the token's validators whose slashing would make it liquidatable.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli.errors import UsageError
from ion_cli.zk import features as feats
from ion_cli.zk import layout, rule
from ion_cli.zk import restaking_features as rf

if TYPE_CHECKING:
    from ion_cli.beacon.snapshot import Snapshot
    from ion_cli.flows.session import Session

Progress = Callable[[str], None]
WAD = 10**18


@dataclass(frozen=True)
class SnapshotRequest:
    symbol: str
    state: str = "finalized"
    snapshot_file: Path | None = None
    beacon_urls: tuple[str, ...] = ()
    # Refuse unless every beacon node agrees on the finalized checkpoint (two or more nodes).
    cross_check: bool = False
    # The network's total active balance (Gwei) when known; else read (devnet) or the default.
    network_active_balance: int | None = None


def read_snapshot_file(path: Path) -> Snapshot:
    from ion_cli.inputs import SNAPSHOT_LIMIT, read_input_text
    from ion_cli.zk.snapshot_json import SnapshotFormatError, snapshot_from_json

    text = read_input_text(path, "snapshot file", limit=SNAPSHOT_LIMIT)
    try:
        return snapshot_from_json(json.loads(text))
    except RecursionError:
        raise UsageError(f"{path} is not a snapshot: nested too deeply") from None
    except (ValueError, SnapshotFormatError) as exc:
        raise UsageError(f"{path} is not a snapshot: {exc}") from exc


def load_snapshot(session: Session, request: SnapshotRequest, progress: Progress) -> Snapshot:
    """The token's validators at the requested state: from a file, or from the beacon node."""
    if request.snapshot_file is not None:
        return read_snapshot_file(request.snapshot_file)
    from ion_cli.flows import beacon_source

    return beacon_source.token_snapshot(session, request, progress)


def network_context(
    session: Session, request: SnapshotRequest, snapshot: Snapshot
) -> rule.NetworkContext:
    """The network's total active balance: given, or read from the devnet's beacon server (a
    full scan is small there); else the rule's default (mainnet, rounded), recorded as used."""
    active = request.network_active_balance
    if active is None and request.snapshot_file is None:
        from ion_cli.flows import beacon_source

        active = beacon_source.network_active_balance(session, snapshot)
    return rule.NetworkContext(active_balance=active) if active else rule.NetworkContext()


# ---- the score ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    snapshot: Snapshot
    network: rule.NetworkContext
    features: feats.Features
    score: int  # the model's, signed, p = score / 1024
    loss: rule.Loss  # the plain rule's beacon part
    restaking: rf.RestakingInputs = rf.NONE  # the restaking part, at its pinned block

    @property
    def haircut_wad(self) -> int:
        return layout.haircut_wad(self.score)

    @property
    def loss_fraction(self) -> Fraction:
        """The extended rule's loss: the beacon loss plus the realized AVS loss."""
        beacon = Fraction(self.loss.total, self.loss.effective_balance or 1)
        return beacon + self.restaking.loss_fraction()

    @property
    def rule_haircut_wad(self) -> int:
        """The haircut the extended rule's loss maps to through the same clamp (comparison)."""
        span = layout.H_MAX_WAD - layout.H_MIN_WAD
        fraction = self.loss_fraction
        p = min(max(fraction * layout.WAD - layout.H_MIN_WAD, Fraction(0)) / span, Fraction(1))
        return layout.H_MIN_WAD + int(span * p)

    def to_json(self) -> dict[str, Any]:
        from ion_cli.zk import sumtree

        sums = feats.sums_of(self.snapshot)
        from_sums = feats.from_sums(sums, self.network.active_balance, self.network.other_slashed)
        return {
            "features": self.features.to_json(),
            # What a submission commits and the feed computes on chain (ion_cli.zk.sumtree).
            "committed_snapshot": {
                "sums": dict(zip(sumtree.SUM_NAMES, sums, strict=True)),
                "features_from_sums": list(from_sums.quantized),
            },
            "network": self.network.to_json(),
            "restaking": self.restaking.to_json(),
            "model": {
                "score": self.score,
                "p": self.score / layout.SCORE_ONE,
                "haircut_wad": str(self.haircut_wad),
                "haircut": _pct(self.haircut_wad),
            },
            "rule": {
                **self.loss.to_json(),
                "avs_loss_fraction": float(self.restaking.loss_fraction()),
                "extended_fraction": float(self.loss_fraction),
                "haircut_wad": str(self.rule_haircut_wad),
                "haircut": _pct(self.rule_haircut_wad),
            },
        }


def _pct(wad: int) -> str:
    """A haircut as a decimal ratio ("0.000168"; --json carries ratios, never percent
    strings): exact, from the wad."""
    from decimal import Decimal

    return format((Decimal(wad) / WAD).normalize(), "f")


def model_score(
    snapshot: Snapshot,
    f: feats.Features,
    progress: Progress,
    restaking: rf.RestakingInputs | None = None,
) -> int:
    """The model's score for these features, in the circuit's arithmetic (ezkl's witness)."""
    from ion_cli.zk import ezkl_runner as er

    compiled = er.compiled(progress)
    inputs = layout.PublicInputs(
        features_q=f.quantized,
        slot=snapshot.state.slot,
        state_root=snapshot.state.state_root,
        # The model id is a public input no node reads: any id gives the same score.
        model_id="0x" + "00" * layout.MODEL_ID_BYTES,
        restaking_q=(restaking or rf.none()).quantized(),
        block=(restaking or rf.none()).block,
    )
    with tempfile.TemporaryDirectory(prefix="ion-risk-") as tmp:
        return er.witness(compiled, inputs, Path(tmp)).score


def assess(
    snapshot: Snapshot,
    network: rule.NetworkContext,
    progress: Progress,
    *,
    with_model: bool = True,
    restaking: rf.RestakingInputs | None = None,
) -> Assessment:
    f = feats.compute(snapshot, network)
    pinned = restaking or rf.none()
    score = model_score(snapshot, f, progress, pinned) if with_model else 0
    return Assessment(snapshot, network, f, score, rule.loss(snapshot, network), pinned)


# ---- what if -----------------------------------------------------------------------------------

_WHAT_IF = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$", re.ASCII)  # ١ is not 1


def check_what_if(text: str) -> None:
    """The form of --what-if-slashed (N or P%, P at most 100), checked without the snapshot."""
    m = _WHAT_IF.match(text)
    if not m:
        raise UsageError(f"--what-if-slashed: expected N or P%, got {text!r}")
    if m.group(2) and float(m.group(1)) > 100:
        raise UsageError("--what-if-slashed: a share above 100%")
    if not m.group(2) and "." in m.group(1):
        raise UsageError("--what-if-slashed: a count of validators is a whole number")


def parse_what_if(text: str, snapshot: Snapshot) -> int:
    """'N' validators or 'P%' of the slashable ones, as a count."""
    m = _WHAT_IF.match(text)
    if not m:
        raise UsageError(f"--what-if-slashed: expected N or P%, got {text!r}")
    number, percent = m.group(1), m.group(2)
    if percent:
        share = float(number) / 100
        if share > 1:
            raise UsageError("--what-if-slashed: a share above 100%")
        return rule.count_for_share(snapshot, share)
    if "." in number:
        raise UsageError("--what-if-slashed: a count of validators is a whole number")
    count = int(number)
    available = len(rule.slashable(snapshot))
    if count > available:
        raise UsageError(
            f"--what-if-slashed: {count} validators, but only {available} can still be slashed"
        )
    return count


def added_loss(before: rule.Loss, after: rule.Loss) -> Fraction:
    """The loss a slashing adds, as a fraction of the set's effective balance."""
    base = before.effective_balance or 1
    return Fraction(max(0, after.total - before.total), base)


def rate_after(rate: int, loss: Fraction) -> int:
    return int(rate * (1 - min(loss, Fraction(1))))


def slashings_to_liquidate(
    snapshot: Snapshot, network: rule.NetworkContext, rate: int, liquidation_rate: int
) -> int | None:
    """The fewest extra slashed validators that bring `rate` below `liquidation_rate`
    (None: not even all of them). The rule's loss grows with every slashing, so bisect."""
    if liquidation_rate <= 0:
        return None
    before = rule.loss(snapshot, network)

    def liquidates(n: int) -> bool:
        after = rule.loss(rule.hypothetical_slashing(snapshot, n), network)
        return rate_after(rate, added_loss(before, after)) < liquidation_rate

    if liquidates(0):
        return 0
    high = len(rule.slashable(snapshot))
    if not liquidates(high):
        return None
    low = 0  # liquidates(low) is False, liquidates(high) is True
    while high - low > 1:
        mid = (low + high) // 2
        if liquidates(mid):
            high = mid
        else:
            low = mid
    return high


def what_if(
    session: Session,
    symbol: str,
    snapshot: Snapshot,
    network: rule.NetworkContext,
    count: int,
    addresses: list[str],
    progress: Progress,
    restaking: rf.RestakingInputs | None = None,
) -> dict[str, Any]:
    from ion_cli import position_math as pm
    from ion_cli.chain.market_state import read_market, read_vault
    from ion_cli.flows.figures import RAY, text
    from ion_cli.flows.installed import require_market

    after_snapshot = rule.hypothetical_slashing(snapshot, count)
    before = rule.loss(snapshot, network)
    after = assess(after_snapshot, network, progress, restaking=restaking)
    extra = added_loss(before, after.loss)
    market = read_market(session.reader(), session.profile, require_market(session, symbol))
    new_rate = rate_after(market.reserve_rate, extra)
    pool = len(rule.slashable(snapshot))
    vaults = []
    owners: list[str | None] = list(addresses) if addresses else [None]
    for who in owners:
        address = session.address_of(who)
        vault = read_vault(session.reader(), session.profile, market, address)
        lt = market.liquidation_threshold
        row: dict[str, Any] = {
            "address": address,
            "collateral": text(vault.collateral, WAD),
            "debt": text(pm.debt(vault.normalized_debt, market.rate), WAD),
        }
        if lt is None or vault.normalized_debt == 0:
            row.update(
                health_before=None,
                health_after=None,
                liquidatable_after=False,
                slashings_to_liquidation=None,
                share_to_liquidation=None,
            )
        else:
            args = (vault.collateral, vault.normalized_debt, market.rate)
            h0 = pm.health(*args, market.reserve_rate, lt)
            h1 = pm.health(*args, new_rate, lt)
            liq = pm.liquidation_exchange_rate(*args, lt)
            n = slashings_to_liquidate(snapshot, network, market.reserve_rate, liq)
            row.update(
                health_before=text(h0, RAY),
                health_after=text(h1, RAY),
                liquidatable_after=h1 is not None and h1 < RAY,
                liquidation_exchange_rate=text(liq, WAD),
                slashings_to_liquidation=n,
                share_to_liquidation=(f"{100 * n / pool:.2f}%" if n is not None and pool else None),
            )
        vaults.append(row)
    return {
        "slashed": count,
        "slashable": pool,
        "added_loss": float(extra),
        "reserve_rate_before": text(market.reserve_rate, WAD),
        "reserve_rate_after": text(new_rate, WAD),
        "after": after.to_json(),
        "vaults": vaults,
        "assumption": (
            "the reserve rate falls by the loss the slashing adds (the plain rule); the "
            "validators slashed are the largest first"
        ),
    }


def avs_what_if(
    session: Session,
    symbol: str,
    before: Assessment,
    text: str,
    addresses: list[str],
    progress: Progress,
) -> dict[str, Any]:
    """The reserve rate and each vault before and after a hypothetical AVS slash of every
    operator the LRT delegates to (`ion_cli.flows.risk_avs`)."""
    from ion_cli import position_math as pm
    from ion_cli.chain.market_state import read_market, read_vault
    from ion_cli.flows import risk_avs
    from ion_cli.flows.figures import RAY
    from ion_cli.flows.figures import text as figure
    from ion_cli.flows.installed import require_market

    asked = risk_avs.parse(text)
    avs = risk_avs.resolve_avs(session, asked.avs)
    slashed, operators = risk_avs.slashed_inputs(
        session, symbol, before.restaking, avs, asked.share
    )
    after = assess(before.snapshot, before.network, progress, restaking=slashed)
    extra = risk_avs.added_loss(before.restaking, slashed)
    market = read_market(session.reader(), session.profile, require_market(session, symbol))
    new_rate = rate_after(market.reserve_rate, extra)
    vaults = []
    owners: list[str | None] = list(addresses) if addresses else [None]
    for who in owners:
        address = session.address_of(who)
        vault = read_vault(session.reader(), session.profile, market, address)
        lt = market.liquidation_threshold
        row: dict[str, Any] = {
            "address": address,
            "collateral": figure(vault.collateral, WAD),
            "debt": figure(pm.debt(vault.normalized_debt, market.rate), WAD),
            "health_before": None,
            "health_after": None,
            "liquidatable_after": False,
        }
        if lt is not None and vault.normalized_debt != 0:
            args = (vault.collateral, vault.normalized_debt, market.rate)
            h0 = pm.health(*args, market.reserve_rate, lt)
            h1 = pm.health(*args, new_rate, lt)
            row.update(
                health_before=figure(h0, RAY),
                health_after=figure(h1, RAY),
                liquidatable_after=h1 is not None and h1 < RAY,
                liquidation_exchange_rate=figure(pm.liquidation_exchange_rate(*args, lt), WAD),
            )
        vaults.append(row)
    return {
        "avs": avs,
        "share": float(asked.share),
        "operators": operators,
        "added_loss": float(extra),
        "reserve_rate_before": figure(market.reserve_rate, WAD),
        "reserve_rate_after": figure(new_rate, WAD),
        "after": after.to_json(),
        "vaults": vaults,
        "assumption": (
            "the AVS slashes the given share of each allocation to its operator sets of every "
            "operator the LRT delegates to, at the pinned block; the reserve rate falls by the "
            "share of the LRT's restaked ETH that takes"
        ),
    }


def risk_report(
    session: Session,
    request: SnapshotRequest,
    progress: Progress,
    *,
    what_if_slashed: str | None = None,
    addresses: list[str] | None = None,
    what_if_avs_slashed: str | None = None,
) -> dict[str, Any]:
    from ion_cli.flows import restaking_pin, risk_avs

    if what_if_slashed is not None:
        check_what_if(what_if_slashed)  # bad input is said before the beacon node is read
    if what_if_avs_slashed is not None:
        risk_avs.parse(what_if_avs_slashed)
    snapshot = load_snapshot(session, request, progress)
    network = network_context(session, request, snapshot)
    restaking, unread = restaking_pin.try_read(session, request.symbol)
    if unread is not None:
        progress(f"restaking features not read ({unread}): shown as 0")
    assessment = assess(snapshot, network, progress, restaking=restaking)
    doc: dict[str, Any] = {
        "lrt": request.symbol,
        "state": snapshot.state.to_json(),
        "source": snapshot.source,
        "cross_checked": snapshot.cross_checked,
        "complete": snapshot.complete,
        "notes": list(snapshot.notes),
        "validators": len(snapshot.validators),
        **assessment.to_json(),
        "restaking_unread": unread,
    }
    if what_if_slashed is not None:
        count = parse_what_if(what_if_slashed, snapshot)
        doc["what_if"] = what_if(
            session, request.symbol, snapshot, network, count, addresses or [], progress,
            restaking,
        )  # fmt: skip
    if what_if_avs_slashed is not None:
        doc["what_if_avs"] = avs_what_if(
            session, request.symbol, assessment, what_if_avs_slashed, addresses or [], progress
        )
    return doc
