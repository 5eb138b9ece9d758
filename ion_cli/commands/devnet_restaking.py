"""`ion devnet avs-slash` and `ion devnet allocate`: AVS slashing and allocation changes on the
devnet's EigenLayer stand-ins (registered onto the `ion devnet` group). Both honour --dry-run."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ion_cli.commands.base import GlobalOptions, command
from ion_cli.readable import scaled


def _fraction(value: str, what: str) -> int:
    """ "0.05" or "5%" as a WAD-scaled int, from 0 to 1 inclusive, exact (18 decimals at most)."""
    from decimal import Decimal, InvalidOperation

    from ion_cli.errors import UsageError

    raw = value.strip()
    try:
        number = Decimal(raw[:-1]) / 100 if raw.endswith("%") else Decimal(raw)
    except InvalidOperation:
        raise UsageError(f"{what}: {value!r} is not a fraction (0.05 or 5%)") from None
    scaled = number * 10**18
    if not scaled.is_finite() or scaled != scaled.to_integral_value() or not 0 <= number <= 1:
        raise UsageError(f"{what}: {value!r} must be between 0 and 1, at most 18 decimals")
    return int(scaled)


AvsOption = Annotated[
    str, typer.Option("--avs", help="The AVS: an address or a devnet name (avs-a, avs-b, avs-c).")
]
SetOption = Annotated[int, typer.Option("--set", min=0, help="The operator set's id.")]
OperatorOption = Annotated[
    str, typer.Option("--operator", help="The operator: an address or a devnet name (op-1...).")
]


def register(app: typer.Typer) -> None:
    @command(app, "avs-slash")
    def avs_slash(
        avs: AvsOption,
        set_id: SetOption,
        operator: OperatorOption,
        wad: Annotated[
            str, typer.Option("--wad", help="Part of the allocation to slash: 0.05 or 5%.")
        ],
        description: Annotated[
            str, typer.Option("--description", help="The AVS's reason.")
        ] = "devnet rehearsal",
        *,
        opts: GlobalOptions,
    ) -> None:
        """An AVS slashes an operator in one of its operator sets (AllocationManager.slashOperator:
        magnitudes reduced, OperatorSlashed emitted)."""
        from ion_cli.devnet import restaking_control

        result = restaking_control.avs_slash(
            avs, set_id, operator, _fraction(wad, "--wad"), description, dry_run=opts.dry_run
        )

        def render(console: Any) -> None:
            verb = "would slash" if result["dry_run"] else "slashed"
            line = (
                f"{verb} {result['operator']} in {result['avs']}/{result['set']}: magnitude "
                f"{scaled(result['magnitude_before'])} - "
                f"{scaled(result['slashed_magnitude'])}, wadSlashed "
                f"{scaled(result['wad_slashed'])}"
            )
            if result["block"] is not None:
                line += f" (block {result['block']})"
            console.print(line)

        opts.output.result(result, render)

    @command(app, "allocate")
    def allocate(
        operator: OperatorOption,
        avs: AvsOption,
        set_id: SetOption,
        magnitude: Annotated[
            str,
            typer.Option("--magnitude", help="New allocation, a part of the stake: 0.25 or 25%."),
        ],
        *,
        opts: GlobalOptions,
    ) -> None:
        """An operator changes its allocation to an operator set (AllocationManager.
        modifyAllocations): increases wait its allocation delay, decreases the deallocation
        delay."""
        from ion_cli.devnet import restaking_control

        result = restaking_control.allocate(
            operator, avs, set_id, _fraction(magnitude, "--magnitude"), dry_run=opts.dry_run
        )

        def render(console: Any) -> None:
            verb = "would allocate" if result["dry_run"] else "allocated"
            before = scaled(result["magnitude_before"])
            line = (
                f"{verb} {scaled(result['magnitude'])} of {result['operator']} to "
                f"{result['avs']}/{result['set']} (was {before})"
            )
            if result.get("effect_block"):
                line += f", effective at block {result['effect_block']}"
            console.print(line)

        opts.output.result(result, render)
