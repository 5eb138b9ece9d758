"""The one line of restaking exposure that `ion validators summary` and `ion position` show
beside the validators: best effort, never a failure of the command that shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ion_cli.commands.base import GlobalOptions


def restaking_note(opts: GlobalOptions, lrt: str) -> dict[str, Any] | None:
    """{"summary": line, ...figures} or {"unknown": why}; None when no chain is at hand (no RPC
    URL given and not the devnet: a summary of beacon data alone asks no execution node)."""
    try:
        api = opts.api()
        if not (opts.rpc_url or api.is_devnet):
            return None
        result = api.restaking(lrt)
    except Exception as exc:  # an LRT without delegation data, a devnet without the world...
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        return {"unknown": " ".join(str(message).split())}
    largest = result.largest_avs
    return {
        "summary": result.summary(),
        "restaked_wei": str(result.total_restaked_wei),
        "slashable_share": str(result.slashable_share),
        "avs_count": result.avs_count,
        "largest_avs": None if largest is None else largest[0],
        "operators": [o.operator for o in result.operators],
    }


def note_line(note: dict[str, Any] | None) -> str | None:
    if note is None:
        return None
    if "summary" in note:
        return str(note["summary"])
    return f"restaking: unknown ({note['unknown']})"
