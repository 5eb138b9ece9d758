"""Plan files: a leverage or deleverage written down (`--plan-out FILE`) and applied later
(`ion apply FILE`), for scripts that review before they send.

A plan file is deterministic JSON: the inputs, the block it was priced at, the quotes, every
call with its arguments (to, data, value), the bounds (the handler's or router's slippage cap
and the deadline) and the expected resulting position. `apply` re-reads the chain and refuses,
sending nothing, when the plan is malformed, for another chain or account, past its deadline,
or when the venue's price moved beyond the plan's bound; then the pipeline simulates the calls
again before anything is signed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ion_cli.chain.plan import Call, Plan
from ion_cli.errors import RefusedError, UsageError
from ion_cli.flows.figures import WAD, exact
from ion_cli.flows.session import Session

if TYPE_CHECKING:
    from ion_cli.flows.leverage import Built
    from ion_cli.flows.writes import WriteOptions
    from ion_cli.results import WriteResult

FORMAT = "ion-plan"
VERSION = 1
MAX_PLAN_BYTES = 1_000_000
MAX_NESTING = 32  # a plan nests 4 deep; the C parser can overflow the stack on hostile depth


def plan_document(built: Built) -> dict[str, Any]:
    ctx = built.ctx
    session = ctx.session
    return {
        "format": FORMAT,
        "version": VERSION,
        "network": session.profile.name,
        "chain_id": session.profile.chain_id,
        "account": ctx.me,
        "market": ctx.symbol,
        "title": built.plan.title,
        "priced_at_block": ctx.market.block,
        "priced_at_timestamp": ctx.timestamp,
        "deadline": built.deadline,
        "check": built.check,
        "calls": [c.to_json() for c in built.plan.calls],
        "preview": built.plan.summary,
        "summary": _plain(built.plan.json_summary),
    }


def _plain(value: Any) -> Any:
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return _plain(to_json())
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def save_plan(path: str | Path, built: Built) -> None:
    from ion_cli.atomic import write_output

    text = json.dumps(plan_document(built), indent=2, sort_keys=True) + "\n"
    write_output(Path(path), text, "plan file")


def load_plan(path: str | Path) -> dict[str, Any]:
    """The plan document, or one UsageError line saying what is wrong with the file."""
    p = Path(path)
    where = f"plan file {p}"
    from ion_cli.inputs import read_input_text

    raw = read_input_text(p, "plan file", limit=MAX_PLAN_BYTES)
    if _nesting(raw) > MAX_NESTING:
        raise UsageError(f"malformed {where}: nested deeper than any plan")
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise UsageError(f"malformed {where}: not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise UsageError(f"malformed {where}: not an ion plan (format {FORMAT!r} expected)")
    if doc.get("version") != VERSION:
        raise UsageError(f"malformed {where}: version {doc.get('version')!r} is not {VERSION}")
    for key, kind in (
        ("chain_id", int),
        ("account", str),
        ("market", str),
        ("title", str),
        ("calls", list),
        ("check", dict),
        ("deadline", int),
    ):
        if not isinstance(doc.get(key), kind) or isinstance(doc.get(key), bool):
            raise UsageError(f"malformed {where}: `{key}` missing or not a {kind.__name__}")
    if not doc["calls"]:
        raise UsageError(f"malformed {where}: no calls")
    doc["_calls"] = [_call(c, i, where) for i, c in enumerate(doc["calls"], 1)]
    return doc


def _nesting(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON `text` (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _call(raw: Any, index: int, where: str) -> Call:
    from ion_cli.addresses import is_address

    bad = f"malformed {where}: call {index}"
    if not isinstance(raw, dict):
        raise UsageError(f"{bad} is not an object")
    to, data, value = raw.get("to"), raw.get("data"), raw.get("value", "0")
    if not isinstance(to, str) or not is_address(to):
        raise UsageError(f"{bad}: `to` is not an address")
    if not isinstance(data, str) or not data.startswith("0x"):
        raise UsageError(f"{bad}: `data` is not 0x-hex")
    try:
        payload = bytes.fromhex(data[2:])
        amount = int(str(value))
    except ValueError:
        raise UsageError(f"{bad}: `data` or `value` is malformed") from None
    if amount < 0:
        raise UsageError(f"{bad}: negative value")
    kind = raw.get("kind", "action")
    if kind not in ("approval", "operator", "action"):
        kind = "action"
    return Call(
        to=to,
        data=payload,
        value=amount,
        description=str(raw.get("description", "")),
        kind=kind,
        method=str(raw.get("method", "")),
    )


def check_plan(session: Session, doc: dict[str, Any]) -> None:
    """Refuse a plan that is not for this chain and account, is past its deadline, or whose
    venue price moved beyond its bound (nothing is sent)."""
    from ion_cli.flows.leverage import read_context

    profile = session.profile
    if doc["chain_id"] != profile.chain_id:
        raise RefusedError(
            f"the plan is for chain id {doc['chain_id']}, but network '{profile.name}' is chain "
            f"id {profile.chain_id}: refusing"
        )
    me = session.account().address
    if str(doc["account"]).lower() != me.lower():
        raise RefusedError(f"the plan is for account {doc['account']}, not {me}: refusing")
    ctx = read_context(session, doc["market"])
    if ctx.timestamp >= doc["deadline"]:
        raise RefusedError(
            f"the plan's deadline has passed (it was priced at block "
            f"{doc.get('priced_at_block')}): plan again"
        )
    _check_bound(ctx, doc["check"])


def _int(check: dict[str, Any], key: str) -> int:
    try:
        return int(str(check[key]))
    except (KeyError, ValueError):
        raise UsageError(f"malformed plan file: check.{key} is missing or not a number") from None


def _check_bound(ctx: Any, check: dict[str, Any]) -> None:
    from ion_cli.flows import leverage as lv

    kind = check.get("kind")
    moved = "the price moved beyond the plan's slippage bound since it was priced"
    if kind == "flash_cost":
        bought, bound = _int(check, "bought"), _int(check, "max")
        cost = lv.lever_quoter(ctx)(bought).debt
        if cost > bound:
            raise RefusedError(
                f"{moved}: the leverage now costs {_t(cost)} {ctx.base}, the plan allows at "
                f"most {_t(bound)}; nothing was sent"
            )
    elif kind == "balancer_unwind":
        from ion_cli.chain import venues as vn

        repay, bound = _int(check, "repay"), _int(check, "max")
        reader = ctx.session.reader()
        pool = vn.ezeth_flash_pool(reader, ctx.handler, ctx.market.block)
        fee = vn.pool_fee(reader, pool, ctx.market.block)
        need = vn.balancer_given_out(
            reader,
            ctx.handler,
            ctx.market.collateral_token,
            ctx.market.base_token,
            repay + vn.flash_fee(repay, fee),
            ctx.market.block,
        )
        if need > bound:
            raise RefusedError(
                f"{moved}: repaying now sells {_t(need)} {ctx.symbol}, the plan allows at most "
                f"{_t(bound)}; nothing was sent"
            )
    elif kind == "router_unwind":
        sells, mins = check.get("sells"), check.get("min")
        if not isinstance(sells, list) or not isinstance(mins, list) or len(sells) != len(mins):
            raise UsageError("malformed plan file: check.sells and check.min must be lists")
        quote = lv.unwind_quoter(ctx)
        for sell, least in zip(sells, mins, strict=True):
            got = quote(int(str(sell)))
            if got < int(str(least)):
                raise RefusedError(
                    f"{moved}: selling {_t(int(str(sell)))} {ctx.symbol} now gives "
                    f"{_t(got)} {ctx.base}, the plan needs at least {_t(int(str(least)))}; "
                    "nothing was sent"
                )
    elif kind == "loop":
        return  # each step of a loop carries its own router minimum: the simulation checks it
    elif kind == "wallet_close":
        return  # no swap, no price: the simulation checks the wallet still holds the debt
    else:
        raise UsageError(f"malformed plan file: unknown check kind {kind!r}")


def _t(amount: int) -> str:
    return f"{exact(amount, WAD):.6f}"


def apply_plan(session: Session, path: str | Path, options: WriteOptions) -> WriteResult:
    from ion_cli.flows.adapters import require_market
    from ion_cli.flows.market_state import read_market
    from ion_cli.flows.position import position_figures, read_vault
    from ion_cli.flows.writes import result_document, run_plan
    from ion_cli.results import Position

    doc = load_plan(path)
    check_plan(session, doc)
    summary = doc["summary"] if isinstance(doc.get("summary"), dict) else {}
    preview = doc["preview"] if isinstance(doc.get("preview"), dict) else {}
    plan = Plan(
        title=f"Apply plan: {doc['title']}",
        calls=doc["_calls"],
        summary={str(k): str(v) for k, v in preview.items()},
        json_summary={"action": "apply", "plan_file": str(path), "planned": summary},
    )
    result = run_plan(session, plan, options)
    me = session.account().address

    def read_back() -> Position:
        market = read_market(
            session.reader(), session.profile, require_market(session, doc["market"])
        )
        return position_figures(
            market, read_vault(session, market, me), session.safety_margin, session.profile.name
        )

    return result_document(session, plan, result, options, read_back)
