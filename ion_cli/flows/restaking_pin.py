"""The restaking features of an LRT at a pinned execution block, read as the feed reads them.

The market's RiskFeed names its `RestakingFeatures` contract (`RESTAKING()`); that contract
names EigenLayer's managers, the strategy, the window, where counting starts and whether the
LRT's rate already reflects AVS losses. From there the same reads it makes on chain, all as of
the pinned block B (EigenLayer's max magnitudes at B and at the window's start through the
snapshotted `getMaxMagnitudesAtBlock`), give `restaking_features.RestakingInputs`, whose
features `ion prove` puts in the proof and the feed recomputes at submission.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ion_cli.errors import IonError
from ion_cli.zk import restaking_features as rf

if TYPE_CHECKING:
    from ion_cli.adapters import ChainCall
    from ion_cli.flows.session import Session

ZERO = "0x" + "00" * 20


def _call_at(session: Session, block: int | str) -> ChainCall:
    from ion_cli.adapters import chain_call_from

    reader = session.reader()

    def eth_call(to: str, data: bytes) -> bytes:
        return reader.eth_call(to, data, block, "reading the restaking features")

    return chain_call_from(eth_call)


def restaking_contract(session: Session, symbol: str) -> str | None:
    """The market's RestakingFeatures (None: the market has no risk feed)."""
    try:
        feed = session.profile.market(symbol).risk_feed
    except IonError:
        return None
    if not feed:
        return None
    return str(_call_at(session, "latest")(feed, "RESTAKING()(address)"))


def head_block(session: Session) -> int:
    return int(session.reader().block("latest")["number"])


def read(session: Session, symbol: str, block: int | None = None) -> rf.RestakingInputs:
    """The LRT's restaking inputs as of `block` (default: the block before the latest: the feed
    takes only past blocks, and a submission simulated at the latest block must pass too)."""
    address = restaking_contract(session, symbol)
    pinned = max(0, head_block(session) - 1) if block is None else block
    if address is None:
        return rf.none(pinned)
    return read_at(_call_at(session, pinned), address, pinned)


def read_at(call: ChainCall, address: str, pinned: int) -> rf.RestakingInputs:
    """What `RestakingFeatures.featuresAt(pinned)` reads, through `call` (state as of the
    pinned block)."""
    window = int(call(address, "WINDOW_BLOCKS()(uint256)"))
    reflects = bool(call(address, "RATE_REFLECTS_AVS_LOSS()(bool)"))
    dm = str(call(address, "delegationManager()(address)"))
    if int(dm, 16) == 0:
        return rf.RestakingInputs(block=pinned, window=window, counts_loss=not reflects)
    am = str(call(address, "allocationManager()(address)"))
    strategy = str(call(address, "strategy()(address)"))
    start = int(call(address, "windowStart(uint256)(uint256)", [pinned]))
    credentials = call(address, "CREDENTIALS()(address)")
    creds = call(str(credentials), "credentials()(bytes32[])")
    seen: set[str] = set()
    positions = []
    for cred in creds:
        pod = "0x" + bytes(cred)[-20:].hex()
        if pod in seen:
            continue
        seen.add(pod)
        position = _position(call, dm, am, strategy, pod, start, pinned)
        if position is not None:
            positions.append(position)
    return rf.RestakingInputs(
        block=pinned, window=window, counts_loss=not reflects, positions=tuple(positions)
    )


def _position(
    call: ChainCall, dm: str, am: str, strategy: str, pod: str, start: int, pinned: int
) -> rf.StakerPosition | None:
    try:
        staker = str(call(pod, "podOwner()(address)"))
    except Exception:  # not an EigenPod (no code, or no such getter): nothing restaked through it
        return None
    strategies, shares = call(dm, "getDepositedShares(address)(address[],uint256[])", [staker])
    held = [
        int(n)
        for s, n in zip(strategies, shares, strict=True)
        if str(s).lower() == strategy.lower()
    ]
    if not held:
        return None
    dsf = int(call(dm, "depositScalingFactor(address,address)(uint256)", [staker, strategy]))
    d = held[0] * dsf // rf.WAD
    if d == 0:
        return None
    operator = str(call(dm, "delegatedTo(address)(address)", [staker]))
    if int(operator, 16) == 0:
        return rf.StakerPosition(staker, None, d, rf.WAD, rf.WAD)
    signature = "getMaxMagnitudesAtBlock(address,address[],uint32)(uint64[])"
    then = int(call(am, signature, [operator, [strategy], start])[0])
    now = int(call(am, signature, [operator, [strategy], pinned])[0])
    return rf.StakerPosition(staker, operator, d, then, now)


def describe_failure(exc: Exception) -> str:
    return exc.message if isinstance(exc, IonError) else f"{type(exc).__name__}: {exc}"


def try_read(
    session: Session, symbol: str, block: int | None = None
) -> tuple[rf.RestakingInputs, str | None]:
    """`read`, or no restaking (features 0, block 0) with the reason when the chain cannot be
    read (a proof from a snapshot file, offline): such a proof is refused by the feed."""
    try:
        return read(session, symbol, block), None
    except Exception as exc:  # no node, no market, a contract that is not there
        return rf.none(0), describe_failure(exc)


def features_on_chain(session: Session, symbol: str, block: int) -> tuple[int, int] | None:
    """What the feed's RestakingFeatures answers for `block` now (None: no risk feed)."""
    address = restaking_contract(session, symbol)
    if address is None:
        return None
    found: Any = _call_at(session, "latest")(
        address, "featuresAt(uint256)(uint256,uint256)", [block]
    )
    return int(found[0]), int(found[1])
