"""`ion restaking`: which operators and AVSs an LRT's restaked ETH is exposed to.

The LRT's adapter says where its restaked ETH sits (the delegation seam: EigenLayer stakers, the
operator each delegates to, their shares); EigenLayer's own views, read at one pinned block, say
the rest: each operator's allocations to operator sets, its max magnitude (now and at the start
of the window), its shares and its queued withdrawals still slashable; each staker's beacon-chain
slashing factor; the window's `OperatorSlashed` events. The figures follow EigenLayer's
arithmetic (`ion_cli.restaking_math`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ion_cli import restaking_math as rm
from ion_cli.errors import IonError, UsageError
from ion_cli.restaking_results import (
    OperatorExposure,
    PendingChange,
    PodFactor,
    RestakingExposure,
    SetExposure,
    SlashRecord,
)

if TYPE_CHECKING:
    from ion_cli.adapters import AdapterContext, LrtAdapter, RestakingSource, RestakingStaker
    from ion_cli.chain.eigenlayer import EigenLayerReader, Slashed
    from ion_cli.flows.session import Session

DEFAULT_SINCE = 30 * 86_400


def adapter_context(session: Session, block: int | str = "latest") -> AdapterContext:
    """An adapter context on the session's chain: calls at `block`, logs in chunks."""
    from ion_cli.chain.adapter_context import adapter_context as context_over

    return context_over(
        session.reader(),
        session.profile,
        block=block,
        action="reading the restaking views",
        logs_action="reading EigenLayer events",
    )


def restaking_source(adapter: LrtAdapter, ctx: AdapterContext) -> RestakingSource:
    """The adapter's delegation seam, or "unknown" for an adapter without it."""
    from ion_cli.adapters import unknown_restaking

    method = getattr(adapter, "restaking", None)
    if not callable(method):
        return unknown_restaking(f"{adapter.symbol}: the adapter does not say", "restaking")
    source: RestakingSource = method(ctx)
    return source


def exposure(session: Session, symbol: str, since: int = DEFAULT_SINCE) -> RestakingExposure:
    """The LRT's restaking exposure at the latest block; slashes counted over `since` seconds."""
    from ion_cli.chain.beacon_roots import first_block_at_or_after
    from ion_cli.plugins_registry import load

    if since <= 0:
        raise UsageError("`since` must be a positive duration", params=("since",))
    adapter = load(symbol)
    reader = session.reader()
    head = reader.block("latest")
    block = head["number"]
    found = first_block_at_or_after(reader, head["timestamp"] - since, head)
    since_block = block if found is None else found[0]
    ctx = adapter_context(session, block)
    try:
        source = restaking_source(adapter, ctx)
        el = eigenlayer_reader(session, ctx)
    except IonError:
        raise
    except Exception as exc:  # an adapter's bug or a contract that is not there
        raise IonError(
            f"{adapter.symbol}: reading its restaking delegation failed: {exc}"
        ) from None
    slashes = _slashes(ctx, el, since_block, block)
    return build(
        adapter.symbol, session.profile.name, block, since_block, since, source, el, slashes
    )


def _slashes(ctx: AdapterContext, el: EigenLayerReader, lo: int, hi: int) -> list[Slashed]:
    from ion_cli.chain.eigenlayer import OPERATOR_SLASHED, decode_slashes, topic

    logs = ctx.logs(el.el.allocation_manager, [topic(OPERATOR_SLASHED)], lo, hi)
    return decode_slashes(logs, el.strategy)


def build(
    lrt: str,
    network: str,
    block: int,
    since_block: int,
    since: int,
    source: RestakingSource,
    el: EigenLayerReader,
    slashes: Sequence[Slashed],
) -> RestakingExposure:
    by_operator: dict[str, list[RestakingStaker]] = {}
    undelegated = 0
    for staker in source.stakers:
        if staker.operator is None:
            undelegated += staker.withdrawable_shares
        else:
            by_operator.setdefault(staker.operator.lower(), []).append(staker)
    operators = []
    avs_exposure: dict[str, int] = {}
    pending: list[PendingChange] = []
    # the withdrawal delay is EigenLayer's, the same for every operator: read once
    delay = el.min_withdrawal_delay() if by_operator else 0
    for stakers in by_operator.values():
        exposure = _operator(el, stakers, since_block, slashes, block, delay)
        operators.append(exposure)
        for s in exposure.sets:
            avs_exposure[s.avs] = avs_exposure.get(s.avs, 0) + s.lrt_slashable_wei
            if s.pending_diff != 0 and s.effect_block is not None:
                change = rm.slashable(
                    exposure.lrt_withdrawable_wei, abs(s.pending_diff), exposure.max_magnitude
                )
                pending.append(
                    PendingChange(
                        operator=exposure.operator,
                        avs=s.avs,
                        id=s.id,
                        magnitude=s.magnitude,
                        pending_diff=s.pending_diff,
                        effect_block=s.effect_block,
                        lrt_slashable_change_wei=change if s.pending_diff > 0 else -change,
                    )
                )
    total = sum(s.withdrawable_shares for s in source.stakers)
    return RestakingExposure(
        lrt=lrt,
        network=network,
        block=block,
        since_block=since_block,
        since_seconds=since,
        method=source.method,
        complete=source.complete,
        unknown=source.unknown,
        operators=tuple(operators),
        total_restaked_wei=total,
        undelegated_wei=undelegated,
        slashable_any_wei=sum(o.lrt_slashable_any_wei for o in operators),
        avs_exposure_wei=avs_exposure,
        queued_slashable_wei=sum(o.queued_slashable_wei for o in operators),
        operators_queued_slashable_wei=sum(o.operator_queued_slashable_wei for o in operators),
        pending=tuple(sorted(pending, key=lambda p: (p.effect_block, p.operator, p.avs, p.id))),
        notes=tuple(getattr(source, "notes", ())),
    )


def _operator(
    el: EigenLayerReader,
    stakers: list[RestakingStaker],
    since_block: int,
    slashes: Sequence[Slashed],
    block: int,
    delay: int,
) -> OperatorExposure:
    operator = str(stakers[0].operator)
    lrt_shares = sum(s.withdrawable_shares for s in stakers)
    operator_shares = el.operator_shares(operator)
    max_now = el.max_magnitude(operator)
    max_then = el.max_magnitude_at(operator, since_block)
    encumbered = el.encumbered(operator)
    mine = [s for s in slashes if s.operator.lower() == operator.lower()]
    sets = []
    current_total = 0
    for a in el.allocations(operator):
        current_total += a.current
        records = tuple(
            SlashRecord(
                avs=s.avs,
                id=s.id,
                wad_slashed=s.wad_slashed,
                block=s.block,
                description=s.description,
                lrt_lost_wei=lrt_lost_to(el, stakers, s),
                transaction_hash=s.transaction_hash,
            )
            for s in mine
            if s.avs.lower() == a.avs.lower() and s.id == a.id
        )
        sets.append(
            SetExposure(
                avs=a.avs,
                id=a.id,
                magnitude=a.current,
                max_magnitude=max_now,
                lrt_slashable_wei=rm.slashable(lrt_shares, a.current, max_now),
                operator_slashable_wei=rm.slashable(operator_shares, a.current, max_now),
                pending_diff=a.pending_diff,
                effect_block=a.effect_block if a.pending_diff != 0 else None,
                slashes=records,
            )
        )
    pods = tuple(
        PodFactor(
            staker=s.address,
            kind=s.kind,
            pod=s.pod,
            beacon_chain_slashing_factor=el.beacon_factor(s.address),
            withdrawable_wei=s.withdrawable_shares,
        )
        for s in stakers
    )
    # the LRT's own queued withdrawals, slashable until the withdrawal delay has passed
    queued = sum(
        shares for s in stakers for start, shares in el.queued(s.address) if start + delay > block
    )
    fraction = rm.slashed_fraction(max_then, max_now)
    lost = sum(r.lrt_lost_wei for s in sets for r in s.slashes)
    return OperatorExposure(
        operator=operator,
        lrt_withdrawable_wei=lrt_shares,
        operator_shares_wei=operator_shares,
        max_magnitude=max_now,
        encumbered_magnitude=encumbered,
        lrt_slashable_any_wei=rm.slashable(lrt_shares, min(current_total, max_now), max_now),
        queued_slashable_wei=queued,
        operator_queued_slashable_wei=el.slashable_in_queue(operator),
        max_magnitude_then=max_then,
        slashed_in_window=fraction,
        lrt_slashed_in_window_wei=lost,
        sets=tuple(sets),
        pods=pods,
    )


def lrt_lost_to(el: EigenLayerReader, stakers: Sequence[RestakingStaker], slash: Slashed) -> int:
    """What the LRT lost to one slash: its withdrawable shares just before it x wadSlashed."""
    before = lrt_withdrawable_at(el, stakers, slash.block - 1)
    return rm.lost_to_slash(before, slash.wad_slashed)


def lrt_withdrawable_at(
    el: EigenLayerReader, stakers: Sequence[RestakingStaker], block: int
) -> int:
    """The stakers' withdrawable shares at a past block (a historical read)."""
    past = el.at(block)
    return sum(past.withdrawable(s.address) for s in stakers)


def eigenlayer_reader(session: Session, ctx: AdapterContext) -> EigenLayerReader:
    """EigenLayer's views through `ctx.call`, and at any past block through the session."""
    from ion_cli.adapters import ChainCall, chain_call_from, eigenlayer_addresses
    from ion_cli.chain.eigenlayer import EigenLayerReader

    reader = session.reader()

    def at_block(block: int) -> ChainCall:
        def eth_call(to: str, data: bytes) -> bytes:
            return reader.eth_call(to, data, block, f"reading EigenLayer at block {block}")

        return chain_call_from(eth_call)

    return EigenLayerReader(eigenlayer_addresses(ctx), ctx.call, at_block)
