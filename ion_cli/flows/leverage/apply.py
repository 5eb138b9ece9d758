"""`ion apply FILE`: check a plan file against the chain and its own rebuild, then run the rebuild.

See `plan_file` for what a plan file holds and why its calls are only compared, never trusted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ion_cli.chain.plan import Call, Plan
from ion_cli.errors import RefusedError, UsageError
from ion_cli.flows.figures import WAD, exact
from ion_cli.flows.leverage.context import Built, next_block_time, read_context
from ion_cli.flows.leverage.deleverage import build_deleverage
from ion_cli.flows.leverage.lever import build_leverage
from ion_cli.flows.leverage.plan_file import (
    MAX_DEADLINE_S,
    check_start,
    load_plan,
    request_from,
)
from ion_cli.flows.leverage.quotes import lever_quoter, unwind_quoter
from ion_cli.flows.leverage.requests import LeverageRequest
from ion_cli.flows.session import Session
from ion_cli.flows.writes import WriteOptions
from ion_cli.results import WriteResult


def check_plan(session: Session, doc: dict[str, Any]) -> None:
    """Refuse a plan that is not for this chain and account, is past its deadline, or whose
    venue price moved beyond its bound (nothing is sent)."""
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
    when = next_block_time(ctx)
    if when >= doc["deadline"]:
        raise RefusedError(
            f"the plan's deadline has passed (it was priced at block "
            f"{doc.get('priced_at_block')}): plan again"
        )
    if doc["deadline"] > when + MAX_DEADLINE_S:
        raise RefusedError(
            f"the plan's deadline {doc['deadline']} is further out than any command plans "
            f"(at most {MAX_DEADLINE_S} s): refusing; nothing was sent"
        )
    check_start(doc, ctx)
    _check_bound(ctx, doc["check"])


def _int(check: dict[str, Any], key: str) -> int:
    try:
        return int(str(check[key]))
    except (KeyError, ValueError):
        raise UsageError(f"malformed plan file: check.{key} is missing or not a number") from None


def _check_bound(ctx: Any, check: dict[str, Any]) -> None:

    kind = check.get("kind")
    moved = "the price moved beyond the plan's slippage bound since it was priced"
    if kind == "flash_cost":
        bought, bound = _int(check, "bought"), _int(check, "max")
        cost = lever_quoter(ctx)(bought).debt
        if cost > bound:
            raise RefusedError(
                f"{moved}: the leverage now costs {_t(cost)} {ctx.base}, the plan allows at "
                f"most {_t(bound)}; nothing was sent"
            )
    elif kind == "balancer_unwind":
        from ion_cli.chain import venues as vn

        repay, bound = _int(check, "repay"), _int(check, "max")
        reader = ctx.session.reader()
        pool = vn.balancer_flash_pool(reader, ctx.handler, ctx.facts.handler, ctx.market.block)
        fee = vn.pool_fee(reader, pool, ctx.market.block)
        need = vn.balancer_given_out(
            reader,
            ctx.handler,
            ctx.facts.handler,
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
        quote = unwind_quoter(ctx)
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
    from ion_cli.chain.market_state import read_market, read_vault
    from ion_cli.flows.installed import require_market
    from ion_cli.flows.position import position_figures
    from ion_cli.flows.writes import result_document, run_plan
    from ion_cli.results import Position

    doc = load_plan(path)
    check_plan(session, doc)
    request = request_from(doc)
    if isinstance(request, LeverageRequest):
        built = build_leverage(session, request, options.force)
    else:
        built = build_deleverage(session, request, options.force)
    compare_calls(doc, built, request.max_slippage)
    # What is simulated and signed is the rebuild: the file's calls were only compared.
    plan = Plan(
        title=f"Apply plan: {built.plan.title}",
        calls=built.plan.calls,
        summary=built.plan.summary,
        json_summary={
            "action": "apply",
            "plan_file": str(path),
            "content_hash": doc["content_hash"],
            "planned": built.plan.json_summary,
        },
    )
    result = run_plan(session, plan, options)
    me = session.account().address

    def read_back() -> Position:
        market = read_market(
            session.reader(), session.profile, require_market(session, doc["market"])
        )
        return position_figures(
            market,
            read_vault(session.reader(), session.profile, market, me),
            session.safety_margin,
            session.profile.name,
        )

    return result_document(session, plan, result, options, read_back)


def compare_calls(doc: dict[str, Any], built: Built, slippage: int) -> None:
    """Refuse (naming the first difference) when a call of the file is not its rebuild: another
    target, selector, value or kind, or an argument beyond the slippage bound; an approval may
    not be larger than the rebuild's. The check's kind and bounds are compared the same way."""
    theirs: list[Call] = doc["_calls"]
    ours = built.plan.calls
    refuse = "the plan file differs from its rebuild from its own inputs"
    if len(theirs) != len(ours):
        raise RefusedError(
            f"{refuse}: it has {len(theirs)} calls, the rebuild {len(ours)}; nothing was sent"
        )
    for index, (file_call, rebuilt) in enumerate(zip(theirs, ours, strict=True), 1):
        where = f"call {index} ({rebuilt.method or rebuilt.label})"
        difference = _call_difference(file_call, rebuilt, slippage)
        if difference:
            raise RefusedError(f"{refuse}: {where}: {difference}; nothing was sent")
    check = doc["check"]
    if check.get("kind") != built.check.get("kind"):
        raise RefusedError(
            f"{refuse}: check kind {str(check.get('kind'))!r:.40} is not the rebuild's "
            f"{built.check.get('kind')!r}; nothing was sent"
        )
    for key, value in built.check.items():
        if key == "kind":
            continue
        mine = value if isinstance(value, list) else [value]
        got = check.get(key)
        given = got if isinstance(got, list) else [got]
        if len(given) != len(mine) or any(
            not _within(_as_int(g), int(str(m)), slippage) for g, m in zip(given, mine, strict=True)
        ):
            raise RefusedError(
                f"{refuse}: check.{key} is beyond the slippage bound of the rebuild's; "
                "nothing was sent"
            )


def _as_int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1


def _within(given: int, rebuilt: int, slippage: int) -> bool:
    from ion_cli.units import RAY

    return given >= 0 and abs(given - rebuilt) * RAY <= rebuilt * slippage


def _call_difference(file_call: Call, rebuilt: Call, slippage: int) -> str:
    if file_call.to.lower() != rebuilt.to.lower():
        return f"target {file_call.to} is not {rebuilt.to}"
    if file_call.data[:4] != rebuilt.data[:4]:
        return f"selector 0x{file_call.data[:4].hex()} is not 0x{rebuilt.data[:4].hex()}"
    if file_call.value != rebuilt.value:
        return f"value {file_call.value} wei is not {rebuilt.value}"
    if file_call.kind != rebuilt.kind:
        return f"kind {file_call.kind!r} is not {rebuilt.kind!r}"
    entry = rebuilt.function
    if entry is None:
        return "" if file_call.data == rebuilt.data else "calldata differs"
    from eth_abi.abi import decode

    from ion_cli.abi.signature import input_types

    types = input_types(entry)
    try:
        given = decode(types, file_call.data[4:])
        wanted = decode(types, rebuilt.data[4:])
    except Exception:
        return "calldata does not decode as the rebuild's function"
    from ion_cli.abi.codec import encode_args

    if encode_args(types, list(given)) != file_call.data[4:]:  # trailing or odd bytes
        return "calldata is not the plain encoding of its arguments"
    names = [str(p.get("name") or f"argument {i + 1}") for i, p in enumerate(entry["inputs"])]
    approval = rebuilt.kind == "approval"
    for name, kind, a, b in zip(names, types, given, wanted, strict=True):
        # a deadline is not an amount: it must be the rebuild's exactly (the file's own)
        tolerance = 0 if "deadline" in name.lower() else slippage
        problem = _arg_difference(kind, a, b, tolerance, approval)
        if problem:
            return f"{name} {problem}"
    return ""


def _arg_difference(kind: str, given: Any, wanted: Any, slippage: int, approval: bool) -> str:
    if kind.endswith("]") or kind.startswith("("):
        if not isinstance(given, list | tuple) or len(given) != len(wanted):
            return "has another length"
        inner = kind[: kind.rindex("[")] if kind.endswith("]") else ""
        kinds = [inner] * len(wanted) if inner else _tuple_types(kind)
        for k, a, b in zip(kinds, given, wanted, strict=True):
            problem = _arg_difference(k, a, b, slippage, approval)
            if problem:
                return problem
        return ""
    if kind.startswith("uint") or kind.startswith("int"):
        if given == wanted:
            return ""
        if approval and given > wanted:
            return f"{given} is a larger approval than the rebuild's {wanted}"
        if _within(int(given), int(wanted), slippage):
            return ""
        return f"{given} is beyond the slippage bound of the rebuild's {wanted}"
    if str(given).lower() != str(wanted).lower():
        return f"{str(given)[:80]} is not {str(wanted)[:80]}"
    return ""


def _tuple_types(kind: str) -> list[str]:
    """The component types of a canonical tuple type `(a,b,(c,d))`."""
    inner, parts, depth, current = kind[1:-1], [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        current += ch
    if current:
        parts.append(current)
    return parts
