"""`ion risk --what-if-avs-slashed AVS:P%`: an AVS slashes every operator the LRT delegates to.

Each operator of the LRT that allocates to one of the AVS's operator sets loses P% of each such
allocation (EigenLayer rounds the slashed magnitude up); its max magnitude falls by the sum, so
the LRT's withdrawable ETH behind it falls by that fraction of the max magnitude (the arithmetic
of `ion_cli.restaking_math`). The realized-loss feature is recomputed with the new magnitudes,
the model scores it, and the reserve rate is assumed to fall by the loss the slash adds (what
EigenLayer takes from the LRT), as the validator what-if assumes for a beacon slashing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ion_cli.errors import UsageError
from ion_cli.zk import restaking_features as rf

if TYPE_CHECKING:
    from ion_cli.flows.session import Session

WAD = 10**18
_FORM = re.compile(r"^\s*([^:\s]+)\s*:\s*(\d+(?:\.\d+)?)\s*%\s*$", re.ASCII)


@dataclass(frozen=True)
class AvsWhatIf:
    avs: str  # as given (a devnet name or an address)
    share: Fraction  # of each allocation to the AVS's sets, in (0, 1]


AVS_PARAM = ("what_if_avs_slashed",)  # the parameter its errors name


def parse(text: str) -> AvsWhatIf:
    """'AVS:P%' (AVS a devnet name such as avs-a, or an address; P in (0, 100])."""
    m = _FORM.match(text)
    if not m:
        raise UsageError(
            f"`what_if_avs_slashed`: expected AVS:P% (e.g. avs-a:5%), got {text!r}",
            params=AVS_PARAM,
        )
    share = Fraction(m.group(2)) / 100
    if not 0 < share <= 1:
        raise UsageError(
            "`what_if_avs_slashed`: the share must be above 0% and at most 100%", params=AVS_PARAM
        )
    return AvsWhatIf(m.group(1), share)


def resolve_avs(session: Session, name: str) -> str:
    """A devnet AVS name (from the deployment's restaking section) or an address."""
    from ion_cli.addresses import to_checksum

    body = name.lower().removeprefix("0x")
    if len(body) == 40 and all(c in "0123456789abcdef" for c in body):
        return to_checksum("0x" + body)
    deployment = session.profile.extra.get("deployment")
    section = deployment.get("restaking") if isinstance(deployment, dict) else None
    avss = section.get("avss", {}) if isinstance(section, dict) else {}
    if name in avss:
        return str(avss[name])
    known = ", ".join(sorted(avss)) or "none on this network"
    raise UsageError(
        f"`what_if_avs_slashed`: {name!r} is not an address nor a known AVS ({known})",
        params=AVS_PARAM,
    )


def slashed_inputs(
    session: Session, symbol: str, inputs: rf.RestakingInputs, avs: str, share: Fraction
) -> tuple[rf.RestakingInputs, list[dict[str, Any]]]:
    """The inputs with every operator of the LRT slashed by `avs` (`share` of each of its
    allocations to the AVS's sets, at the pinned block), and what each operator loses."""
    from ion_cli.flows.restaking_pin import _call_at, restaking_contract

    address = restaking_contract(session, symbol)
    if address is None or not inputs.positions:
        return inputs, []
    call = _call_at(session, inputs.block)
    am = str(call(address, "allocationManager()(address)"))
    strategy = str(call(address, "strategy()(address)"))
    new_max: dict[str, int] = {}
    rows = []
    for p in inputs.positions:
        if p.operator is None or p.operator.lower() in new_max:
            continue
        sets, allocations = call(
            am,
            "getStrategyAllocations(address,address)((address,uint32)[],(uint64,int128,uint32)[])",
            [p.operator, strategy],
        )
        slashed = 0
        for s, a in zip(sets, allocations, strict=True):
            if str(s[0]).lower() == avs.lower() and int(a[0]) > 0:
                wad = share.numerator * WAD // share.denominator  # --wad of `ion devnet avs-slash`
                slashed += -(-int(a[0]) * wad // WAD)  # rounded up, as EigenLayer does
        new_max[p.operator.lower()] = max(0, p.max_now - slashed)
        if slashed:
            rows.append(
                {
                    "operator": p.operator,
                    "max_magnitude_before": str(p.max_now),
                    "max_magnitude_after": str(p.max_now - slashed),
                    "slashed_fraction": float(Fraction(slashed, p.max_now)) if p.max_now else 0.0,
                }
            )
    positions = tuple(
        replace(p, max_now=new_max[p.operator.lower()]) if p.operator is not None else p
        for p in inputs.positions
    )
    return replace(inputs, positions=positions), rows


def added_loss(before: rf.RestakingInputs, after: rf.RestakingInputs) -> Fraction:
    """What the slash takes from the LRT's restaked ETH, as a fraction of it (whether or not
    the LRT's rate reflects it: the ETH is gone either way)."""
    held = before.total_now
    return Fraction(max(0, before.total_now - after.total_now), held) if held else Fraction(0)
